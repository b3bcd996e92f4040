"""Coaching sessions: booked with the student's coach, closed with an outcome.

The cast: `coach` coaches `learner` (the `student` user); `other_coach` has a caseload of their own
and sees none of `learner`'s sessions; admins see all."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching.models import CoachingSession, SessionStatus
from tests.conftest import client_for, with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/coaching-sessions/"


def at(hours: float) -> str:
    moment = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return moment.isoformat()


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach)


@pytest.fixture
def other_coach(db):
    return with_role("coach", email="other-coach@school.test")


def book(user, learner, **fields):
    body = {"student": learner.pk, "kind": "resume_review", "starts_at": at(24), **fields}
    return client_for(user).post(SESSIONS, body, format="json")


def test_a_coach_books_a_session_for_their_student(coach, learner) -> None:
    response = book(coach, learner, duration_minutes=45)
    assert response.status_code == 201
    body = response.json()
    assert (body["student"], body["coach"], body["kind"]) == (learner.pk, coach.pk, "resume_review")
    assert (body["status"], body["duration_minutes"]) == ("scheduled", 45)


def test_a_student_books_with_their_own_coach(student, coach, learner) -> None:
    response = book(student, learner, kind="mock_interview")
    assert response.status_code == 201
    assert response.json()["coach"] == coach.pk


def test_nobody_books_for_a_student_outside_their_reach(other_coach, learner, supervisor) -> None:
    response = book(other_coach, learner)
    assert response.status_code == 400
    assert response.json()["student"] == ["No such student in your caseload."]
    assert book(supervisor, learner).status_code == 403


def test_a_session_is_in_the_future_and_in_a_free_slot(coach, learner) -> None:
    past = book(coach, learner, starts_at=at(-1))
    assert past.status_code == 400
    assert "future" in past.json()["starts_at"][0]
    assert book(coach, learner, starts_at=at(24), duration_minutes=60).status_code == 201
    clash = book(coach, learner, starts_at=at(24.5))
    assert clash.status_code == 400
    assert "already has a session" in clash.json()["starts_at"][0]
    assert book(coach, learner, starts_at=at(25)).status_code == 201


def test_a_held_session_needs_an_outcome_and_must_have_started(coach, learner) -> None:
    session = CoachingSession.objects.create(
        student=learner, coach=coach, kind="check_in", starts_at=timezone.now() - timedelta(hours=1)
    )
    url = f"{SESSIONS}{session.pk}/"
    client = client_for(coach)
    missing = client.patch(url, {"status": "held"}, format="json")
    assert missing.status_code == 400
    assert "outcome" in missing.json()
    held = client.patch(
        url,
        {"status": "held", "outcome": "Resume rewritten", "next_step": "Apply to 3 clinics"},
        format="json",
    )
    assert held.status_code == 200
    assert held.json()["next_step"] == "Apply to 3 clinics"

    future = book(coach, learner).json()
    early = client.patch(f"{SESSIONS}{future['id']}/", {"status": "held", "outcome": "x"})
    assert early.status_code == 400
    assert "not started" in early.json()["status"][0]


def test_a_student_may_cancel_but_not_record_an_outcome(student, learner) -> None:
    session = book(student, learner).json()
    url = f"{SESSIONS}{session['id']}/"
    client = client_for(student)
    refused = client.patch(url, {"outcome": "Great"}, format="json")
    assert refused.status_code == 409
    cancelled = client.patch(url, {"status": "cancelled"}, format="json")
    assert cancelled.status_code == 200
    assert CoachingSession.objects.get(pk=session["id"]).status == SessionStatus.CANCELLED


def test_another_coachs_session_is_not_found(coach, other_coach, learner) -> None:
    session = book(coach, learner).json()
    client = client_for(other_coach)
    assert client.get(f"{SESSIONS}{session['id']}/").status_code == 404
    assert client.patch(f"{SESSIONS}{session['id']}/", {"status": "cancelled"}).status_code == 404
    assert client.get(SESSIONS).json()["count"] == 0


def test_bad_input_is_a_field_error(coach, learner) -> None:
    response = client_for(coach).post(
        SESSIONS,
        {"student": "x", "kind": "nap", "starts_at": "soon", "duration_minutes": 9999},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"student", "kind", "starts_at", "duration_minutes"}


def test_the_list_costs_the_same_queries_for_1_or_20_sessions(coach, learner) -> None:
    client = client_for(coach)
    book(coach, learner)
    with CaptureQueriesContext(connection) as one:
        client.get(SESSIONS)
    for n in range(19):
        book(coach, learner, starts_at=at(48 + n))
    with CaptureQueriesContext(connection) as many:
        response = client.get(SESSIONS)
    assert response.json()["count"] == 20
    assert len(many) == len(one)
