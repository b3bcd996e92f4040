"""Graduates unavailable for employment (ABHES U). Admins record them, only for graduates, only
for the accepted reasons and with evidence; a coach reads their caseload's (another coach's
graduate is a 404); students, supervisors and anonymous are refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from enrollment.models import StudentStage
from tests.conftest import client_for, with_role
from tests.factories import StudentFactory, UnavailabilityFactory

pytestmark = pytest.mark.django_db

UNAVAILABLE = "/api/v1/unavailabilities/"


@pytest.fixture
def graduate(coach):
    return StudentFactory(coach=coach, stage=StudentStage.GRADUATED)


def unavailable_body(graduate, **overrides) -> dict:
    return {
        "student": graduate.pk,
        "reason": "continuing_education",
        "documented_on": str(timezone.localdate() - timedelta(days=2)),
        "evidence_note": "Enrollment letter from the nursing school",
        **overrides,
    }


def test_an_admin_records_a_graduate_as_unavailable(admin_user, graduate) -> None:
    response = client_for(admin_user).post(UNAVAILABLE, unavailable_body(graduate))
    assert response.status_code == 201, response.json()
    assert (response.json()["student"], response.json()["reason"]) == (
        graduate.pk,
        "continuing_education",
    )
    assert response.json()["recorded_by"] == str(admin_user)


def test_only_a_graduate_can_be_unavailable(admin_user) -> None:
    enrolled = StudentFactory()
    response = client_for(admin_user).post(UNAVAILABLE, unavailable_body(enrolled))
    assert response.status_code == 400
    assert "Only a graduate" in response.json()["student"][0]


def test_a_graduate_is_recorded_unavailable_once(admin_user, graduate) -> None:
    UnavailabilityFactory(student=graduate)
    response = client_for(admin_user).post(UNAVAILABLE, unavailable_body(graduate))
    assert response.status_code == 400
    assert "already recorded" in response.json()["student"][0]


def test_unavailability_needs_evidence_and_a_past_date(admin_user, graduate) -> None:
    client = client_for(admin_user)
    blank = client.post(UNAVAILABLE, unavailable_body(graduate, evidence_note=" "))
    assert "evidence_note" in blank.json()
    future = str(timezone.localdate() + timedelta(days=1))
    ahead = client.post(UNAVAILABLE, unavailable_body(graduate, documented_on=future))
    assert ahead.status_code == 400
    assert "future" in ahead.json()["documented_on"][0]


def test_only_the_abhes_reasons_are_accepted(admin_user, graduate) -> None:
    response = client_for(admin_user).post(UNAVAILABLE, unavailable_body(graduate, reason="moved"))
    assert response.status_code == 400
    assert "reason" in response.json()


def test_an_admin_corrects_the_record(admin_user, graduate) -> None:
    record = UnavailabilityFactory(student=graduate)
    client = client_for(admin_user)
    response = client.patch(f"{UNAVAILABLE}{record.pk}/", {"reason": "health"})
    assert response.status_code == 200
    assert response.json()["reason"] == "health"
    blank = client.patch(f"{UNAVAILABLE}{record.pk}/", {"evidence_note": ""})
    assert blank.status_code == 400


def test_a_coach_reads_their_caseloads_records_only(coach, graduate) -> None:
    ours = UnavailabilityFactory(student=graduate)
    theirs = UnavailabilityFactory(student__coach=with_role(Role.COACH))
    client = client_for(coach)
    assert [r["id"] for r in client.get(UNAVAILABLE).json()["results"]] == [ours.pk]
    assert client.get(f"{UNAVAILABLE}{theirs.pk}/").status_code == 404
    assert client.post(UNAVAILABLE, unavailable_body(graduate)).status_code == 403
    assert client.patch(f"{UNAVAILABLE}{ours.pk}/", {"reason": "health"}).status_code == 403


def test_students_supervisors_and_anonymous_are_refused(student, supervisor, api) -> None:
    record = UnavailabilityFactory(student__user=student)
    for client in (client_for(student), client_for(supervisor)):
        assert client.get(UNAVAILABLE).status_code == 403
        assert client.get(f"{UNAVAILABLE}{record.pk}/").status_code == 403
    assert api.get(UNAVAILABLE).status_code in (401, 403)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"documented_on": "2024-00-10"}, "documented_on"),
        ({"student": 10**12}, "student"),
        ({"student": "abc"}, "student"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin_user, graduate, overrides, field) -> None:
    body = unavailable_body(graduate, **overrides)
    response = client_for(admin_user).post(UNAVAILABLE, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_list_costs_the_same_queries_for_2_or_20(coach) -> None:
    client = client_for(coach)
    client.get(UNAVAILABLE)  # the coach's roles are read once and kept on the user
    UnavailabilityFactory.create_batch(2, student__coach=coach)
    with CaptureQueriesContext(connection) as two:
        client.get(UNAVAILABLE)
    UnavailabilityFactory.create_batch(18, student__coach=coach)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(UNAVAILABLE).json()["count"] == 20
    # The count and the page, with the student's user and the recorder joined in.
    assert len(two) == len(twenty) == 2
