"""Coach notes (staff only) and the calendar files.

The cast: `coach` coaches `learner` (the `student` user); `other_coach` does not; the student
never sees notes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from coaching.calendar import feed_token
from coaching.models import CoachingSession, SessionStatus
from tests.conftest import client_for, with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


NOTES = "/api/v1/coach-notes/"


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach)


@pytest.fixture
def session(learner, coach):
    return CoachingSession.objects.create(
        student=learner,
        coach=coach,
        kind="mock_interview",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=45,
    )


def test_a_coach_adds_a_note_and_reads_it_back(coach, learner) -> None:
    client = client_for(coach)
    response = client.post(NOTES, {"student": learner.pk, "body": "Nervous about the exam"})
    assert response.status_code == 201
    assert response.json()["author"] == coach.pk
    listed = client.get(NOTES, {"student": learner.pk}).json()
    assert [n["body"] for n in listed["results"]] == ["Nervous about the exam"]


def test_notes_are_private_to_staff_and_to_the_caseload(coach, student, learner) -> None:
    client_for(coach).post(NOTES, {"student": learner.pk, "body": "Private"})
    assert client_for(student).get(NOTES).status_code == 403
    assert client_for(student).post(NOTES, {"student": learner.pk, "body": "x"}).status_code == 403
    other = with_role("coach", email="other-coach@school.test")
    assert client_for(other).get(NOTES).json()["count"] == 0
    refused = client_for(other).post(NOTES, {"student": learner.pk, "body": "x"})
    assert refused.status_code == 400
    assert "student" in refused.json()


def test_an_empty_note_is_refused(coach, learner) -> None:
    response = client_for(coach).post(NOTES, {"student": learner.pk, "body": "   "})
    assert response.status_code == 400
    assert "body" in response.json()


def test_a_session_downloads_as_ics_for_its_student_and_coach(coach, student, session) -> None:
    for user in (coach, student):
        response = signed_in(user).get(f"/coach/sessions/{session.pk}.ics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        [event] = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["summary"]).startswith("Mock interview")
        duration = event.decoded("dtend") - event.decoded("dtstart")
        assert duration == timedelta(minutes=45)
    other = with_role("coach", email="other-coach@school.test")
    assert signed_in(other).get(f"/coach/sessions/{session.pk}.ics").status_code == 404


def test_the_coach_feed_needs_its_signed_address(client, coach, session) -> None:
    CoachingSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    response = client.get(f"/coach/calendar/{feed_token(coach)}.ics")
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    forged = feed_token(coach)[:-2] + "xx"
    assert client.get(f"/coach/calendar/{forged}.ics").status_code == 404
