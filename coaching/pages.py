"""What the coach's pages share: who may open them, one student's page with a section per kind
of work, and the way back to a section after a form, with the message in view there."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from backend.errors import DomainError
from careers.models import Employer, ExamResult
from careers.selectors import exam_attempts, exam_readiness, job_applications, job_placements
from coaching.forms import (
    ExamBookingForm,
    ExamResultForm,
    JobApplicationForm,
    JobApplicationUpdateForm,
    MessageForm,
    NoteForm,
    PlacementForm,
    SessionCloseForm,
    SessionForm,
)
from coaching.models import CoachingSession, CoachNote, SessionStatus
from coaching.selectors import FlagCode, risk_flags, student_messages
from coaching.services import student_address
from enrollment.models import Student, StudentEvent
from externships.models import log_in_words, log_kind
from externships.selectors import active_externship, progress_for, student_logs, visible_students
from externships.views import LogRow

F = TypeVar("F", bound=forms.Form)

# The sections of the student's page a form returns to (its id, and its messages' tag).
SECTIONS = ("exam", "jobs", "placements", "sessions", "notes", "message")

# Where each flag is acted on: the sections' ids and the links' words.
FLAG_ACTIONS = {
    FlagCode.BEHIND_PACE: [("sessions", "Schedule a session")],
    FlagCode.NO_CONTACT: [("notes", "Add a note"), ("sessions", "Sessions")],
    FlagCode.DEADLINE_SOON: [("exam", "The exam"), ("jobs", "Job offers")],
    FlagCode.FAILED_EXAM: [("exam", "Book the retake")],
    FlagCode.DOCUMENT_EXPIRING: [("message", "Message the student about it")],
}


def staff(request: HttpRequest) -> User:
    """The signed-in coach or admin; anyone else is refused (403)."""
    if not request.user.has_role(Role.COACH, Role.ADMIN):
        raise PermissionDenied
    return request.user


def caseload_student(request: HttpRequest, pk: int) -> Student:
    """A student of the coach's caseload (any student for admins); anyone else's is a 404."""
    return get_object_or_404(visible_students(staff(request)), pk=pk)


def bound(form_class: type[F], key: str, request: HttpRequest) -> F:
    """The posted form, with the same ids as on the page (`key` names it there)."""
    return form_class(request.POST, auto_id=f"{key}-%s")


def refuse(form: forms.Form, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal beside the field it names (`fields` maps the service's names to
    the form's), else at the top of the form."""
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def done(request: HttpRequest, student: Student, section: str, text: str) -> HttpResponse:
    """Back to the section acted in, where the message shows."""
    messages.success(request, text, extra_tags=section)
    return redirect(reverse("coach-student", args=[student.pk]) + f"#{section}")


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
                f"{log_in_words(log)} ({log.get_status_display().lower()})",
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


def _message_hint(student: Student) -> str:
    email = student_address(student, "email") or "no address"
    sms = student_address(student, "sms") or "no mobile number"
    return (
        f"Email to {email}; texts to {sms}. Emails always go; texts only while the student "
        "agrees to texts about their studies, and they wait for 8 a.m.-9 p.m. in their time zone."
    )


def render_student(
    request: HttpRequest,
    student: Student,
    *,
    status: int = 200,
    posted: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The student's page; `posted` holds a form that was refused, by its key, shown with its
    errors in place of the blank one."""
    posted = posted or {}

    def form(key: str, form_class: type[F], **initial: object) -> F:
        return posted.get(key) or form_class(auto_id=f"{key}-%s", initial=initial or None)

    user = request.user
    now = timezone.now()
    flags = risk_flags(Student.objects.filter(pk=student.pk))[student.pk]
    attempts = list(exam_attempts(user).filter(student=student).order_by("attempt_number"))
    scheduled = next((a for a in attempts if a.result == ExamResult.SCHEDULED), None)
    today = timezone.localdate()
    passed = any(a.result == ExamResult.PASSED for a in attempts)
    sessions = CoachingSession.objects.filter(student=student).order_by("-starts_at")
    readiness = None if scheduled or passed else exam_readiness(student)
    exam_form = form("exam", ExamBookingForm)
    if readiness and readiness.ready and not exam_form.is_bound:
        del exam_form.fields["override_reason"]  # nothing to override
    notices = list(messages.get_messages(request))
    context = {
        "student": student,
        "flags": [(flag, FLAG_ACTIONS.get(flag.code, [])) for flag in flags],
        "progress": progress_for([student])[student.pk],
        "externship": active_externship(student),
        "attempts": attempts,
        "scheduled": scheduled,
        # A result is recorded from the exam's day on.
        "sat": scheduled is not None and scheduled.sat_on <= today,
        "passed": passed,
        "readiness": readiness,
        "exam_form": exam_form,
        "result_form": form("result", ExamResultForm),
        "applications": [
            (
                application,
                form(
                    f"job-{application.pk}",
                    JobApplicationUpdateForm,
                    status=application.status,
                    respond_by=application.respond_by,
                ),
            )
            for application in job_applications(user).filter(student=student)
        ],
        "job_form": form("job", JobApplicationForm, applied_on=today),
        "placements": [
            (placement, f"${placement.hourly_wage_cents / 100:,.2f}")
            for placement in job_placements(user).filter(student=student)
        ],
        "placement_form": form("placement", PlacementForm),
        "employers": Employer.objects.order_by("name").values_list("name", flat=True),
        # A session that has started and is still open can be marked held or missed.
        "sessions": [
            (
                session,
                form(f"close-{session.pk}", SessionCloseForm)
                if f"close-{session.pk}" in posted
                or (session.status == SessionStatus.SCHEDULED and session.starts_at <= now)
                else None,
            )
            for session in sessions
        ],
        "timeline": _timeline(student),
        "rows": [LogRow(log_kind(log), log) for log in student_logs(student)],
        "note_form": form("note", NoteForm),
        "session_form": form("session", SessionForm),
        "message_form": form("message", MessageForm),
        "message_hint": _message_hint(student),
        # A section's own messages show in that section; the rest at the top of the page.
        "messages": [m for m in notices if m.extra_tags not in SECTIONS],
        "notices": {s: [m for m in notices if m.extra_tags == s] for s in SECTIONS},
    }
    return render(request, "coaching/student.html", context, status=status)
