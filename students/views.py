"""The student's home, `/me/`: everything that is theirs on one page (students/selectors.py), the
log forms (externships' own, posted to externships' views), booking, moving and cancelling a
coaching session from the coach's free times, and a message to the coach.

After a form the page comes back at the part acted on (`#coaching`, `#coach`), with the
message shown there: its extra tag names that part (externships/_messages_at.html)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backend.dates import long_moment
from backend.errors import DomainError
from coaching.booking import free_slots, session_cancel, session_move, slot_book
from coaching.models import CoachingSession, SessionStatus
from coaching.services import message_coach
from enrollment.models import Student
from externships.views import Forms, me_context
from students.forms import BookingForm, CoachMessageForm, SlotForm
from students.selectors import home_student, student_home


def _own_student(request: HttpRequest) -> Student:
    """The signed-in student; anyone who is not one has no home here (404)."""
    return get_object_or_404(home_student(request.user))


def _at(part: str) -> HttpResponse:
    return redirect(f"{reverse('me')}#{part}")


def _render_home(
    request: HttpRequest,
    student: Student,
    booking_form: BookingForm | None = None,
    message_form: CoachMessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    logs = me_context(student, Forms())
    home = student_home(student, progress=logs["progress"])
    context = {
        **logs,
        "home": home,
        "needs_answer": sum(1 for row in logs["rows"] if row.form),
        "booking_form": booking_form or BookingForm(slots=home.free),
        "message_form": message_form or CoachMessageForm(),
    }
    return render(request, "students/home.html", context, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _render_home(request, _own_student(request))


@login_required
@require_POST
def session_book(request: HttpRequest) -> HttpResponse:
    student = _own_student(request)
    form = BookingForm(request.POST, slots=free_slots(student.coach_id))
    status = 400
    if form.is_valid():
        try:
            session = slot_book(
                student=student,
                slot=form.cleaned_data["slot"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error("slot" if exc.field in ("slot", "starts_at") else None, exc.message)
            status = exc.status_code
        else:
            messages.success(
                request,
                f"Booked: {session.get_kind_display().lower()} with {session.coach} on "
                f"{long_moment(session.starts_at)}; {session.coach.get_short_name()} has been "
                "told.",
                extra_tags="coaching",
            )
            return _at("coaching")
    return _render_home(request, student, booking_form=form, status=status)


def _own_session(request: HttpRequest, pk: int) -> tuple[Student, CoachingSession]:
    """One of the student's upcoming sessions (anyone else's, or a closed one, is a 404)."""
    student = _own_student(request)
    session = get_object_or_404(
        CoachingSession.objects.select_related("coach").filter(
            student=student, status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
        ),
        pk=pk,
    )
    return student, session


@login_required
def session_move_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a session to another of the coach's free times: the times (GET), then the move
    (POST, at the same address)."""
    _student, session = _own_session(request, pk)
    others = free_slots(session.coach_id, moving=session.pk)
    slots = [slot for slot in others if slot.starts_at != session.starts_at]
    form = SlotForm(request.POST if request.method == "POST" else None, slots=slots)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                moved = session_move(
                    session=session, slot=form.cleaned_data["slot"], by=request.user
                )
            except DomainError as exc:
                form.add_error("slot" if exc.field in ("slot", "starts_at") else None, exc.message)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    f"Moved: your {moved.get_kind_display().lower()} is now on "
                    f"{long_moment(moved.starts_at)}; {session.coach.get_short_name()} has been "
                    "told.",
                    extra_tags="coaching",
                )
                return _at("coaching")
    context = {"session": session, "when": long_moment(session.starts_at), "form": form}
    return render(request, "students/session_move.html", context, status=status)


@login_required
def session_cancel_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask once more (GET), then cancel (POST, at the same address)."""
    _student, session = _own_session(request, pk)
    if request.method == "POST":
        try:
            session_cancel(session=session, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message, extra_tags="coaching")
        else:
            messages.success(
                request,
                f"Cancelled: your {session.get_kind_display().lower()} on "
                f"{long_moment(session.starts_at)}; {session.coach.get_short_name()} has been "
                "told.",
                extra_tags="coaching",
            )
        return _at("coaching")
    context = {"session": session, "when": long_moment(session.starts_at)}
    return render(request, "students/session_cancel.html", context)


@login_required
@require_POST
def coach_message(request: HttpRequest) -> HttpResponse:
    student = _own_student(request)
    form = CoachMessageForm(request.POST)
    if form.is_valid():
        try:
            message_coach(student=student, body=form.cleaned_data["body"])
        except DomainError as exc:
            form.add_error("body", exc.message)
        else:
            messages.success(
                request,
                f"Sent to {student.coach}. They will answer by email or text.",
                extra_tags="coach",
            )
            return _at("coach")
    return _render_home(request, student, message_form=form, status=400)
