"""Each message needs the consent its purpose calls for, live for its address; every attempt is
logged. About the person's own application or studies (Purpose.PROGRAM): email always goes, a text
needs `updates_sms`. Marketing: consent on its own channel."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from messaging import delivery, services
from messaging.models import Message, MessageChannel, MessageStatus, Purpose
from tests.factories import UserFactory
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
EMAIL, PHONE = "pat@example.com", "+12025550100"
NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 in Washington, D.C. (area code 202)


def email(**fields: object) -> Message:
    return services.send(
        channel=MessageChannel.EMAIL, address=EMAIL, kind="t", subject="Hello", body="b", **fields
    )


def marketing_email() -> Message:
    return email(purpose=Purpose.MARKETING)


def text(purpose: str = Purpose.PROGRAM) -> Message:
    message = services.queue(
        channel=MessageChannel.SMS, address=PHONE, kind="t", body="b", purpose=purpose
    )
    return delivery.deliver(message, now=NOON)


def test_an_email_about_the_persons_own_application_goes_without_consent(mailoutbox) -> None:
    message = email()
    assert (message.purpose, message.status) == (Purpose.PROGRAM, MessageStatus.SENT)
    assert [m.to for m in mailoutbox] == [[EMAIL]]


def test_a_marketing_email_without_consent_is_blocked_and_logged(mailoutbox) -> None:
    message = marketing_email()
    assert message.status == MessageStatus.BLOCKED
    assert "No consent to marketing email" in message.reason
    assert mailoutbox == []


def test_a_marketing_email_with_consent_is_sent_and_logged(mailoutbox) -> None:
    consent("email", EMAIL)
    message = marketing_email()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.sent_at is not None
    [sent] = mailoutbox
    assert (sent.to, sent.subject) == ([EMAIL], "Hello")
    assert sent.extra_headers["Message-ID"] == message.provider_id


def test_the_newest_record_is_the_live_state(mailoutbox) -> None:
    consent("email", EMAIL, at=timezone.now() - timedelta(days=2))
    consent("email", EMAIL, granted=False, at=timezone.now() - timedelta(days=1))
    assert marketing_email().status == MessageStatus.BLOCKED
    consent("email", EMAIL)
    assert marketing_email().status == MessageStatus.SENT


def test_consent_is_per_address_and_per_channel(mailoutbox, texts) -> None:
    consent("email", "someone.else@example.com")
    consent("updates_sms", PHONE)
    assert marketing_email().status == MessageStatus.BLOCKED
    consent("email", EMAIL)
    text = services.send(channel=MessageChannel.SMS, address="+12025550199", kind="t", body="b")
    assert text.status == MessageStatus.BLOCKED
    assert texts == []


def test_email_addresses_are_compared_without_case(mailoutbox) -> None:
    consent("email", EMAIL)
    message = services.send(
        channel=MessageChannel.EMAIL, address=" Pat@Example.COM ", kind="t", body="b"
    )
    assert (message.address, message.status) == (EMAIL, MessageStatus.SENT)


def test_account_and_work_email_need_no_consent(mailoutbox) -> None:
    assert email(purpose=Purpose.ACCOUNT).status == MessageStatus.SENT
    assert email(purpose=Purpose.WORK).status == MessageStatus.SENT
    assert len(mailoutbox) == 2


def test_a_text_about_the_application_needs_the_updates_box_not_marketing_consent(texts) -> None:
    consent("sms", PHONE)
    blocked = text()
    assert blocked.status == MessageStatus.BLOCKED
    assert "No consent to texts about the application or studies" in blocked.reason
    consent("updates_sms", PHONE)
    assert text().status == MessageStatus.SENT


def test_a_marketing_text_needs_marketing_text_consent_not_the_updates_box(texts) -> None:
    consent("updates_sms", PHONE)
    blocked = text(Purpose.MARKETING)
    assert blocked.status == MessageStatus.BLOCKED
    assert "No consent to marketing texts" in blocked.reason
    consent("sms", PHONE)
    assert text(Purpose.MARKETING).status == MessageStatus.SENT


def test_a_text_always_needs_consent_whatever_its_purpose(texts) -> None:
    for purpose in (Purpose.PROGRAM, Purpose.ACCOUNT, Purpose.WORK):
        text = services.send(
            channel=MessageChannel.SMS, address=PHONE, kind="t", body="b", purpose=purpose
        )
        assert text.status == MessageStatus.BLOCKED
    assert texts == []


def test_consent_is_checked_when_the_message_leaves_not_when_it_is_queued(mailoutbox) -> None:
    consent("email", EMAIL)
    message = services.queue(
        channel=MessageChannel.EMAIL, address=EMAIL, kind="t", body="b", purpose=Purpose.MARKETING
    )
    consent("email", EMAIL, granted=False)
    assert delivery.deliver(message).status == MessageStatus.BLOCKED
    assert mailoutbox == []


def test_a_message_is_sent_once_however_often_it_is_delivered(mailoutbox) -> None:
    consent("email", EMAIL)
    message = services.queue(channel=MessageChannel.EMAIL, address=EMAIL, kind="t", body="b")
    delivery.deliver(message)
    delivery.deliver(Message.objects.get(pk=message.pk))
    assert len(mailoutbox) == 1


def test_a_message_without_an_address_is_not_logged() -> None:
    assert services.send(channel=MessageChannel.SMS, address="", kind="t", body="b") is None
    assert not Message.objects.exists()


def test_the_recipient_user_is_kept_on_the_log(mailoutbox) -> None:
    user = UserFactory(email=EMAIL)
    consent("email", EMAIL)
    assert email(recipient=user).recipient == user
