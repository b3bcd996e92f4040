"""Every email and text the school sends goes through here: logged, then delivered
(messaging/delivery.py), checked for consent (messaging/consent.py) and, for texts, held to
8 a.m.-9 p.m. in the recipient's time zone (messaging/texting_hours.py).

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

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from backend.outbox import enqueue_with_change
from messaging.consent import TEXT_CHANNELS, consent_store
from messaging.delivery import deliver_claimed
from messaging.models import InboundText, Message, MessageChannel, MessageStatus, Purpose
from messaging.opt_outs import asks_to_stop, keyword
from messaging.tasks import deliver_message

KEYWORD_SOURCE = "sms keyword"


# -- sending -----------------------------------------------------------------------------------


def queue(
    *,
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str = "",
    html: str = "",
    purpose: str = Purpose.PROGRAM,
    recipient: User | None = None,
    once_key: str = "",
    sender: User | None = None,
) -> Message | None:
    """Log a message now and deliver it from a background task once the caller's transaction
    commits. None when there is no address or the once_key was already used. An email's `html`
    comes from `messaging.emails.render_email`; its text part is read out of it."""
    message = _log(
        channel, address, kind, body, subject, html, purpose, recipient, once_key, sender=sender
    )
    if message is not None:
        enqueue_with_change(deliver_message, message.pk)
    return message


def send(
    *,
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str = "",
    html: str = "",
    purpose: str = Purpose.PROGRAM,
    recipient: User | None = None,
    once_key: str = "",
) -> Message | None:
    """Log a message and deliver it at once: for background tasks, which already run after
    commit. Never raises for a refusal or a provider failure; the log says what happened."""
    message = _log(
        channel,
        address,
        kind,
        body,
        subject,
        html,
        purpose,
        recipient,
        once_key,
        MessageStatus.SENDING,
    )
    return deliver_claimed(message, timezone.now()) if message is not None else None


def _log(
    channel: str,
    address: object,
    kind: str,
    body: str,
    subject: str,
    html: str,
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
        "html": html,
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
    store = consent_store()
    changed = False
    for channel in TEXT_CHANNELS:
        current = store.live(channel=channel, address=number)
        if current is None or current.granted:
            store.record(
                channel=channel,
                address=number,
                granted=False,
                text=text,
                source=KEYWORD_SOURCE,
                at=now,
            )
            changed = True
    return changed


def _restore_text_consent(number: str, *, text: str, now: datetime) -> bool:
    """Grant again each kind of text consent that was given and then revoked; returns whether
    the number may now be texted at all (START from a number that never agreed grants nothing)."""
    store = consent_store()
    live = False
    for channel in TEXT_CHANNELS:
        current = store.live(channel=channel, address=number)
        if current is None:
            continue
        if not current.granted and store.ever_granted(channel=channel, address=number):
            store.record(
                channel=channel,
                address=number,
                granted=True,
                text=text,
                source=KEYWORD_SOURCE,
                at=now,
            )
            live = True
        live = live or current.granted
    return live
