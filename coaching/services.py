"""Booking and closing 1:1 coaching sessions. A session belongs to the student's coach; a coach's
calendar never holds two scheduled sessions at the same time."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Role, User
from backend.dates import time_of_day
from backend.errors import NotAllowed, RuleViolation
from coaching.calendar import event_changed
from coaching.models import STUDENT_MESSAGE_KIND, CoachingSession, CoachNote, SessionStatus
from enrollment.models import ENROLLED_STAGES, Student, StudentStage
from messaging.consent import consent_refusal
from messaging.emails import render_email
from messaging.models import Message, MessageChannel, Purpose
from messaging.services import normalized_address, queue

# Graduates keep coaching until they are placed in a job.
COACHED_STAGES = (*ENROLLED_STAGES, StudentStage.GRADUATED)


def _check_free(coach: User, starts_at: datetime, minutes: int, exclude: int | None) -> None:
    ends_at = starts_at + timedelta(minutes=minutes)
    nearby = CoachingSession.objects.filter(
        coach=coach,
        status=SessionStatus.SCHEDULED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(hours=8),
    ).exclude(pk=exclude)
    for other in nearby:
        if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at:
            # The time ends in "a.m." or "p.m.": that period ends the sentence too.
            raise RuleViolation(
                f"{coach} already has a session at {time_of_day(other.starts_at)}",
                field="starts_at",
            )


def session_schedule(
    *,
    student: Student,
    kind: str,
    starts_at: datetime,
    duration_minutes: int = 30,
    by: User,
) -> CoachingSession:
    """Book a session with the student's coach, in the future and in a free slot."""
    if student.stage not in COACHED_STAGES:
        raise NotAllowed(f"{student} is {student.get_stage_display().lower()}; no sessions.")
    if student.coach_id is None:
        raise RuleViolation(f"{student} has no coach yet.", field="student")
    if starts_at <= timezone.now():
        raise RuleViolation("A session is booked for a time in the future.", field="starts_at")
    with transaction.atomic():
        # One coach's bookings are serialised by locking the coach's row.
        coach = User.objects.select_for_update().get(pk=student.coach_id)
        _check_free(coach, starts_at, duration_minutes, exclude=None)
        return CoachingSession.objects.create(
            student=student,
            coach=coach,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
        )


def session_update(*, session: CoachingSession, by: User, **changes: object) -> CoachingSession:
    """Move, close (held with an outcome, cancelled, no-show) or annotate a session. Only staff
    record outcomes; a student may only move or cancel their own scheduled session."""
    staff = by.has_role(Role.COACH, Role.ADMIN)
    if not staff and set(changes) - {"starts_at", "status", "duration_minutes"}:
        raise NotAllowed("Only your coach records a session's outcome.")
    if not staff and changes.get("status", SessionStatus.CANCELLED) != SessionStatus.CANCELLED:
        raise NotAllowed("You can move or cancel a session; your coach records the rest.")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=session.coach_id)
        current = CoachingSession.objects.select_for_update().get(pk=session.pk)
        if current.status != SessionStatus.SCHEDULED and not staff:
            raise NotAllowed("This session is closed.")
        before = {field: getattr(current, field) for field in changes}
        for field, value in changes.items():
            setattr(current, field, value)
        changed = {field for field in changes if getattr(current, field) != before[field]}
        closed_early = current.status in (SessionStatus.HELD, SessionStatus.NO_SHOW)
        if closed_early and current.starts_at > timezone.now():
            raise RuleViolation(
                "A session that has not started yet cannot be held or missed.", field="status"
            )
        if current.status == SessionStatus.HELD and not current.outcome.strip():
            raise RuleViolation("Say what came out of the session.", field="outcome")
        moved = "starts_at" in changes or "duration_minutes" in changes
        if moved and current.status == SessionStatus.SCHEDULED:
            if current.starts_at <= timezone.now():
                raise RuleViolation(
                    "A session is booked for a time in the future.", field="starts_at"
                )
            _check_free(current.coach, current.starts_at, current.duration_minutes, current.pk)
            current.slot = None  # it leaves the free time it was booked in (coaching/booking.py)
        event_changed(current, changed)
        current.save()
    return current


def note_add(*, student: Student, author: User, body: str) -> CoachNote:
    """A note on the student's record, visible to staff only."""
    if not body.strip():
        raise RuleViolation("Write something in the note.", field="body")
    return CoachNote.objects.create(student=student, author=author, body=body.strip())


SMS_MAX_CHARS = 640  # four text segments; longer belongs in an email
COACH_MESSAGE_SUBJECT = "A message from your coach"


def student_address(student: Student, channel: str) -> str:
    """Where a message on this channel goes: the student's email or mobile number."""
    user = student.user
    return user.email if channel == MessageChannel.EMAIL else str(user.phone or "")


def message_student(
    *, student: Student, by: User, channel: str, body: str, subject: str = ""
) -> Message:
    """A coach's own email or text to a student of their caseload, through the school's messaging
    (logged, texts held to the student's daytime). It is about the student's studies: the email
    always goes; a text is refused at once, with the reason, without consent to texts about the
    application or studies, as when the student has no address."""
    body = body.strip()
    if not body:
        raise RuleViolation("Write the message.", field="body")
    if channel == MessageChannel.SMS and len(body) > SMS_MAX_CHARS:
        raise RuleViolation(
            f"A text holds at most {SMS_MAX_CHARS} characters; send an email instead.",
            field="body",
        )
    address = normalized_address(channel, student_address(student, channel))
    if not address:
        missing = "email address" if channel == MessageChannel.EMAIL else "mobile number"
        raise RuleViolation(f"{student} has no {missing} on file.", field="channel")
    draft = Message(channel=channel, address=address)
    if refusal := consent_refusal(draft):
        raise RuleViolation(f"Not sent: {refusal}", field="channel")
    if "\n" in subject or "\r" in subject:
        raise RuleViolation("Write the subject on one line.", field="subject")
    subject = subject.strip() or COACH_MESSAGE_SUBJECT
    html = ""
    if channel == MessageChannel.EMAIL:
        context = {"topic": subject, "body": body, "sender": by}
        email = render_email("coaching/email/coach_message.html", context)
        subject, html = email.subject, email.html
    # The log keeps what they wrote; the email wraps it (messaging.emails).
    return queue(
        channel=channel,
        address=address,
        kind="coach_message",
        subject=subject,
        body=body,
        html=html,
        recipient=student.user,
        sender=by,
    )


def message_coach(*, student: Student, body: str) -> Message:
    """A student's email to their own coach through the school's messaging: logged, and shown
    on the coach's page of the student beside what the coach sent them. Mail to staff about
    their work needs no consent; its subject is the message's opening words."""
    body = body.strip()
    if not body:
        raise RuleViolation("Write the message.", field="body")
    coach = student.coach
    if coach is None:
        raise RuleViolation("You have no coach yet; the school will assign one.", field="body")
    context = {
        "topic": Truncator(" ".join(body.split())).chars(70),
        "student": student,
        "coach": coach,
        "body": body,
        "page_url": settings.SITE_URL + reverse("coach-student", args=[student.pk]),
    }
    email = render_email("coaching/email/student_message.html", context)
    return queue(
        channel=MessageChannel.EMAIL,
        address=coach.email,
        kind=STUDENT_MESSAGE_KIND,
        purpose=Purpose.WORK,
        subject=email.subject,
        body=email.text,
        html=email.html,
        recipient=coach,
        sender=student.user,
    )
