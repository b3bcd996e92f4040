from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api import ApplyRateThrottle, TokenRateThrottle
from backend.errors import AlreadyApplied, DomainError
from backend.http import client_address
from backend.throttles import throttled
from enrollment.applying import RequestMeta, application_submit
from enrollment.forms import ApplicationForm
from enrollment.models import Application, Program, Status
from enrollment.selectors import (
    applications_with_positions,
    offer_notice,
    program_cohorts,
    programs_with_seats,
)
from enrollment.services import (
    Actor,
    application_accept,
    application_decline,
    application_move_to_next_cohort,
    application_withdraw,
    next_open_cohort,
)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "enrollment/home.html", {"programs": programs_with_seats()})


@require_safe
def program_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What the program is, what it costs, what it asks, and its next classes with live seats."""
    program = get_object_or_404(Program, slug=slug, is_active=True)
    context = {"program": program, "cohorts": program_cohorts(program)}
    return render(request, "enrollment/program.html", context)


@throttled(ApplyRateThrottle, methods=("POST",))
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug, is_active=True)
    seats = program_cohorts(program)
    cohorts = [item.cohort for item in seats]
    # The class chosen on the program page (?cohort=<id>) comes chosen; else the earliest.
    chosen = request.GET.get("cohort", "")
    first = next((c for c in cohorts if str(c.pk) == chosen), cohorts[0] if cohorts else None)
    form = ApplicationForm(request.POST or None, cohorts=cohorts, initial={"cohort": first})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application, _ = application_submit(
                cohort=data["cohort"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=str(data["phone"]),
                date_of_birth=data["date_of_birth"],
                education=data["education"],
                prior_healthcare_experience=data["prior_healthcare_experience"],
                consent=form.consent(),
                submission_key=data["submission_key"],
                meta=RequestMeta(
                    ip_address=client_address(request),
                    user_agent=request.headers.get("User-Agent", ""),
                    source_page=request.build_absolute_uri(),
                ),
                actor=Actor.of(request.user),
            )
        except AlreadyApplied:
            context = {"program": program, "cohort": data["cohort"]}
            return render(request, "enrollment/already_applied.html", context, status=409)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("status", token=application.status_token)
    return render(
        request,
        "enrollment/apply.html",
        {"program": program, "form": form, "cohorts": cohorts, "seats": seats},
        status=400 if form.errors else 200,
    )


@require_safe
@throttled(TokenRateThrottle, methods=("GET",))
def status(request: HttpRequest, token: str) -> HttpResponse:
    applications = applications_with_positions(Application.objects.prefetch_related("history"))
    application = get_object_or_404(applications, status_token=token)
    can_move = (
        application.status == Status.WAITLISTED
        and application.cohort.is_past_cutoff()
        and next_open_cohort(application.cohort.program, after=application.cohort) is not None
    )
    return render(
        request,
        "enrollment/status.html",
        {"application": application, "can_move": can_move, "notice": offer_notice(application)},
    )


ACTIONS = {
    "accept": (application_accept, "You accepted your seat. Welcome!"),
    "decline": (
        application_decline,
        "You declined the offer. The seat goes to the next applicant.",
    ),
    "withdraw": (application_withdraw, "You withdrew your application."),
    "move": (
        application_move_to_next_cohort,
        "You moved to the next cohort, keeping your place in line.",
    ),
}


@require_POST
@throttled(TokenRateThrottle, methods=("POST",))
def status_action(request: HttpRequest, token: str, verb: str) -> HttpResponse:
    application = get_object_or_404(Application, status_token=token)
    if verb not in ACTIONS:
        return redirect("status", token=token)
    service, done = ACTIONS[verb]
    try:
        service(application=application, actor=Actor.of(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("status", token=token)


# Steps that cannot be undone ask once more on a page of their own, in the statuses whose status
# page offers them: decline an offer; leave the waitlist or withdraw an enrollment.
ASKED_FIRST = {
    "decline": {Status.OFFERED},
    "withdraw": {Status.WAITLISTED, Status.ENROLLED},
}


@require_http_methods(["GET", "HEAD", "POST"])
@throttled(TokenRateThrottle, methods=("GET",))  # the POST is counted by status_action
def status_confirm(request: HttpRequest, token: str, verb: str) -> HttpResponse:
    """GET asks "Decline your offer?" on a page of its own (no JavaScript needed); its button
    POSTs to the same address, which acts as `status_action` does."""
    if request.method == "POST":
        return status_action(request, token=token, verb=verb)
    application = get_object_or_404(
        applications_with_positions(Application.objects.all()), status_token=token
    )
    if application.current_status not in ASKED_FIRST[verb]:
        return redirect("status", token=token)  # nothing left to ask: show where they stand
    return render(request, "enrollment/confirm.html", {"application": application, "verb": verb})
