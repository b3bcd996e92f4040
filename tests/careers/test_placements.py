"""Job placements. The cast: `coach` records and verifies their caseload's (404 for another
coach's student), admins everyone's; `learner` reads their own and never verifies; a supervisor
and anonymous are refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from careers.models import JobPlacement
from tests.conftest import client_for, with_role
from tests.factories import (
    EmployerFactory,
    JobPlacementFactory,
    ProgramFactory,
    ReferencePayFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

PLACEMENTS = "/api/v1/job-placements/"


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach)


def placement_body(learner, **overrides) -> dict:
    return {
        "student": learner.pk,
        "employer": EmployerFactory().pk,
        "title": "Phlebotomist",
        "classification": "in_field",
        "employment": "full_time",
        "hourly_wage_cents": 2150,
        "start_date": str(timezone.localdate() - timedelta(days=7)),
        "verification_method": "offer_letter",
        "evidence_note": "Offer letter dated last month, on file",
        **overrides,
    }


def test_a_coach_records_a_placement_for_their_caseload(coach, learner) -> None:
    response = client_for(coach).post(PLACEMENTS, placement_body(learner))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["student"], body["hourly_wage_cents"], body["recorded_by"]) == (
        learner.pk,
        2150,
        str(coach),
    )
    assert body["verified_by"] is None
    assert body["verified_at"] is None


def test_a_placement_needs_evidence(coach, learner) -> None:
    client = client_for(coach)
    for note in ("", "   "):
        response = client.post(PLACEMENTS, placement_body(learner, evidence_note=note))
        assert response.status_code == 400
        assert "evidence_note" in response.json()
    body = placement_body(learner)
    del body["evidence_note"]
    assert "evidence_note" in client.post(PLACEMENTS, body).json()


def test_the_wage_is_shown_beside_the_programs_latest_reference_pay(coach, learner) -> None:
    program = learner.cohort.program
    ReferencePayFactory(program=program, year=2022, hourly_median_cents=1900)
    ReferencePayFactory(program=program, year=2023, hourly_median_cents=2000)
    placement = JobPlacementFactory(student=learner, hourly_wage_cents=2150)
    body = client_for(coach).get(f"{PLACEMENTS}{placement.pk}/").json()
    assert body["reference_pay"]["year"] == 2023
    assert body["reference_pay"]["hourly_median_cents"] == 2000
    assert body["reference_pay"]["annual_median_cents"] == 4_200_000
    assert body["wage_vs_median_percent"] == 108  # 21.50 / 20.00


def test_without_reference_pay_there_is_no_comparison(coach, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    body = client_for(coach).get(f"{PLACEMENTS}{placement.pk}/").json()
    assert body["reference_pay"] is None
    assert body["wage_vs_median_percent"] is None


def test_staff_verify_a_placement_once(coach, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    client = client_for(coach)
    response = client.post(f"{PLACEMENTS}{placement.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["verified_by"] == str(coach)
    assert response.json()["verified_at"] is not None
    again = client.post(f"{PLACEMENTS}{placement.pk}/verify/")
    assert again.status_code == 409


def test_a_student_cannot_verify_or_record_a_placement(student, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    client = client_for(student)
    assert client.post(f"{PLACEMENTS}{placement.pk}/verify/").status_code == 403
    assert client.post(PLACEMENTS, placement_body(learner)).status_code == 403
    assert client.patch(f"{PLACEMENTS}{placement.pk}/", {"title": "Boss"}).status_code == 403
    placement.refresh_from_db()
    assert placement.verified_at is None


def test_changing_a_verified_placements_facts_clears_the_verification(admin_user) -> None:
    placement = JobPlacementFactory()
    client = client_for(admin_user)
    client.post(f"{PLACEMENTS}{placement.pk}/verify/")
    noted = client.patch(f"{PLACEMENTS}{placement.pk}/", {"evidence_note": "Also a pay stub"})
    assert noted.json()["verified_at"] is not None
    changed = client.patch(f"{PLACEMENTS}{placement.pk}/", {"hourly_wage_cents": 2500})
    assert changed.status_code == 200
    assert changed.json()["verified_at"] is None
    assert changed.json()["verified_by"] is None


def test_another_coachs_students_placement_is_404(coach, learner) -> None:
    other_coach = with_role(Role.COACH, email="other.coach@school.test")
    theirs = JobPlacementFactory(student=StudentFactory(coach=other_coach))
    ours = JobPlacementFactory(student=learner)
    client = client_for(coach)
    assert [p["id"] for p in client.get(PLACEMENTS).json()["results"]] == [ours.pk]
    assert client.get(f"{PLACEMENTS}{theirs.pk}/").status_code == 404
    assert client.post(f"{PLACEMENTS}{theirs.pk}/verify/").status_code == 404
    assert client.patch(f"{PLACEMENTS}{theirs.pk}/", {"title": "X"}).status_code == 404
    refused = client.post(PLACEMENTS, placement_body(theirs.student))
    assert refused.status_code == 400
    assert "student" in refused.json()


def test_a_student_reads_only_their_own_placements(student, learner) -> None:
    ours = JobPlacementFactory(student=learner)
    theirs = JobPlacementFactory()
    client = client_for(student)
    assert [p["id"] for p in client.get(PLACEMENTS).json()["results"]] == [ours.pk]
    assert client.get(f"{PLACEMENTS}{theirs.pk}/").status_code == 404


def test_only_admins_delete_placements(admin_user, coach, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    assert client_for(coach).delete(f"{PLACEMENTS}{placement.pk}/").status_code == 403
    assert client_for(admin_user).delete(f"{PLACEMENTS}{placement.pk}/").status_code == 204
    assert not JobPlacement.objects.exists()


def test_supervisors_and_anonymous_are_refused(supervisor, api, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    assert client_for(supervisor).get(PLACEMENTS).status_code == 403
    assert client_for(supervisor).post(f"{PLACEMENTS}{placement.pk}/verify/").status_code == 403
    assert api.get(PLACEMENTS).status_code in (401, 403)
    assert api.post(f"{PLACEMENTS}{placement.pk}/verify/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hourly_wage_cents": "abc"}, "hourly_wage_cents"),
        ({"hourly_wage_cents": -100}, "hourly_wage_cents"),
        ({"hourly_wage_cents": 0}, "hourly_wage_cents"),
        ({"hourly_wage_cents": 10**15}, "hourly_wage_cents"),
        ({"hourly_wage_cents": 21.5}, "hourly_wage_cents"),
        ({"start_date": "2024-02-30"}, "start_date"),
        ({"start_date": "last week"}, "start_date"),
        ({"classification": "somewhat"}, "classification"),
        ({"employment": "gig"}, "employment"),
        ({"verification_method": "vibes"}, "verification_method"),
        ({"employer": 10**12}, "employer"),
        ({"student": "abc"}, "student"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(coach, learner, overrides, field) -> None:
    response = client_for(coach).post(
        PLACEMENTS, placement_body(learner, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_bad_wage_in_a_change_is_a_400(coach, learner) -> None:
    placement = JobPlacementFactory(student=learner)
    url = f"{PLACEMENTS}{placement.pk}/"
    for wage in ("abc", -1, 10**15):
        response = client_for(coach).patch(url, {"hourly_wage_cents": wage}, format="json")
        assert response.status_code == 400
        assert "hourly_wage_cents" in response.json()


def test_the_list_filters_by_classification_verification_and_program(admin_user) -> None:
    JobPlacementFactory(classification="out_of_field")
    verified = JobPlacementFactory(verified_by=admin_user, verified_at=timezone.now())
    client = client_for(admin_user)
    assert client.get(PLACEMENTS, {"classification": "in_field"}).json()["count"] == 1
    assert [p["id"] for p in client.get(PLACEMENTS, {"verified": "true"}).json()["results"]] == [
        verified.pk
    ]
    assert client.get(PLACEMENTS, {"verified": "false"}).json()["count"] == 1
    assert client.get(PLACEMENTS, {"program": "phlebotomy"}).json()["count"] == 2


def test_the_placement_list_costs_the_same_queries_for_2_or_20(coach) -> None:
    other_program = ProgramFactory(slug="medical-assistant", name="Medical Assistant")
    ReferencePayFactory(program=ProgramFactory())
    ReferencePayFactory(program=other_program)
    client = client_for(coach)
    client.get(PLACEMENTS)  # the coach's roles are read once and kept on the user
    JobPlacementFactory.create_batch(2, student__coach=coach)
    with CaptureQueriesContext(connection) as two:
        client.get(PLACEMENTS)
    JobPlacementFactory.create_batch(9, student__coach=coach)
    JobPlacementFactory.create_batch(
        9, student__coach=coach, student__cohort__program=other_program
    )
    with CaptureQueriesContext(connection) as twenty:
        body = client.get(PLACEMENTS).json()
    assert body["count"] == 20
    assert all(p["reference_pay"] is not None for p in body["results"])
    # The count, the page (student, program, employer, verifier and recorder joined in), and
    # the reference pay of the page's programs.
    assert len(two) == len(twenty) == 3
