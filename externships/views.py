"""The externship pages: a student's progress and logs, the supervisor's review (signed in or by
emailed link)."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from backend.api import TokenRateThrottle
from backend.errors import DomainError
from backend.throttles import throttled
from enrollment.models import Student
from externships.deciders import decidable_logs
from externships.forms import AnswerForm, DecisionForm, HourLogForm, ProcedureLogForm
from externships.models import (
    DecisionVia,
    HourLog,
    LogStatus,
    ProcedureLog,
    log_kind,
)
from externships.review_links import review_link_open
from externships.selectors import (
    active_externship,
    progress_for,
    student_logs,
    visible_students,
)
from externships.services import (
    hour_log_create,
    log_decide,
    log_resubmit,
    logs_bulk_approve,
    procedure_log_create,
)

MODELS: dict[str, type[HourLog] | type[ProcedureLog]] = {"hour": HourLog, "procedure": ProcedureLog}
# Who opens /review/: the supervisor's desk (and admins'); coaches get 403 (the access table).
REVIEWERS = (Role.SUPERVISOR, Role.ADMIN)


@dataclass
class LogRow:
    """One log in a list, whichever its kind, with the form that acts on it (if any)."""

    kind: str
    log: HourLog | ProcedureLog
    form: AnswerForm | DecisionForm | None = None

    @property
    def hours(self) -> float:
        return round(self.log.minutes / 60, 2)

    @property
    def prefix(self) -> str:
        return f"{self.kind}-{self.log.pk}"


@dataclass
class Forms:
    """The bound forms of a page that was posted back with errors, by prefix."""

    hour: HourLogForm | None = None
    procedure: ProcedureLogForm | None = None
    rows: dict[str, AnswerForm | DecisionForm] = field(default_factory=dict)


# -- reads shared by the pages ------------------------------------------------------------------


def _logs(student: Student) -> list[LogRow]:
    return [LogRow(log_kind(log), log) for log in student_logs(student)]


def _reviewable(user: User, model: type[HourLog] | type[ProcedureLog]) -> QuerySet:
    """The logs `user` decides (the one rule, `decidable_logs`), on the page for supervisors and
    admins; coaches decide their caseload's through the API."""
    if not user.has_role(*REVIEWERS):
        return model.objects.none()
    return decidable_logs(user, model).select_related(
        "externship__site", "externship__student__user"
    )


def _own_student(request: HttpRequest) -> Student:
    return get_object_or_404(visible_students(request.user), user=request.user)


def _require_role(user: User, *roles: str) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


# -- the student's page -------------------------------------------------------------------------


def _rejected(student: Student, model: type[HourLog] | type[ProcedureLog]) -> QuerySet:
    return model.objects.filter(externship__student=student, status=LogStatus.REJECTED)


def me_context(student: Student, forms: Forms) -> dict[str, object]:
    """What the student's progress, log forms and logs show: on their home, `/me/`
    (students/views.py), and on this app's page below, which comes back with a form's errors."""
    rows = _logs(student)
    for row in rows:
        if row.log.status == LogStatus.NEEDS_INFO:
            row.form = forms.rows.get(row.prefix) or AnswerForm(prefix=row.prefix)
    return {
        "student": student,
        "progress": progress_for([student])[student.pk],
        "externship": active_externship(student),
        "hour_form": forms.hour or HourLogForm(rejected=_rejected(student, HourLog)),
        "procedure_form": forms.procedure
        or ProcedureLogForm(rejected=_rejected(student, ProcedureLog)),
        "rows": rows,
    }


def _render_me(
    request: HttpRequest, student: Student, forms: Forms, status: int = 200
) -> HttpResponse:
    """Progress, the log forms and the logs alone, with the posted form's errors beside its
    fields. A log that went in returns to the student's home instead (`me`, in students/)."""
    return render(request, "externships/me.html", me_context(student, forms), status=status)


def _log_posted(request: HttpRequest, kind: str) -> HttpResponse:
    student = _own_student(request)
    externship = active_externship(student)
    if kind == "hour":
        form_class, service = HourLogForm, hour_log_create
    else:
        form_class, service = ProcedureLogForm, procedure_log_create
    form = form_class(request.POST, rejected=_rejected(student, MODELS[kind]))
    if externship is None:
        form.add_error(None, "Logs need an active externship.")
    elif form.is_valid():
        try:
            service(student=student, externship=externship, **form.cleaned_data)
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Logged. Your supervisor has been asked to sign it off.")
            return redirect("me")
    return _render_me(request, student, Forms(**{kind: form}), status=400)


