"""Messaging reads and keeps consent through the ConsentStore that MESSAGING_CONSENT_STORE names
(enrollment's ConsentRecords by default), so it works with any store and imports no app above it."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from enrollment.consent import ConsentRecordStore
from enrollment.models import ConsentRecord
from messaging import delivery, services
from messaging.consent import ConsentStore, consent_store
from messaging.models import MessageChannel, MessageStatus

pytestmark = pytest.mark.django_db
PHONE = "+12025550100"
NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 in Washington, D.C. (area code 202)


@dataclass
class Kept:
    channel: str
    address: str
    granted: bool
    at: datetime


class ListStore(ConsentStore):
    """A store in a list: what a school without enrollment's records could plug in."""

    kept: list[Kept] = []

    def live(self, *, channel: str, address: str) -> Kept | None:
        mine = [k for k in self.kept if (k.channel, k.address) == (channel, address)]
        return mine[-1] if mine else None

    def ever_granted(self, *, channel: str, address: str) -> bool:
        return any(k.granted for k in self.kept if (k.channel, k.address) == (channel, address))

    def record(
        self, *, channel: str, address: str, granted: bool, text: str, source: str, at: datetime
    ) -> None:
        self.kept.append(Kept(channel, address, granted, at))


@pytest.fixture
def list_store(settings) -> list[Kept]:
    settings.MESSAGING_CONSENT_STORE = f"{__name__}.ListStore"
    ListStore.kept = [Kept("updates_sms", PHONE, True, NOON)]
    return ListStore.kept


def test_the_default_store_is_enrollments_consent_records() -> None:
    assert isinstance(consent_store(), ConsentRecordStore)


def test_it_refuses_a_store_that_does_not_exist(settings) -> None:
    settings.MESSAGING_CONSENT_STORE = "nowhere.Store"
    with pytest.raises(ImproperlyConfigured, match="MESSAGING_CONSENT_STORE"):
        consent_store()


def text(address: str):
    message = services.queue(channel=MessageChannel.SMS, address=address, kind="t", body="b")
    return delivery.deliver(message, now=NOON)


def test_a_text_goes_on_the_consent_the_configured_store_holds(list_store, texts) -> None:
    assert text(PHONE).status == MessageStatus.SENT
    assert text("+12025550101").status == MessageStatus.BLOCKED
    assert [t.to for t in texts] == [PHONE]
    assert not ConsentRecord.objects.exists()


def test_stop_and_start_are_kept_by_the_configured_store(list_store) -> None:
    services.receive_text(from_number=PHONE, body="STOP", now=NOON)
    assert [(k.channel, k.granted) for k in list_store[1:]] == [
        ("updates_sms", False),
        ("sms", False),
    ]
    services.receive_text(from_number=PHONE, body="START", now=NOON)
    assert [(k.channel, k.granted) for k in list_store[3:]] == [("updates_sms", True)]
    assert not ConsentRecord.objects.exists()
