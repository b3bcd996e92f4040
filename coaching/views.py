"""The coach's pages: the day (caseload, flagged students first) and one student's record with
its timeline, notes and sessions; and the calendar files."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from backend.errors import DomainError
from coaching.calendar import feed_coach, feed_token, to_ics
from coaching.forms import CaseloadFilterForm, MessageForm, NoteForm, SessionForm
from coaching.models import CoachingSession, CoachNote
from coaching.selectors import caseload, risk_flags, student_messages
from coaching.services import message_student, note_add, session_schedule, student_address
from enrollment.models import Student, StudentEvent
from externships.models import log_kind
from externships.selectors import (
    active_externship,
    progress_for,
    student_logs,
    visible_students,
)
from externships.views import LogRow


def _staff(request: HttpRequest) -> User:
    if not request.user.has_role(Role.COACH, Role.ADMIN):
        raise PermissionDenied
    return request.user


@login_required
def coach(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    students = visible_students(user)
    cohorts = sorted({(s.cohort_id, str(s.cohort)) for s in students}, key=lambda c: c[1])
    form = CaseloadFilterForm(request.GET or None, cohorts=cohorts)
    if form.is_valid():
        if form.cleaned_data["cohort"]:
            students = students.filter(cohort_id=form.cleaned_data["cohort"])
        if form.cleaned_data["stage"]:
            students = students.filter(stage=form.cleaned_data["stage"])
    rows = caseload(students)
    wanted = form.cleaned_data.get("flag") if form.is_valid() else ""
    if wanted:
        rows = [row for row in rows if any(flag.code == wanted for flag in row.flags)]
    progress = progress_for([row.student for row in rows])
    context = {
        "rows": [(row, progress[row.student.pk]) for row in rows],
        "form": form,
        "feed_url": request.build_absolute_uri(reverse("coach-feed", args=[feed_token(user)])),
    }
    return render(request, "coaching/coach.html", context)


@dataclass
class Moment:
    at: datetime
    what: str
    text: str


def _timeline(student: Student) -> list[Moment]:
    """Stage changes, logs, sessions and notes, newest first."""
    moments = [
        Moment(e.at, "Stage", f"{e.from_stage or 'new'} → {e.to_stage}. {e.reason}")
        for e in StudentEvent.objects.filter(student=student)
    ]
    for log in student_logs(student):
        moments.append(
            Moment(
                log.submitted_at,
                f"{log_kind(log).capitalize()} log",
                f"{log} ({log.get_status_display().lower()})",
            )
        )
    for session in CoachingSession.objects.filter(student=student).select_related("coach"):
        outcome = f" Outcome: {session.outcome}" if session.outcome else ""
        moments.append(
            Moment(
                session.starts_at,
                "Session",
                f"{session.get_kind_display()} ({session.get_status_display().lower()}).{outcome}",
            )
        )
    for note in CoachNote.objects.filter(student=student).select_related("author"):
        moments.append(Moment(note.created_at, "Note", f"{note.author}: {note.body}"))
    for message in student_messages(student):
        sender = f" from {message.sender}" if message.sender else ""
        # Automatic messages carry the student's own links: shown by subject or kind only.
        about = message.subject or (message.body[:80] if message.sender_id else message.kind)
        moments.append(
            Moment(
                message.created_at,
                message.get_channel_display(),
                f"{about}{sender} ({message.get_status_display().lower()})",
            )
        )
    return sorted(moments, key=lambda m: m.at, reverse=True)


def _render_student(
    request: HttpRequest,
    student: Student,
    note_form: NoteForm | None = None,
    session_form: SessionForm | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "student": student,
        "flags": risk_flags(Student.objects.filter(pk=student.pk))[student.pk],
        "progress": progress_for([student])[student.pk],
        "externship": active_externship(student),
        "sessions": CoachingSession.objects.filter(student=student).order_by("-starts_at"),
        "timeline": _timeline(student),
        "rows": [LogRow(log_kind(log), log) for log in student_logs(student)],
        "note_form": note_form or NoteForm(),
        "session_form": session_form or SessionForm(),
        "message_form": message_form or MessageForm(),
        "addresses": {c: student_address(student, c) for c in ("email", "sms")},
    }
    return render(request, "coaching/student.html", context, status=status)


def _caseload_student(request: HttpRequest, pk: int) -> Student:
    return get_object_or_404(visible_students(_staff(request)), pk=pk)


@login_required
def coach_student(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_student(request, _caseload_student(request, pk))


@login_required
@require_POST
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _caseload_student(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_student(request, student, note_form=form, status=400)
    note_add(student=student, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, "Note added.")
    return redirect("coach-student", pk=student.pk)


@login_required
@require_POST
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _caseload_student(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session = session_schedule(student=student, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("starts_at" if exc.field == "starts_at" else None, exc.message)
        else:
            when = timezone.localtime(session.starts_at)
            messages.success(request, f"Session booked for {when:%a %b %-d, %H:%M}.")
            return redirect("coach-student", pk=student.pk)
    return _render_student(request, student, session_form=form, status=400)


@login_required
@require_POST
def message_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = _caseload_student(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = message_student(student=student, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{message.get_channel_display()} queued for {student}.")
            return redirect("coach-student", pk=student.pk)
    return _render_student(request, student, message_form=form, status=400)


def _ics(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One session as an .ics file: for its student, their coach and admins."""
    students = visible_students(request.user).values("pk")
    session = get_object_or_404(
        CoachingSession.objects.select_related("student__user"), pk=pk, student__in=students
    )
    return _ics(to_ics([session], "Coaching session"), f"coaching-session-{session.pk}.ics")


def coach_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A coach's sessions as a subscribable calendar; the signed address is the credential."""
    coach = feed_coach(token)
    if coach is None:
        raise Http404
    sessions = CoachingSession.objects.filter(coach=coach).select_related("student__user")
    return _ics(to_ics(list(sessions), f"Coaching · {coach}"), "coaching.ics")
