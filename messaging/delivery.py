"""Delivering a logged message: the consent check and the texting window when it leaves, the
hand-off to the email or SMS backend, retries, and the flush that sends what was waiting.

`messaging.services` logs messages and queues them here through `messaging.tasks`."""

import logging
from datetime import datetime, timedelta
from email import policy
from email.message import Message as MIMEMessage
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db.models import Q
from django.utils import timezone

from backend.dates import moment
from messaging.backends import get_backend
from messaging.consent import consent_refusal
from messaging.emails import email_text
from messaging.models import Message, MessageChannel, MessageStatus, Purpose
from messaging.texting_hours import (
    WINDOW_CLOSES,
    marketing_closes,
    recipient_zone,
    window_opening,
)
from messaging.unsubscribe import unsubscribe_headers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=5)
# A queued message whose task never ran (a lost worker) is picked up by the flush after this.
STUCK_AFTER = timedelta(minutes=10)


def deliver(message: Message, *, now: datetime | None = None) -> Message:
    """Send one logged message if the rules allow it now. Safe to call twice at once: only the
    caller that moves it to `sending` sends it."""
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message.pk)
        .filter(
            Q(status__in=[MessageStatus.QUEUED, MessageStatus.WAITING])
            | Q(status=MessageStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        )
        .update(status=MessageStatus.SENDING, updated_at=now)
    )
    if not claimed:
        message.refresh_from_db()
        return message
    message.status = MessageStatus.SENDING
    return deliver_claimed(message, now)


def deliver_claimed(message: Message, now: datetime) -> Message:
    """Check the rules and send a message this caller holds in `sending`."""
    refusal = consent_refusal(message)
    if refusal:
        return _finish(message, now, status=MessageStatus.BLOCKED, reason=refusal)
    if message.channel == MessageChannel.SMS and message.purpose != Purpose.REPLY:
        zone = recipient_zone(message.recipient, message.address)
        closes = (
            marketing_closes(message.address)
            if message.purpose == Purpose.MARKETING
            else WINDOW_CLOSES
        )
        opens = window_opening(now, zone, closes)
        if opens is not None:
            with timezone.override(zone):  # the recipient's hours, in their zone
                goes = moment(opens, zone=True)
            reason = f"Outside 8 a.m.-{closes:%-I} p.m. in {zone.key}; goes at {goes}."
            return _finish(
                message, now, status=MessageStatus.WAITING, send_after=opens, reason=reason
            )

    message.attempts += 1
    try:
        provider_id = _transmit(message)
    except Exception as exc:  # any provider failure is recorded and retried, never raised
        logger.warning("message %s failed: %s", message.pk, exc)
        retry_at = now + RETRY_DELAY * message.attempts if message.attempts < MAX_ATTEMPTS else None
        reason = f"Attempt {message.attempts} of {MAX_ATTEMPTS}: {exc}"[:500]
        return _finish(
            message, now, status=MessageStatus.FAILED, reason=reason, send_after=retry_at
        )
    return _finish(
        message, now, status=MessageStatus.SENT, reason="", provider_id=provider_id, sent_at=now
    )


def _finish(message: Message, now: datetime, **changes: object) -> Message:
    changes.setdefault("send_after", None)
    for field, value in changes.items():
        setattr(message, field, value)
    message.updated_at = now
    message.save(update_fields=[*changes, "attempts", "updated_at"])
    return message


class OutgoingEmail(EmailMultiAlternatives):
    def message(self) -> MIMEMessage:
        message = super().message()
        # Django 5.2 folds a header value too long for its first line onto the next one
        # ("Subject: \n =?utf-8?q?...?="), which mail readers then take with a leading space. Long
        # encoded subjects come already split; a line may be 998 characters (RFC 5322).
        message.policy = policy.compat32.clone(max_line_length=None)
        return message


def _transmit(message: Message) -> str:
    """Hand the message to the email or SMS backend; returns the provider's id for it."""
    if message.channel == MessageChannel.EMAIL:
        message_id = make_msgid(domain=str(DNS_NAME))
        headers = {"Message-ID": message_id}
        if message.purpose == Purpose.MARKETING:  # never on transactional email
            headers |= unsubscribe_headers(message.address)
        # Text and HTML from one template; a message logged without HTML goes as text alone.
        text = email_text(message.html) if message.html else message.body
        email = OutgoingEmail(message.subject, text, None, [message.address], headers=headers)
        if message.html:
            email.attach_alternative(message.html, "text/html")
        email.send()
        return message_id
    return get_backend().send(to=message.address, body=message.body)


def flush(*, now: datetime | None = None) -> int:
    """Deliver texts whose window has opened, failures due for another try and queued messages
    whose task never ran; returns how many were sent."""
    now = now or timezone.now()
    due = (
        Message.objects.filter(
            Q(status=MessageStatus.WAITING, send_after__lte=now)
            | Q(status=MessageStatus.FAILED, attempts__lt=MAX_ATTEMPTS, send_after__lte=now)
            | Q(status=MessageStatus.QUEUED, created_at__lte=now - STUCK_AFTER)
        )
        .select_related("recipient")
        .order_by("send_after", "id")[:500]
    )
    return sum(deliver(message, now=now).status == MessageStatus.SENT for message in due)
