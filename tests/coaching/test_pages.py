"""The coach's pages without JavaScript: filters, the note and session forms and their errors.

The cast: `coach` coaches `learner` (the `student` user, enrolled 20 days ago and never contacted,
so flagged) and `calm` (contacted today); another coach sees neither; the student sees no coach
page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coaching.models import CoachingSession, CoachNote
from enrollment.models import StudentEvent
from tests.conftest import client_for, with_role
from tests.factories import SiteFactory, StudentFactory, complete_documents

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def learner(student, coach):
    return StudentFactory(
        user=student, coach=coach, enrolled_at=timezone.now() - timedelta(days=20)
    )


@pytest.fixture
def calm(coach):
    calm = StudentFactory(coach=coach, user__first_name="Calm", user__last_name="Quiet")
    CoachNote.objects.create(student=calm, author=coach, body="Fine")
    return calm


def test_the_flag_filter_keeps_only_students_with_that_flag(coach, learner, calm) -> None:
    page = signed_in(coach).get("/coach/", {"flag": "no_contact"}).content.decode()
    assert f"/coach/students/{learner.pk}/" in page
    assert f"/coach/students/{calm.pk}/" not in page
    everyone = signed_in(coach).get("/coach/").content.decode()
    assert everyone.index(f"/coach/students/{learner.pk}/") < everyone.index(
        f"/coach/students/{calm.pk}/"
    )


def test_a_session_in_the_past_is_refused_next_to_the_field(coach, learner) -> None:
    past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = signed_in(coach).post(
        f"/coach/students/{learner.pk}/sessions/",
        {"kind": "check_in", "starts_at": past, "duration_minutes": "30"},
    )
    assert response.status_code == 400
    assert "A session is booked for a time in the future." in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_an_empty_note_is_refused(coach, learner) -> None:
    response = signed_in(coach).post(f"/coach/students/{learner.pk}/notes/", {"body": ""})
    assert response.status_code == 400
    assert not CoachNote.objects.filter(student=learner).exists()


def test_nobody_else_reaches_the_coach_pages(student, learner) -> None:
    other = with_role("coach", email="other-coach@school.test")
    assert signed_in(other).get(f"/coach/students/{learner.pk}/").status_code == 404
    refused = signed_in(other).post(f"/coach/students/{learner.pk}/notes/", {"body": "x"})
    assert refused.status_code == 404
    assert signed_in(student).get("/coach/").status_code == 403


def test_starting_and_cancelling_an_externship_show_on_the_coachs_timeline(
    coach, learner, supervisor, admin_user
) -> None:
    site = SiteFactory(name="Eastside Clinic", programs=[learner.cohort.program])
    site.supervisors.add(supervisor)
    complete_documents(learner)
    starts = timezone.localdate()
    admin = client_for(admin_user)
    placed = admin.post(
        "/api/v1/externships/",
        {
            "student": learner.pk,
            "site": site.pk,
            "supervisor": supervisor.pk,
            "starts_on": str(starts),
            "ends_on": str(starts + timedelta(days=30)),
        },
    )
    assert placed.status_code == 201, placed.json()
    admin.patch(f"/api/v1/externships/{placed.json()['id']}/", {"status": "cancelled"})

    page = re.sub(
        r"\s+", " ", signed_in(coach).get(f"/coach/students/{learner.pk}/").content.decode()
    )

    assert "<strong>Stage</strong>: enrolled → externship. Placed at Eastside Clinic" in page
    assert (
        "<strong>Stage</strong>: externship → enrolled. "
        "The placement at Eastside Clinic was cancelled." in page
    )
    assert [(e.to_stage, e.actor) for e in StudentEvent.objects.filter(student=learner)] == [
        ("externship", admin_user),
        ("enrolled", admin_user),
    ]
