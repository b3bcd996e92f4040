"""Reminders the periodic jobs queue: each at most once, by email and (with consent to texts
about the application or studies) text.

Document-expiry reminders stay with externships (30 days ahead) and send through messaging."""

from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from coaching.models import CoachingSession, SessionStatus
from enrollment.models import Application, Status
from messaging import services
from messaging.models import MessageChannel

AHEAD = timedelta(hours=24)


def offers_expiring(*, now: datetime | None = None) -> int:
    """Queue the offer-expiring reminder for offers that lapse within 24 hours; returns how many
    offers were reminded now (each offer once, keyed by its deadline)."""
    now = now or timezone.now()
    due = Application.objects.filter(
        status=Status.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=now + AHEAD
    ).select_related("cohort__program", "user")
    reminded = 0
    for application in due:
        key = f"offer-expiring:{application.pk}:{int(application.offer_expires_at.timestamp())}"
        context = {
            "application": application,
            "status_url": settings.SITE_URL + reverse("status", args=[application.status_token]),
            "site_name": settings.SITE_NAME,
        }
        with timezone.override(services.recipient_zone(application.user, application.phone)):
            email = render_to_string("messaging/email/offer_expiring.txt", context)
            text = render_to_string("messaging/sms/offer_expiring.txt", context).strip()
        sent = services.queue(
            channel=MessageChannel.EMAIL,
            address=application.email,
            recipient=application.user,
            kind="offer_expiring",
            subject="Your seat offer expires within 24 hours",
            body=email,
            once_key=key,
        )
        services.queue(
            channel=MessageChannel.SMS,
            address=application.phone,
            recipient=application.user,
            kind="offer_expiring",
            body=text,
            once_key=key,
        )
        reminded += sent is not None
    return reminded


def coaching_sessions(*, now: datetime | None = None) -> int:
    """Queue a reminder for scheduled sessions starting within 24 hours; returns how many
    sessions were reminded now (each once, keyed by its start, so a moved session is reminded
    again)."""
    now = now or timezone.now()
    due = CoachingSession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + AHEAD
    ).select_related("student__user", "student__application", "coach")
    reminded = 0
    for session in due:
        user = session.student.user
        application = session.student.application
        phone = user.phone or (application.phone if application else "")
        key = f"session-reminder:{session.pk}:{int(session.starts_at.timestamp())}"
        context = {"session": session, "user": user, "site_name": settings.SITE_NAME}
        with timezone.override(services.recipient_zone(user, phone)):
            email = render_to_string("messaging/email/session_reminder.txt", context)
            text = render_to_string("messaging/sms/session_reminder.txt", context).strip()
            subject = f"Reminder: {session.get_kind_display().lower()} on {_when(session)}"
        sent = services.queue(
            channel=MessageChannel.EMAIL,
            address=user.email,
            recipient=user,
            kind="session_reminder",
            subject=subject,
            body=email,
            once_key=key,
        )
        services.queue(
            channel=MessageChannel.SMS,
            address=phone,
            recipient=user,
            kind="session_reminder",
            body=text,
            once_key=key,
        )
        reminded += sent is not None
    return reminded


def _when(session: CoachingSession) -> str:
    return dateformat.format(timezone.localtime(session.starts_at), "D M j, g:i a")