@login_required
@require_POST
def hour_log_new(request: HttpRequest) -> HttpResponse:
    return _log_posted(request, "hour")


@login_required
@require_POST
def procedure_log_new(request: HttpRequest) -> HttpResponse:
    return _log_posted(request, "procedure")


@login_required
@require_POST
def log_answer(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    student = _own_student(request)
    log = get_object_or_404(MODELS[kind].objects.filter(externship__student=student), pk=pk)
    form = AnswerForm(request.POST, prefix=f"{kind}-{pk}")
    if form.is_valid():
        try:
            log_resubmit(log=log, student=student, notes=form.cleaned_data["notes"])
        except DomainError as exc:
            # The answer box shows only while the log waits for information; say it above.
            messages.error(request, exc.message)
            return _render_me(request, student, Forms(), status=exc.status_code)
        else:
            messages.success(request, "Thank you. The log went back to your supervisor.")
            return redirect("me")
    return _render_me(request, student, Forms(rows={form.prefix: form}), status=400)


# -- the supervisor's review ---------------------------------------------------------------------


def _render_review(request: HttpRequest, forms: Forms, status: int = 200) -> HttpResponse:
    rows = [
        LogRow(kind, log)
        for kind, model in MODELS.items()
        for log in _reviewable(request.user, model).filter(status=LogStatus.PENDING)
    ]
    rows.sort(key=lambda r: (r.log.date, r.log.submitted_at))
    for row in rows:
        row.form = forms.rows.get(row.prefix) or DecisionForm(prefix=row.prefix)
    return render(request, "externships/review.html", {"rows": rows}, status=status)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    _require_role(request.user, *REVIEWERS)
    return _render_review(request, Forms())


@login_required
@require_POST
def review_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_role(request.user, *REVIEWERS)
    log = get_object_or_404(_reviewable(request.user, MODELS[kind]), pk=pk)
    form = DecisionForm(request.POST, prefix=f"{kind}-{pk}")
    status = 400
    if form.is_valid():
        try:
            log = log_decide(log=log, by=request.user, via=DecisionVia.LOGIN, **form.cleaned_data)
        except DomainError as exc:
            status = exc.status_code
            if exc.field in form.fields:
                form.add_service_error(exc)
            else:  # e.g. already decided: the log has left the list, so say it above it
                messages.error(request, exc.message)
        else:
            decided = log.get_status_display().lower()
            messages.success(request, f"{log.externship.student}, {log}: {decided}.")
            return redirect("review")
    return _render_review(request, Forms(rows={form.prefix: form}), status=status)


@login_required
@require_POST
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    _require_role(request.user, *REVIEWERS)
    chosen = {
        # Only logs this user reviews: others' ids are never looked up, so none can be probed.
        kind: list(
            _reviewable(request.user, model)
            .filter(
                pk__in=[pk for pk in request.POST.getlist(kind) if pk.isdigit() and len(pk) < 19]
            )
            .values_list("pk", flat=True)
        )
        for kind, model in MODELS.items()
    }
    if not any(chosen.values()):
        messages.error(request, "Select the logs to approve first.")
        return redirect("review")
    try:
        with transaction.atomic():  # both kinds, or neither
            approved = [
                log
                for kind, ids in chosen.items()
                if ids
                for log in logs_bulk_approve(model=MODELS[kind], ids=ids, by=request.user)
            ]
    except DomainError as exc:
        messages.error(request, f"Nothing was approved. {exc.message}")
    else:
        messages.success(request, f"Approved {len(approved)} log{pluralize(len(approved))}.")
    return redirect("review")


@throttled(TokenRateThrottle, methods=("GET", "POST"))
def review_link(request: HttpRequest, token: str) -> HttpResponse:
    """One log, decided by its supervisor from the emailed link, without signing in."""
    try:
        log, supervisor = review_link_open(token)
    except DomainError as exc:
        return render(
            request, "externships/review_link_invalid.html", {"message": exc.message}, status=403
        )
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                log_decide(log=log, by=supervisor, via=DecisionVia.LINK, **form.cleaned_data)
            except DomainError as exc:
                form.add_service_error(exc)
                status = exc.status_code
            else:
                messages.success(request, "Thank you. Your decision is recorded.")
                return redirect("review-link", token=token)
    context = {"row": LogRow(log_kind(log), log, form), "supervisor": supervisor}
    return render(request, "externships/review_link.html", context, status=status)
