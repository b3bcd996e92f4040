"""The school's notices and reminders all go through messaging, by its rules: about the person's
own application or studies, email always goes and texts need "Text me about my application"."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail

from backend.periodic import JOBS
from coaching.models import CoachingSession, SessionStatus
from coaching.notifications import queue_session_reminders
from enrollment.applying import application_submit
from enrollment.models import Status
from enrollment.notifications import queue_offer_expiring_reminders, send_student_invitation
from enrollment.services import Actor, application_decline
from externships.tasks import remind_expiring_documents
from messaging.models import Message, MessageChannel, MessageStatus, Purpose
from messaging.services import receive_text
from tests.factories import (
    CohortFactory,
    ComplianceDocumentFactory,
    StudentFactory,
    UserFactory,
    applicant,
)
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 in New York: texts may go


@pytest.fixture(autouse=True)
def _clock_at_noon() -> Iterator[None]:
    """The whole test runs at NOON, so texts are inside the window whenever the suite runs."""
    with mock.patch("django.utils.timezone.now", return_value=NOON):
        yield


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def offered(n: int = 1, **consent: bool):
    """An applicant offered a seat on applying, with the boxes given ticked (updates_sms unless
    told otherwise)."""
    cohort = CohortFactory(capacity=5)
    application, _ = application_submit(
        cohort=cohort, **applicant(n, consent={"updates_sms": True, **consent})
    )
    assert application.status == Status.OFFERED
    return application


def sent(kind: str, channel: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind, channel=channel, status=MessageStatus.SENT))


def test_an_offer_on_applying_goes_by_email_and_by_text(on_commit, texts) -> None:
    with on_commit():
        application = offered(updates_sms=True)
    assert [m.to for m in mail.outbox] == [[application.email]]
    [text] = texts
    assert text.to == str(application.phone)
    assert "seat" in text.body
    assert f"/status/{application.status_token}/" in text.body
    assert "STOP" in text.body


def test_an_offer_from_the_waitlist_goes_by_email_and_by_text(on_commit, texts) -> None:
    cohort = CohortFactory(capacity=1)
    first, _ = application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2, consent={"updates_sms": True}))
    with on_commit():
        application_decline(application=first, actor=Actor(label="applicant"))
    assert [m.to for m in mail.outbox if "A seat" in m.subject] == [[waiting.email]]
    assert [t.to for t in texts] == [str(waiting.phone)]
    assert len(sent("offer_made", "sms")) == 1


def test_without_the_updates_box_the_offer_text_is_logged_as_blocked(on_commit, texts) -> None:
    with on_commit():
        offered(updates_sms=False, sms=True)  # marketing texts are not texts about the offer
    assert texts == []
    [blocked] = Message.objects.filter(channel=MessageChannel.SMS)
    assert blocked.status == MessageStatus.BLOCKED
    assert "texts about the application" in blocked.reason


def test_an_applicant_who_ticks_no_box_gets_the_offer_by_email(on_commit, texts) -> None:
    cohort = CohortFactory(capacity=5)
    with on_commit():
        application, _ = application_submit(cohort=cohort, **applicant(1, consent={}))
    assert application.status == Status.OFFERED
    [email] = mail.outbox
    assert email.to == [application.email]
    assert f"/status/{application.status_token}/" in email.body
    assert texts == []
    statuses = dict(Message.objects.values_list("channel", "status"))
    assert statuses == {"email": MessageStatus.SENT, "sms": MessageStatus.BLOCKED}


def test_after_stop_an_offer_from_the_waitlist_goes_by_email_only(on_commit, texts) -> None:
    cohort = CohortFactory(capacity=1)
    first, _ = application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2, consent={"updates_sms": True}))
    with on_commit():
        receive_text(from_number=str(waiting.phone), body="STOP")
    assert len(texts) == 1  # the one confirmation
    with on_commit():
        application_decline(application=first, actor=Actor(label="applicant"))
    assert [m.to for m in mail.outbox if "A seat" in m.subject] == [[waiting.email]]
    assert len(texts) == 1
    [blocked] = Message.objects.filter(kind="offer_made", channel=MessageChannel.SMS)
    assert blocked.status == MessageStatus.BLOCKED
    assert "revoked" in blocked.reason


def test_the_invitation_is_account_mail_and_needs_no_consent() -> None:
    user = UserFactory()
    send_student_invitation.enqueue(user.pk)
    [message] = Message.objects.filter(kind="invitation")
    assert (message.purpose, message.status) == (Purpose.ACCOUNT, MessageStatus.SENT)
    assert mail.outbox[0].to == [user.email]


def test_the_offer_expiring_reminder_goes_once_within_24_hours(on_commit, texts) -> None:
    application = offered()
    assert "enrollment.tasks.remind_offers_expiring" in JOBS
    assert queue_offer_expiring_reminders(now=NOON) == 0  # 48 hours left
    day_before = application.offer_expires_at - timedelta(hours=23)
    with on_commit():
        assert queue_offer_expiring_reminders(now=day_before) == 1
    with on_commit():
        assert queue_offer_expiring_reminders(now=day_before + timedelta(hours=1)) == 0
    assert len(sent("offer_expiring", "email")) == 1
    assert len(sent("offer_expiring", "sms")) == 1
    assert [t.to for t in texts if "expires" in t.body] == [str(application.phone)]


def test_a_lapsed_or_answered_offer_is_not_reminded() -> None:
    application = offered()
    assert (
        queue_offer_expiring_reminders(now=application.offer_expires_at + timedelta(minutes=1)) == 0
    )
    type(application).objects.filter(pk=application.pk).update(status=Status.ENROLLED)
    assert (
        queue_offer_expiring_reminders(now=application.offer_expires_at - timedelta(hours=1)) == 0
    )


def session_for(student, hours: float, **fields) -> CoachingSession:
    return CoachingSession.objects.create(
        student=student,
        coach=UserFactory(first_name="Robin"),
        kind="check_in",
        starts_at=NOON + timedelta(hours=hours),
        **fields,
    )


def test_a_coaching_session_is_reminded_once_the_day_before(on_commit, texts) -> None:
    student = StudentFactory(user=UserFactory(phone="+12025550177", time_zone="America/Chicago"))
    consent("updates_sms", "+12025550177")
    session = session_for(student, 20)
    session_for(student, 30)  # the day after tomorrow: later
    session_for(student, 10, status=SessionStatus.CANCELLED)
    assert "coaching.tasks.remind_coaching_sessions" in JOBS
    with on_commit():
        assert queue_session_reminders(now=NOON) == 1
        assert queue_session_reminders(now=NOON + timedelta(minutes=5)) == 0
    [email] = [m for m in mail.outbox if "Reminder" in m.subject]
    assert email.to == [student.user.email]
    # Times read in the student's zone: 12:00 UTC the next day is 7:00 a.m. CDT.
    assert "7:00 a.m. CDT" in email.body
    [text] = texts
    assert text.to == "+12025550177"
    assert "Robin" in text.body
    # Moving the session earns a new reminder for the new time.
    CoachingSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + timedelta(hours=2)
    )
    assert queue_session_reminders(now=NOON + timedelta(hours=1)) == 1


def test_document_reminders_go_through_messaging_without_duplicates(coach, on_commit) -> None:
    student = StudentFactory(coach=coach, email_consent=False)
    ComplianceDocumentFactory(student=student, expires_on=NOON.date() + timedelta(days=10))
    with on_commit():
        assert remind_expiring_documents() == 1
        assert remind_expiring_documents() == 0
    statuses = dict(
        Message.objects.filter(kind="document_expiring").values_list("address", "status")
    )
    # About the student's own studies: it goes without marketing consent; the coach's is work mail.
    assert statuses == {student.user.email: MessageStatus.SENT, coach.email: MessageStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.user.email, coach.email])
