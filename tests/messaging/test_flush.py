"""The periodic flush sends waiting texts once, and retries failures a bounded number of times."""

from datetime import UTC, datetime, timedelta

import pytest

from backend.periodic import JOBS
from messaging import delivery, services
from messaging.backends.base import SMSBackend, SMSError
from messaging.models import MessageChannel, MessageStatus
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
PHONE = "+12025550100"
NIGHT = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 22:00 in New York
MORNING = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 8:00 in New York


class RefusingBackend(SMSBackend):
    def send(self, *, to: str, body: str) -> str:
        raise SMSError("Twilio answered 503: Service unavailable")


def waiting_text():
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=NIGHT)
    assert message.status == MessageStatus.WAITING
    return message


def test_the_flush_is_a_periodic_job() -> None:
    assert "messaging.tasks.flush_messages" in JOBS


def test_a_waiting_text_goes_once_when_the_window_opens(texts) -> None:
    message = waiting_text()
    assert delivery.flush(now=MORNING - timedelta(minutes=1)) == 0
    assert delivery.flush(now=MORNING) == 1
    assert delivery.flush(now=MORNING + timedelta(minutes=1)) == 0
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == (MessageStatus.SENT, MORNING, 1)
    assert [t.body for t in texts] == ["hi"]


def test_a_stop_while_waiting_blocks_the_text(texts) -> None:
    message = waiting_text()
    consent("updates_sms", PHONE, granted=False)
    assert delivery.flush(now=MORNING) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.BLOCKED
    assert texts == []


def test_a_provider_failure_is_recorded_and_retried_a_bounded_number_of_times(settings) -> None:
    settings.SMS_BACKEND = "tests.messaging.test_flush.RefusingBackend"
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=MORNING)
    assert message.status == MessageStatus.FAILED
    assert "503" in message.reason
    later = message.send_after
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.flush(now=later)
        later += timedelta(hours=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert message.send_after is None
    assert f"Attempt {delivery.MAX_ATTEMPTS} of {delivery.MAX_ATTEMPTS}" in message.reason


def test_a_failed_text_is_sent_by_a_later_flush(settings, texts) -> None:
    settings.SMS_BACKEND = "tests.messaging.test_flush.RefusingBackend"
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=MORNING)
    assert message.status == MessageStatus.FAILED
    settings.SMS_BACKEND = "locmem"
    assert delivery.flush(now=MORNING + timedelta(minutes=1)) == 0  # not due yet
    assert delivery.flush(now=MORNING + delivery.RETRY_DELAY) == 1
    assert len(texts) == 1


def test_a_queued_message_whose_task_was_lost_is_picked_up(mailoutbox) -> None:
    consent("email", "pat@example.com")
    message = services.queue(
        channel=MessageChannel.EMAIL, address="pat@example.com", kind="t", body="b"
    )
    assert delivery.flush(now=message.created_at + timedelta(minutes=1)) == 0
    assert delivery.flush(now=message.created_at + delivery.STUCK_AFTER) == 1
    assert len(mailoutbox) == 1
