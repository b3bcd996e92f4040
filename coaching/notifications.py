"""Messages about coaching sessions, through messaging: about the student's own studies, so the
email always goes and the text needs consent to texts about the application or studies."""

from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from coaching.models import CoachingSession, SessionStatus
from messaging import services as messaging
from messaging.emails import render_email
from messaging.models import MessageChannel
from messaging.texting_hours import recipient_zone

SESSION_REMINDER = "session_reminder"
# A session is reminded once, this long before it starts.
REMIND_AHEAD = timedelta(hours=24)


def queue_session_reminders(*, now: datetime | None = None) -> int:
    """Queue a reminder for scheduled sessions starting within 24 hours; returns how many
    sessions were reminded now (each once, keyed by its start, so a moved session is reminded
    again)."""
    now = now or timezone.now()
    due = CoachingSession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD
    ).select_related("student__user", "student__application", "coach")
    reminded = 0
    for session in due:
        user = session.student.user
        application = session.student.application
        phone = user.phone or (application.phone if application else "")
        key = f"session-reminder:{session.pk}:{int(session.starts_at.timestamp())}"
        context = {"session": session, "user": user, "site_name": settings.SITE_NAME}
        with timezone.override(recipient_zone(user, phone)):  # times in the student's zone
            email = render_email("coaching/email/session_reminder.html", context)
            text = render_to_string("coaching/sms/session_reminder.txt", context).strip()
        sent = messaging.queue(
            channel=MessageChannel.EMAIL,
            address=user.email,
            recipient=user,
            kind=SESSION_REMINDER,
            subject=email.subject,
            body=email.text,
            html=email.html,
            once_key=key,
        )
        messaging.queue(
            channel=MessageChannel.SMS,
            address=phone,
            recipient=user,
            kind=SESSION_REMINDER,
            body=text,
            once_key=key,
        )
        reminded += sent is not None
    return reminded
