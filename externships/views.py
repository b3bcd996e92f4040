"""The externship pages: a student's progress and logs, the supervisor's review (signed in or by
emailed link)."""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

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
    log_in_words,
    log_kind,
)
from externships.review_links import review_all_open, review_link_open
from externships.rules import Line
from externships.selectors import (
    Progress,
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
    action: str = ""  # where the row's form posts, on a review page

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


def _own_student(request: HttpRequest) -> Student:
    return get_object_or_404(visible_students(request.user), user=request.user)


def _require_role(user: User, *roles: str) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


# -- the student's page -------------------------------------------------------------------------

# Where each log form sits on the student's page; the page returns there after the form.
FORM_ANCHORS = {"hour": "log-hours", "procedure": "log-procedures"}


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
        "hour_form": forms.hour or HourLogForm(student=student),
        "procedure_form": forms.procedure or ProcedureLogForm(student=student),
        "rows": rows,
    }


def _render_me(
    request: HttpRequest, student: Student, forms: Forms, status: int = 200
) -> HttpResponse:
    """Progress, the log forms and the logs alone, with the posted form's errors beside its
    fields. A log that went in returns to the student's home instead (`me`, in students/)."""
    return render(request, "externships/me.html", me_context(student, forms), status=status)


def _back_to(anchor: str) -> HttpResponse:
    return redirect(f"{reverse('me')}#{anchor}")


def _log_posted(request: HttpRequest, kind: str) -> HttpResponse:
    student = _own_student(request)
    externship = active_externship(student)
    if kind == "hour":
        form_class, service = HourLogForm, hour_log_create
    else:
        form_class, service = ProcedureLogForm, procedure_log_create
    form = form_class(request.POST, student=student)
    if externship is None:
        form.add_error(None, "Logs need an active externship.")
    elif form.is_valid():
        try:
            log = service(student=student, externship=externship, **form.cleaned_data)
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            then = (
                "Your supervisor has been emailed about it."
                if form.cleaned_data["urgent"]
                else "It waits for your supervisor's sign-off."
            )
            messages.success(
                request, f"Logged {log_in_words(log)}. {then}", extra_tags=FORM_ANCHORS[kind]
            )
            return _back_to(FORM_ANCHORS[kind])
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
    row = f"log-{form.prefix}"
    if form.is_valid():
        try:
            log_resubmit(log=log, student=student, notes=form.cleaned_data["notes"])
        except DomainError as exc:
            # The answer box shows only while the log waits for information; say it at its row.
            messages.error(request, exc.message, extra_tags=row)
            return _render_me(request, student, Forms(), status=exc.status_code)
        else:
            messages.success(
                request, "Thank you. The log went back to your supervisor.", extra_tags=row
            )
            return _back_to(row)
    return _render_me(request, student, Forms(rows={form.prefix: form}), status=400)


# -- the supervisor's review ---------------------------------------------------------------------


