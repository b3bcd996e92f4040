"""The coach's free times, `/coach/availability/`: offer times that their students book from
their own page (`/me/`), and remove those nobody has booked."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from backend.dates import long_day, long_moment
from backend.errors import DomainError
from coaching.booking import BOOKING_HORIZON, CoachSlot, coach_slots, slot_remove, slots_add
from coaching.forms import FreeTimesForm
from coaching.models import OpenSlot

# Coaches, and admins who coach, keep their own free times.
KEEPERS = (Role.COACH, Role.ADMIN)
# Where a refusal of the service shows: beside the field it names, else above the form.
FIELD_OF = {"starts_at": "start", "duration_minutes": "duration_minutes", "count": "count"}


def _keeper(request: HttpRequest) -> User:
    if not request.user.has_role(*KEEPERS):
        raise PermissionDenied
    return request.user


def _day(row: CoachSlot) -> str:
    return long_day(row.slot.starts_at)


def _render(request: HttpRequest, form: FreeTimesForm, status: int = 200) -> HttpResponse:
    rows = coach_slots(request.user.pk)
    context = {
        "days": [(day, list(times)) for day, times in groupby(rows, key=_day)],
        "form": form,
        "horizon_weeks": BOOKING_HORIZON.days // 7,
    }
    return render(request, "coaching/availability.html", context, status=status)


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    """The coach's open times from now on (GET); offer more (POST, at the same address)."""
    coach = _keeper(request)
    if request.method != "POST":
        return _render(request, FreeTimesForm())
    form = FreeTimesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = slots_add(
                coach=coach,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                count=data["count"],
                weeks=data["weeks"],
            )
        except DomainError as exc:
            form.add_error(FIELD_OF.get(exc.field or ""), exc.message)
        else:
            first = long_moment(added[0].starts_at)
            messages.success(
                request,
                f"Offered {len(added)} free time{pluralize(len(added))} from {first} on; "
                "your students can book them now.",
                extra_tags="times",
            )
            return redirect(f"{reverse('coach-availability')}#times")
    return _render(request, form, status=400)


@login_required
@require_POST
def availability_remove(request: HttpRequest, pk: int) -> HttpResponse:
    coach = _keeper(request)
    slot = get_object_or_404(OpenSlot.objects.filter(coach=coach), pk=pk)
    try:
        slot_remove(slot=slot)
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="times")
    else:
        when = long_moment(slot.starts_at)
        messages.success(request, f"The free time on {when} is removed.", extra_tags="times")
    return redirect(f"{reverse('coach-availability')}#times")
