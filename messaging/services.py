"""Every email and text the school sends goes through here: logged, checked for consent and, for
texts, held to 8 a.m.-9 p.m. in the recipient's time zone (messaging/texting_hours.py).

- A message about the person's own application or studies (Purpose.PROGRAM: offers, deadlines,
  reminders, log decisions, a coach's message) is transactional. Its email always goes to the
  address given; its text needs live consent on `updates_sms` ("Text me about my application")
  for that number.
- A marketing message (Purpose.MARKETING) needs live consent on its own channel (sms, email).
- Account email (the invitation to set a password) and email to staff and supervisors about their
  own work go without a consent check; they are logged like the rest. Any other text needs
  `updates_sms`; the only exception is the one reply to a keyword the person just texted.
- STOP, or an opt-out in the person's own words, revokes every kind of text to that number.
- Consent is checked when the message leaves, not when it is queued, so a STOP also stops what
  was waiting for the window.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from enrollment.models import Channel, ConsentRecord
from messaging.backends import get_backend
from messaging.models import InboundText, Message, MessageChannel, MessageStatus, Purpose
from messaging.opt_outs import asks_to_stop, keyword
from messaging.texting_hours import (
    WINDOW_CLOSES,
    marketing_closes,
    recipient_zone,
    window_opening,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=5)
# A queued message whose task never ran (a lost worker) is picked up by the flush after this.
STUCK_AFTER = timedelta(minutes=10)
KEYWORD_SOURCE = "sms keyword"

# Every kind of text consent a number can hold; STOP revokes them all.
TEXT_CHANNELS = (Channel.UPDATES_SMS, Channel.SMS)


# -- sending -----------------------------------------------------------------------------------


def queue(
    *,
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str = "",
    purpose: str = Purpose.PROGRAM,
    recipient: User | None = None,
    once_key: str = "",
    sender: User | None = None,
) -> Message | None:
    """Log a message now and deliver it from a background task once the caller's transaction
    commits. None when there is no address or the once_key was already used."""
    message = _log(
        channel, address, kind, body, subject, purpose, recipient, once_key, sender=sender
    )
    if message is not None:
        from messaging.tasks import deliver_message

        message_id = message.pk
        transaction.on_commit(lambda: deliver_message.enqueue(message_id))
    return message


def send(
    *,
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str = "",
    purpose: str = Purpose.PROGRAM,
    recipient: User | None = None,
    once_key: str = "",
) -> Message | None:
    """Log a message and deliver it at once: for background tasks, which already run after
    commit. Never raises for a refusal or a provider failure; the log says what happened."""
    message = _log(
        channel, address, kind, body, subject, purpose, recipient, once_key, MessageStatus.SENDING
    )
    return _deliver_claimed(message, timezone.now()) if message is not None else None


def _log(
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str,
    purpose: str,
    recipient: User | None,
    once_key: str,
    status: str = MessageStatus.QUEUED,
    sender: User | None = None,
) -> Message | None:
    address = normalized_address(channel, address)
    if not address:
        return None
    fields = {
        "channel": MessageChannel(channel),
        "address": address,
        "kind": kind,
        "body": body,
        "subject": subject[:300],
        "purpose": Purpose(purpose),
        "recipient": recipient,
        "sender": sender,
        "once_key": once_key,
        "status": status,
    }
    if not once_key:
        return Message.objects.create(**fields)
    if Message.objects.filter(once_key=once_key, channel=channel).exists():
        return None
    try:
        with transaction.atomic():
            return Message.objects.create(**fields)
    except IntegrityError:  # queued by a concurrent run a moment ago
        return None


def normalized_address(channel: str, address: object) -> str:
    text = str(address or "").strip()
    return text.lower() if channel == MessageChannel.EMAIL else text


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
    return _deliver_claimed(message, now)


def _deliver_claimed(message: Message, now: datetime) -> Message:
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
            local = opens.astimezone(zone)
            reason = (
                f"Outside 8 a.m.-{closes:%-I} p.m. in {zone.key}; "
                f"goes at {local:%Y-%m-%d %H:%M %Z}."
            )
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


def _transmit(message: Message) -> str:
    """Hand the message to the email or SMS backend; returns the provider's id for it."""
    if message.channel == MessageChannel.EMAIL:
        from email.utils import make_msgid

        message_id = make_msgid(domain=str(DNS_NAME))
        email = EmailMessage(
            message.subject,
            message.body,
            None,
            [message.address],
            headers={"Message-ID": message_id},
        )
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


