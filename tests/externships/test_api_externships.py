"""Placements over the API: admins place students through the service's checks; a coach reads
their caseload's, a supervisor those at their sites, a student their own; others are a 404."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from enrollment.models import StudentStage
from externships.models import Externship, ExternshipStatus
from tests.conftest import client_for, with_role
from tests.factories import (
    ExternshipFactory,
    HourLogFactory,
    ProgramFactory,
    SiteFactory,
    StudentFactory,
    complete_documents,
)

pytestmark = pytest.mark.django_db

EXTERNSHIPS = "/api/v1/externships/"


@pytest.fixture
def clinic(supervisor):
    return SiteFactory(
        name="Main Street Clinic", programs=[ProgramFactory()], supervisors=[supervisor]
    )


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach)


def placement_body(learner, clinic, supervisor, **overrides) -> dict:
    today = timezone.localdate()
    return {
        "student": learner.pk,
        "site": clinic.pk,
        "supervisor": supervisor.pk,
        "starts_on": str(today + timedelta(days=7)),
        "ends_on": str(today + timedelta(days=37)),
        **overrides,
    }


def test_an_admin_places_a_student_with_complete_documents(
    admin_user, learner, clinic, supervisor
) -> None:
    complete_documents(learner)
    response = client_for(admin_user).post(EXTERNSHIPS, placement_body(learner, clinic, supervisor))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["student"], body["site"], body["supervisor"]) == (
        learner.pk,
        clinic.pk,
        supervisor.pk,
    )
    assert body["status"] == "active"
    assert body["site_name"] == "Main Street Clinic"
    learner.refresh_from_db()
    assert learner.stage == StudentStage.EXTERNSHIP


def test_a_placement_is_refused_while_a_document_is_missing(
    admin_user, learner, clinic, supervisor
) -> None:
    response = client_for(admin_user).post(EXTERNSHIPS, placement_body(learner, clinic, supervisor))
    assert response.status_code == 400
    assert "Missing or expired" in response.json()["student"][0]


def test_a_placement_needs_someone_who_supervises_at_the_site(admin_user, learner, clinic) -> None:
    complete_documents(learner)
    stranger = with_role(Role.SUPERVISOR, email="preceptor@hospital.test")
    response = client_for(admin_user).post(EXTERNSHIPS, placement_body(learner, clinic, stranger))
    assert response.status_code == 400
    assert "supervisor" in response.json()


def test_a_placement_ends_on_or_after_its_start(admin_user, learner, clinic, supervisor) -> None:
    complete_documents(learner)
    today = timezone.localdate()
    body = placement_body(
        learner, clinic, supervisor, starts_on=str(today), ends_on=str(today - timedelta(days=1))
    )
    response = client_for(admin_user).post(EXTERNSHIPS, body)
    assert response.status_code == 400
    assert "ends_on" in response.json()


def test_only_admins_place_students(coach, supervisor, learner, clinic) -> None:
    complete_documents(learner)
    body = placement_body(learner, clinic, supervisor)
    assert client_for(coach).post(EXTERNSHIPS, body).status_code == 403
    assert client_for(supervisor).post(EXTERNSHIPS, body).status_code == 403


def test_each_reader_sees_only_their_placements(
    coach, supervisor, student, learner, clinic
) -> None:
    ours = ExternshipFactory(student=learner, site=clinic, supervisor=supervisor)
    theirs = ExternshipFactory()
    for user in (coach, supervisor, student):
        client = client_for(user)
        listed = client.get(EXTERNSHIPS).json()
        assert [e["id"] for e in listed["results"]] == [ours.pk], user
        assert client.get(f"{EXTERNSHIPS}{ours.pk}/").status_code == 200
        assert client.get(f"{EXTERNSHIPS}{theirs.pk}/").status_code == 404


def test_an_admin_reads_every_placement_and_filters_them(admin_user, learner, clinic) -> None:
    ours = ExternshipFactory(student=learner, site=clinic)
    ExternshipFactory(status=ExternshipStatus.CANCELLED)
    client = client_for(admin_user)
    assert client.get(EXTERNSHIPS).json()["count"] == 2
    assert [e["id"] for e in client.get(EXTERNSHIPS, {"site": clinic.pk}).json()["results"]] == [
        ours.pk
    ]
    assert client.get(EXTERNSHIPS, {"status": "cancelled"}).json()["count"] == 1
    assert client.get(EXTERNSHIPS, {"student": learner.pk}).json()["count"] == 1


def test_an_applicant_reads_no_placements(db) -> None:
    applicant = with_role(Role.APPLICANT, email="someone@example.com")
    assert client_for(applicant).get(EXTERNSHIPS).status_code == 403


def test_an_admin_closes_a_placement(admin_user) -> None:
    externship = ExternshipFactory()
    client = client_for(admin_user)
    response = client.patch(f"{EXTERNSHIPS}{externship.pk}/", {"status": "completed"})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    reopen = client.patch(f"{EXTERNSHIPS}{externship.pk}/", {"status": "active"})
    assert reopen.status_code == 400


def test_a_placement_with_logs_cannot_be_deleted(admin_user) -> None:
    log = HourLogFactory()
    client = client_for(admin_user)
    assert client.delete(f"{EXTERNSHIPS}{log.externship_id}/").status_code == 409
    assert Externship.objects.filter(pk=log.externship_id).exists()
    empty = ExternshipFactory()
    assert client.delete(f"{EXTERNSHIPS}{empty.pk}/").status_code == 204


def test_the_placement_list_costs_the_same_queries_for_2_or_20(supervisor, clinic) -> None:
    client = client_for(supervisor)
    client.get(EXTERNSHIPS)  # the supervisor's roles are read once and kept on the user
    ExternshipFactory.create_batch(2, site=clinic, supervisor=supervisor)
    with CaptureQueriesContext(connection) as two:
        client.get(EXTERNSHIPS)
    ExternshipFactory.create_batch(18, site=clinic, supervisor=supervisor)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(EXTERNSHIPS).json()["count"] == 20
    # The count and the page, with student, site and supervisor joined in.
    assert len(two) == len(twenty) == 2
