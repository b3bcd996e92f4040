"""A coach emails or texts a student of their caseload from the student's page or the API.

The cast: `coach` coaches `learner` (an email address and a mobile number; a coach's message is
about the student's studies, so email always goes and texts once `consent("updates_sms")` is
recorded); `other_coach` coaches nobody here and must not reach the
learner (404); the `student` user may not message through the staff API (403)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from messaging.models import Message, MessageStatus
from tests.conftest import with_role
from tests.factories import StudentFactory
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db


def daytime_zone() -> str:
    """A time zone where it is now between 9 a.m. and 7 p.m., so a text leaves at once."""
    for name in ("America/New_York", "Asia/Tokyo", "Europe/London", "Pacific/Honolulu"):
        if 9 <= datetime.now(ZoneInfo(name)).hour < 19:
            return name
    return "Asia/Kolkata"


@pytest.fixture
def learner(coach):
    return StudentFactory(
        coach=coach,
        user__email="lee@example.test",
        user__phone="+12025550123",
        user__time_zone=daytime_zone(),
    )


@pytest.fixture
def other_coach(db):
    return with_role("coach", email="other.coach@school.test")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Runs what a request queued once it commits: the delivery task."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_coach_emails_a_student_from_their_page(coach, learner, delivered) -> None:
    with delivered():
        response = signed_in(coach).post(
            f"/coach/students/{learner.pk}/messages/",
            {"channel": "email", "subject": "Your externship", "body": "Call me about Monday."},
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["lee@example.test"]
    assert email.subject == "Your externship"
    assert "Call me about Monday." in email.body
    message = Message.objects.get(kind="coach_message")
    assert (message.sender, message.recipient, message.status) == (
        coach,
        learner.user,
        MessageStatus.SENT,
    )
    page = signed_in(coach).get(f"/coach/students/{learner.pk}/").content.decode()
    assert "Your externship from" in page  # on the timeline, with who sent it


def test_a_text_goes_out_with_consent_in_the_students_daytime(
    coach, learner, texts, delivered
) -> None:
    consent("updates_sms", "+12025550123")
    with delivered():
        response = api(coach).post(
            f"/api/v1/students/{learner.pk}/messages/", {"channel": "sms", "body": "See you at 3."}
        )
    assert response.status_code == 201
    assert response.json()["status"] == "queued"  # the task sends it once the request commits
    assert Message.objects.get(pk=response.json()["id"]).status == MessageStatus.SENT
    assert [(t.to, t.body) for t in texts] == [("+12025550123", "See you at 3.")]


def test_a_coachs_email_reaches_a_student_who_never_agreed_to_marketing_email(
    coach, delivered
) -> None:
    learner = StudentFactory(coach=coach, email_consent=False)
    with delivered():
        response = api(coach).post(
            f"/api/v1/students/{learner.pk}/messages/", {"channel": "email", "body": "Monday?"}
        )
    assert response.status_code == 201
    assert [m.to for m in mail.outbox] == [[learner.user.email]]


def test_marketing_text_consent_alone_does_not_let_a_coach_text(coach, learner, texts) -> None:
    consent("sms", "+12025550123")
    response = api(coach).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "sms", "body": "Hello"}
    )
    assert response.status_code == 400
    assert texts == []


def test_a_text_without_consent_is_refused_before_it_is_queued(coach, learner, texts) -> None:
    response = api(coach).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "sms", "body": "Hello"}
    )
    assert response.status_code == 400
    assert "No consent to texts about the application or studies" in response.json()["channel"][0]
    assert not Message.objects.exists()
    assert texts == []


def test_a_revoked_number_gets_no_text_from_the_coach(coach, learner, texts) -> None:
    consent("updates_sms", "+12025550123")
    consent("updates_sms", "+12025550123", granted=False)
    response = signed_in(coach).post(
        f"/coach/students/{learner.pk}/messages/", {"channel": "sms", "body": "Hello"}
    )
    assert response.status_code == 400
    assert "was revoked" in response.content.decode()
    assert texts == []


def test_a_student_without_a_mobile_number_cannot_be_texted(coach, texts) -> None:
    learner = StudentFactory(coach=coach, user__phone="")
    response = api(coach).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "sms", "body": "Hello"}
    )
    assert response.status_code == 400
    assert "no mobile number" in response.json()["channel"][0]


def test_a_long_text_is_refused_with_a_hint_to_email(coach, learner) -> None:
    consent("updates_sms", "+12025550123")
    response = api(coach).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "sms", "body": "x" * 641}
    )
    assert response.status_code == 400
    assert "send an email instead" in response.json()["body"][0]
    assert not Message.objects.exists()


def test_another_coach_can_neither_see_nor_message_the_student(other_coach, learner) -> None:
    page = signed_in(other_coach).post(
        f"/coach/students/{learner.pk}/messages/", {"channel": "email", "body": "Hi"}
    )
    listed = api(other_coach).get(f"/api/v1/students/{learner.pk}/messages/")
    sent = api(other_coach).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "email", "body": "Hi"}
    )
    assert (page.status_code, listed.status_code, sent.status_code) == (404, 404, 404)
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_a_student_cannot_use_the_staff_messaging(student, learner) -> None:
    response = api(student).post(
        f"/api/v1/students/{learner.pk}/messages/", {"channel": "email", "body": "Hi"}
    )
    assert response.status_code == 403


def test_the_message_list_shows_every_message_to_the_student_newest_first(
    coach, admin_user, learner, delivered
) -> None:
    url = f"/api/v1/students/{learner.pk}/messages/"
    with delivered():
        api(coach).post(url, {"channel": "email", "body": "1"})
    with delivered():
        api(admin_user).post(url, {"channel": "email", "subject": "From the office", "body": "2"})
    results = api(coach).get(url).json()["results"]
    assert [(m["body"], m["sender"], m["status"]) for m in results] == [
        ("2", "director@school.test", "sent"),
        ("1", "coach@school.test", "sent"),
    ]
    assert results[1]["subject"] == "A message from your coach"


def test_the_school_s_own_messages_show_without_their_links_and_account_mail_not_at_all(
    coach, learner
) -> None:
    # The set-password link and the applicant's status link belong to the student alone.
    Message.objects.create(
        channel="email",
        address=learner.user.email,
        recipient=learner.user,
        kind="student_invitation",
        purpose="account",
        body="Set your password: https://school.test/reset/abc/def/",
    )
    Message.objects.create(
        channel="email",
        address=learner.user.email,
        kind="offer_made",
        subject="A seat is yours",
        body="Accept at https://school.test/status/secret-token/",
    )
    Message.objects.create(  # someone else's offer that a shared address would have matched
        channel="email",
        address=learner.user.email,
        recipient=with_role("student", email="sibling@example.test"),
        kind="offer_made",
        body="Accept at https://school.test/status/sibling-token/",
    )
    results = api(coach).get(f"/api/v1/students/{learner.pk}/messages/").json()["results"]
    assert [(m["kind"], m["subject"], m["body"]) for m in results] == [
        ("offer_made", "A seat is yours", None)
    ]
    page = signed_in(coach).get(f"/coach/students/{learner.pk}/").content.decode()
    assert "secret-token" not in page
    assert "/reset/" not in page


def test_a_subject_on_two_lines_is_refused_not_lost(coach, learner) -> None:
    # An email header cannot hold a line break: queued, it would fail at every delivery.
    response = api(coach).post(
        f"/api/v1/students/{learner.pk}/messages/",
        {"channel": "email", "subject": "Hi\nthere", "body": "Call me."},
    )
    assert response.status_code == 400
    assert response.json()["subject"] == ["Write the subject on one line."]
    assert not Message.objects.exists()