@dataclass
class StudentGroup:
    """One student's logs waiting for the reviewer, with their approved totals so far."""

    student: Student
    progress: Progress
    rows: list[LogRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"student-{self.student.pk}"

    @property
    def totals(self) -> list[Line]:
        """The headline line of each requirement: approved hours, procedures, cases..."""
        return [r.lines[0] for r in self.progress.requirements if r.lines]

    @property
    def selected(self) -> dict[str, list[int]]:
        """The group's log ids by kind: what "Approve all" sends."""
        ids: dict[str, list[int]] = {kind: [] for kind in MODELS}
        for row in self.rows:
            ids[row.kind].append(row.log.pk)
        return ids


@dataclass
class Desk:
    """Where a reviewer decides: signed in at /review/, or through the daily summary's signed
    link; the same page, its forms posting to the desk's own addresses."""

    decider: User
    via: str
    token: str = ""

    def url(self, name: str, *args: object) -> str:
        """The address of the page, a row's decision or the bulk approval at this desk."""
        if self.token:
            return reverse(LINK_URLS[name], args=[self.token, *args])
        return reverse(SIGNED_IN_URLS[name], args=args)


SIGNED_IN_URLS = {"page": "review", "decide": "review-decide", "bulk": "review-bulk-approve"}
LINK_URLS = {"page": "review-all-link", "decide": "review-all-decide", "bulk": "review-all-approve"}


def _placed(request: HttpRequest) -> set[str]:
    """The anchors this response's messages belong beside (their extra tags)."""
    return {m.extra_tags for m in messages.get_messages(request) if m.extra_tags}


def _review_groups(request: HttpRequest, desk: Desk, forms: Forms) -> list[StudentGroup]:
    """The pending logs the desk's reviewer decides (`decidable_logs`), by student, names in
    order; a student whose last logs were just decided keeps their group, to show the total."""
    rows = [
        LogRow(kind, log)
        for kind, model in MODELS.items()
        for log in decidable_logs(desk.decider, model)
        .filter(status=LogStatus.PENDING)
        .select_related("externship__site")
    ]
    ids = {row.log.externship.student_id for row in rows}
    placed = _placed(request)
    kept = {int(a.removeprefix("student-")) for a in placed if re.fullmatch(r"student-\d+", a)}
    if kept - ids:
        ids |= {
            pk
            for model in MODELS.values()
            for pk in decidable_logs(desk.decider, model)
            .filter(externship__student_id__in=kept - ids)
            .values_list("externship__student_id", flat=True)
        }
    students = Student.objects.select_related("user", "requirement_set", "cohort__program")
    progress = progress_for(students.filter(pk__in=ids))
    groups = {pk: StudentGroup(p.student, p) for pk, p in progress.items()}
    for row in sorted(rows, key=lambda r: (r.log.date, r.log.submitted_at)):
        row.form = forms.rows.get(row.prefix) or DecisionForm(prefix=row.prefix)
        row.action = desk.url("decide", row.kind, row.log.pk)
        groups[row.log.externship.student_id].rows.append(row)
    return sorted(groups.values(), key=lambda g: (str(g.student).lower(), g.student.pk))


def _render_review(
    request: HttpRequest, desk: Desk, forms: Forms, status: int = 200
) -> HttpResponse:
    groups = _review_groups(request, desk, forms)
    context = {
        "groups": groups,
        "waiting": sum(len(group.rows) for group in groups),
        "desk": desk,
        "bulk_action": desk.url("bulk"),
    }
    return render(request, "externships/review.html", context, status=status)


def _decide(request: HttpRequest, desk: Desk, kind: str, pk: int) -> HttpResponse:
    """One decision from a row of the review page; back to the student's group."""
    log = get_object_or_404(
        decidable_logs(desk.decider, MODELS[kind]).select_related("externship__student__user"),
        pk=pk,
    )
    group = f"student-{log.externship.student_id}"
    form = DecisionForm(request.POST, prefix=f"{kind}-{pk}")
    status = 400
    if form.is_valid():
        try:
            log = log_decide(log=log, by=desk.decider, via=desk.via, **form.cleaned_data)
        except DomainError as exc:
            status = exc.status_code
            if exc.field in form.fields:
                form.add_service_error(exc)
            else:  # e.g. already decided: the log has left the list, so say it by its student
                messages.error(request, exc.message, extra_tags=group)
        else:
            decided = log.get_status_display().lower()
            messages.success(request, f"{log_in_words(log)}: {decided}.", extra_tags=group)
            return redirect(f"{desk.url('page')}#{group}")
    return _render_review(request, desk, Forms(rows={form.prefix: form}), status=status)


def _bulk_approve(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Approve the chosen logs (checked, or a whole student's), all or none; back to the first
    student's group, each student's group saying what was approved."""
    chosen = {
        # Only logs this reviewer decides: others' ids are never looked up, so none can be probed.
        kind: list(
            decidable_logs(desk.decider, model)
            .filter(
                pk__in=[pk for pk in request.POST.getlist(kind) if pk.isdigit() and len(pk) < 19]
            )
            .values_list("pk", flat=True)
        )
        for kind, model in MODELS.items()
    }
    page = desk.url("page")
    if not any(chosen.values()):
        messages.error(request, "Select the logs to approve first.")
        return redirect(page)
    try:
        with transaction.atomic():  # both kinds, or neither
            approved = [
                log
                for kind, ids in chosen.items()
                if ids
                for log in logs_bulk_approve(
                    model=MODELS[kind], ids=ids, by=desk.decider, via=desk.via
                )
            ]
    except DomainError as exc:
        messages.error(request, f"Nothing was approved. {exc.message}")
        return redirect(page)
    by_student: dict[int, list] = {}
    for log in approved:
        by_student.setdefault(log.externship.student_id, []).append(log)
    for student_id, logs in by_student.items():
        student = logs[0].externship.student
        messages.success(
            request,
            f"Approved {len(logs)} log{pluralize(len(logs))} of {student}.",
            extra_tags=f"student-{student_id}",
        )
    first = min(by_student, key=lambda pk: (str(by_student[pk][0].externship.student).lower(), pk))
    return redirect(f"{page}#student-{first}")


def _signed_in_desk(request: HttpRequest) -> Desk:
    _require_role(request.user, *REVIEWERS)
    return Desk(request.user, DecisionVia.LOGIN)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    return _render_review(request, _signed_in_desk(request), Forms())


@login_required
@require_POST
def review_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _decide(request, _signed_in_desk(request), kind, pk)


@login_required
@require_POST
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    return _bulk_approve(request, _signed_in_desk(request))


def _link_desk(request: HttpRequest, token: str) -> Desk | HttpResponse:
    """The desk of the supervisor a daily summary's link names, or the page saying why not."""
    try:
        supervisor = review_all_open(token)
    except DomainError as exc:
        return render(
            request, "externships/review_link_invalid.html", {"message": exc.message}, status=403
        )
    return Desk(supervisor, DecisionVia.LINK, token)


@throttled(TokenRateThrottle, methods=("GET", "POST"))
@require_GET
def review_all_link(request: HttpRequest, token: str) -> HttpResponse:
    """Every log waiting for a supervisor, from their daily summary's link, without signing in."""
    desk = _link_desk(request, token)
    return desk if isinstance(desk, HttpResponse) else _render_review(request, desk, Forms())


@throttled(TokenRateThrottle, methods=("GET", "POST"))
@require_POST
def review_all_decide(request: HttpRequest, token: str, kind: str, pk: int) -> HttpResponse:
    desk = _link_desk(request, token)
    return desk if isinstance(desk, HttpResponse) else _decide(request, desk, kind, pk)


@throttled(TokenRateThrottle, methods=("GET", "POST"))
@require_POST
def review_all_bulk_approve(request: HttpRequest, token: str) -> HttpResponse:
    desk = _link_desk(request, token)
    return desk if isinstance(desk, HttpResponse) else _bulk_approve(request, desk)


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
