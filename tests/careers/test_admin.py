"""The careers admin goes through the same services as the API: numbering and readiness of exam
attempts, one employer per name, verification of placements, and sites made employers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careers.models import Employer, ExamAttempt, JobPlacement
from tests.factories import (
    EmployerFactory,
    ExamAttemptFactory,
    JobApplicationFactory,
    JobPlacementFactory,
    ReferencePayFactory,
    SiteFactory,
    StudentFactory,
    UnavailabilityFactory,
    exam_ready_student,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_careers_page_of_the_admin_opens(staff_client) -> None:
    records = {
        "examattempt": ExamAttemptFactory(),
        "employer": EmployerFactory(),
        "jobapplication": JobApplicationFactory(),
        "jobplacement": JobPlacementFactory(),
        "unavailability": UnavailabilityFactory(),
        "referencepay": ReferencePayFactory(),
    }
    for model, record in records.items():
        base = f"/admin/careers/{model}/"
        assert staff_client.get(base).status_code == 200, model
        assert staff_client.get(f"{base}?q=pat").status_code == 200, model
        assert staff_client.get(f"{base}add/").status_code == 200, model
        assert staff_client.get(f"{base}{record.pk}/change/").status_code == 200, model


def test_the_attempt_page_shows_readiness(staff_client) -> None:
    attempt = ExamAttemptFactory(student=StudentFactory())
    page = staff_client.get(f"/admin/careers/examattempt/{attempt.pk}/change/").content.decode()
    assert "Not ready: The program&#x27;s completion requirements are not met yet." in page


def test_booking_in_the_admin_refuses_a_student_who_is_not_ready(staff_client) -> None:
    learner = StudentFactory()
    sat_on = str(timezone.localdate() + timedelta(days=7))
    body = {"student": learner.pk, "sat_on": sat_on, "result": "scheduled", "scaled_score": ""}
    page = staff_client.post("/admin/careers/examattempt/add/", {**body, "override_reason": ""})
    assert "Not exam-ready" in page.content.decode()
    assert not ExamAttempt.objects.exists()
    staff_client.post("/admin/careers/examattempt/add/", {**body, "override_reason": "Transfer"})
    attempt = ExamAttempt.objects.get()
    assert (attempt.attempt_number, attempt.override_reason) == (1, "Transfer")


def test_booking_in_the_admin_numbers_the_retake(staff_client, admin_user) -> None:
    learner = exam_ready_student()
    ExamAttemptFactory(student=learner)
    sat_on = str(timezone.localdate() + timedelta(days=7))
    staff_client.post(
        "/admin/careers/examattempt/add/",
        {"student": learner.pk, "sat_on": sat_on, "result": "scheduled", "override_reason": ""},
    )
    retake = ExamAttempt.objects.get(attempt_number=2)
    assert retake.recorded_by == admin_user


def test_the_admin_refuses_a_second_employer_of_the_same_name(staff_client) -> None:
    EmployerFactory(name="Springfield Clinic")
    page = staff_client.post("/admin/careers/employer/add/", {"name": "springfield CLINIC"})
    assert "already exists" in page.content.decode()
    assert Employer.objects.count() == 1


def test_verify_selected_placements(staff_client, admin_user) -> None:
    placements = JobPlacementFactory.create_batch(2)
    staff_client.post(
        "/admin/careers/jobplacement/",
        {"action": "verify_selected", "_selected_action": [p.pk for p in placements]},
    )
    assert set(JobPlacement.objects.values_list("verified_by", flat=True)) == {admin_user.pk}


def test_make_employers_of_the_selected_sites(staff_client) -> None:
    sites = [SiteFactory(name="Main Street Clinic"), SiteFactory(name="Elm Lab")]
    for _ in range(2):
        staff_client.post(
            "/admin/externships/site/",
            {"action": "make_employers", "_selected_action": [s.pk for s in sites]},
        )
    assert sorted(Employer.objects.values_list("name", "site")) == [
        ("Elm Lab", sites[1].pk),
        ("Main Street Clinic", sites[0].pk),
    ]
