"""Consent as messaging sees it: which consent a message needs and whether its address has it.

Messaging owns these rules; the records themselves belong to the app that collects consent, and
messaging reaches them through the ConsentStore that MESSAGING_CONSENT_STORE names (as
SMS_BACKEND names the SMS backend), so that it imports no app above it."""

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string

from backend.dates import moment
from messaging.models import Message, MessageChannel, Purpose


class ConsentChannel(models.TextChoices):
    """What a consent covers: texts about the person's own application or studies, or
    marketing (news about programs and events) by text, email or phone."""

    UPDATES_SMS = "updates_sms", "Texts about the application or studies"
    SMS = "sms", "Marketing texts"
    EMAIL = "email", "Marketing email"
    PHONE = "phone", "Marketing calls"


# Every kind of text consent a number can hold; STOP revokes them all.
TEXT_CHANNELS = (ConsentChannel.UPDATES_SMS, ConsentChannel.SMS)


class Consent(Protocol):
    """One consent given or revoked, as a store keeps it."""

    @property
    def granted(self) -> bool: ...

    @property
    def at(self) -> datetime: ...


class ConsentStore(ABC):
    """Where consent is kept: every grant and revocation is a new record, none is ever changed
    or deleted, and the newest for a channel and address is the live state."""

    @abstractmethod
    def live(self, *, channel: str, address: str) -> Consent | None:
        """The newest consent for this channel and address, or None when there is none."""

    @abstractmethod
    def ever_granted(self, *, channel: str, address: str) -> bool:
        """Whether this consent was given at any time, whatever its live state."""

    @abstractmethod
    def record(
        self, *, channel: str, address: str, granted: bool, text: str, source: str, at: datetime
    ) -> None:
        """Keep a consent given or revoked outside any form (a STOP or START text): `text` is
        the person's own words, `source` where they came from."""


def consent_store() -> ConsentStore:
    path = settings.MESSAGING_CONSENT_STORE
    try:
        store_class = import_string(path)
    except ImportError:
        raise ImproperlyConfigured(
            f"MESSAGING_CONSENT_STORE={path!r}: expected a dotted path to a ConsentStore"
        ) from None
    return store_class()


def live_consent(*, channel: str, address: str) -> Consent | None:
    """The newest consent for this channel and address: the live state."""
    return consent_store().live(channel=channel, address=address)


def consent_channel(message: Message) -> str:
    """The consent that this message needs (a ConsentChannel), or "" when it needs none."""
    if message.purpose == Purpose.REPLY:
        return ""
    if message.purpose == Purpose.MARKETING:
        return message.channel
    if message.channel == MessageChannel.SMS:
        return ConsentChannel.UPDATES_SMS
    return ""  # email about the person's own application, account or work


def consent_refusal(message: Message) -> str:
    """Why the message may not go to its address, or an empty string when it may."""
    channel = consent_channel(message)
    if not channel:
        return ""
    record = live_consent(channel=channel, address=message.address)
    label = ConsentChannel(channel).label.lower()
    if record is None:
        return f"No consent to {label} on record for {message.address}."
    if not record.granted:
        return f"Consent to {label} was revoked on {moment(record.at, zone=True)}."
    return ""