# -- the rules ---------------------------------------------------------------------------------


def live_consent(*, channel: str, address: str) -> ConsentRecord | None:
    """The newest consent record for this channel and address: the live state."""
    return (
        ConsentRecord.objects.filter(channel=channel, address=address)
        .order_by("-at", "-id")
        .first()
    )


def consent_channel(message: Message) -> str:
    """The consent that this message needs (a Channel), or "" when it needs none."""
    if message.purpose == Purpose.REPLY:
        return ""
    if message.purpose == Purpose.MARKETING:
        return message.channel
    if message.channel == MessageChannel.SMS:
        return Channel.UPDATES_SMS
    return ""  # email about the person's own application, account or work


def consent_refusal(message: Message) -> str:
    """Why the message may not go to its address, or an empty string when it may."""
    channel = consent_channel(message)
    if not channel:
        return ""
    record = live_consent(channel=channel, address=message.address)
    label = Channel(channel).label.lower()
    if record is None:
        return f"No consent to {label} on record for {message.address}."
    if not record.granted:
        return f"Consent to {label} was revoked on {record.at:%Y-%m-%d %H:%M %Z}."
    return ""


# -- inbound texts -----------------------------------------------------------------------------


def receive_text(
    *,
    from_number: str,
    body: str,
    to_number: str = "",
    provider_id: str = "",
    now: datetime | None = None,
) -> InboundText:
    """Log an inbound text and act on it: STOP (or an opt-out in the person's own words)
    revokes every text consent of the number at once and is confirmed once, START restores what
    STOP revoked, HELP answers. A retried webhook changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        if provider_id:
            seen = InboundText.objects.filter(provider_id=provider_id).first()
            if seen is not None:
                return seen
        word = keyword(body) or ("stop" if asks_to_stop(body) else "")
        inbound = InboundText.objects.create(
            from_number=from_number,
            to_number=to_number,
            body=body[:1600],
            keyword=word,
            provider_id=provider_id,
            received_at=now,
        )
        reply_kind = ""
        if word == "stop" and _revoke_text_consent(from_number, text=body, now=now):
            reply_kind = "stop"
        elif word == "start":
            restored = _restore_text_consent(from_number, text=body, now=now)
            reply_kind = "start" if restored else "help"
        elif word == "help":
            reply_kind = "help"
        if reply_kind:
            context = {
                "site_name": settings.SITE_NAME,
                "contact": f"{settings.DEFAULT_FROM_EMAIL} or {settings.SITE_URL}",
            }
            inbound.reply = queue(
                channel=MessageChannel.SMS,
                address=from_number,
                kind=f"keyword_{reply_kind}",
                body=render_to_string(f"messaging/sms/{reply_kind}.txt", context).strip(),
                purpose=Purpose.REPLY,
            )
            inbound.save(update_fields=["reply"])
    return inbound


def _revoke_text_consent(number: str, *, text: str, now: datetime) -> bool:
    """Revoke every kind of text consent of the number with one new record each, unless the live
    state is already a revocation; never deletes one. Returns whether anything changed (a number
    never seen counts as a change: its revocation is kept as evidence)."""
    changed = False
    for channel in TEXT_CHANNELS:
        current = live_consent(channel=channel, address=number)
        if current is None or current.granted:
            _record_keyword(number, channel, current, granted=False, text=text, now=now)
            changed = True
    return changed


def _restore_text_consent(number: str, *, text: str, now: datetime) -> bool:
    """Grant again each kind of text consent that was given and then revoked; returns whether
    the number may now be texted at all (START from a number that never agreed grants nothing)."""
    live = False
    for channel in TEXT_CHANNELS:
        records = ConsentRecord.objects.filter(channel=channel, address=number)
        current = records.order_by("-at", "-id").first()
        if current is None:
            continue
        if not current.granted and records.filter(granted=True).exists():
            _record_keyword(number, channel, current, granted=True, text=text, now=now)
            live = True
        live = live or current.granted
    return live


def _record_keyword(
    number: str,
    channel: str,
    current: ConsentRecord | None,
    *,
    granted: bool,
    text: str,
    now: datetime,
) -> None:
    ConsentRecord.objects.create(
        application=current.application if current else None,
        channel=channel,
        address=number,
        granted=granted,
        disclosure_text=text.strip()[:1600],
        disclosure_version=KEYWORD_SOURCE,
        at=now,
        source_page=KEYWORD_SOURCE,
    )
