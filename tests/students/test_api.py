"""Students and their progress over the API.

The cast: `coach` coaches `learner` (the `student` user); another coach's student is outside the
caseload. Admins see everyone; a student sees only their own progress; supervisors see neither."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from enrollment.applying import application_submit
from enrollment.models import Student, StudentStage
from enrollment.services import Actor, application_accept
from externships.models import LogStatus
from tests.conftest import client_for, with_role
from tests.factories import (
    CohortFactory,
    ExternshipFactory,
    HourLogFactory,
    ProcedureLogFactory,
    RequirementFactory,
    RequirementSetFactory,
    SiteFactory,
    StudentFactory,
    applicant,
)

pytestmark = pytest.mark.django_db

STUDENTS = "/api/v1/students/"


@pytest.fixture
def requirements(db):
    """Phlebotomy's numbers: 30 venipunctures and 10 capillary sticks."""
    edition = RequirementSetFactory(edition="NHA CPT 2024")
    RequirementFactory(
        requirement_set=edition,
        kind="procedures",
        label="Venipunctures",
        params={"procedure": "venipuncture", "count": 30},
        position=1,
    )
    RequirementFactory(
        requirement_set=edition,
        kind="procedures",
        label="Capillary sticks",
        params={"procedure": "capillary_stick", "count": 10, "noun": "capillary stick"},
        position=2,
    )
    return edition


@pytest.fixture
def learner(student, coach, requirements):
    return StudentFactory(user=student, coach=coach, requirement_set=requirements)


@pytest.fixture
def outsider(requirements):
    other_coach = with_role(Role.COACH, email="other.coach@school.test")
    return StudentFactory(coach=other_coach, requirement_set=requirements)


def test_a_coach_lists_their_caseload_only(coach, learner, outsider) -> None:
    client = client_for(coach)
    listed = client.get(STUDENTS).json()
    assert [s["id"] for s in listed["results"]] == [learner.pk]
    [row] = listed["results"]
    assert row["name"] == str(learner.user)
    assert row["cohort"]["id"] == learner.cohort_id
    assert row["program"] == "phlebotomy"
    assert row["coach"] == {"id": coach.pk, "name": str(coach)}
    assert row["stage"] == "enrolled"
    assert client.get(f"{STUDENTS}{learner.pk}/").status_code == 200
    assert client.get(f"{STUDENTS}{outsider.pk}/").status_code == 404


def test_an_admin_lists_every_student_and_filters_them(admin_user, learner, outsider) -> None:
    Student.objects.filter(pk=outsider.pk).update(stage=StudentStage.EXTERNSHIP)
    client = client_for(admin_user)
    assert client.get(STUDENTS).json()["count"] == 2
    by_stage = client.get(STUDENTS, {"stage": "externship"}).json()
    assert [s["id"] for s in by_stage["results"]] == [outsider.pk]
    assert client.get(STUDENTS, {"coach": learner.coach_id}).json()["count"] == 1
    assert client.get(STUDENTS, {"program": "phlebotomy"}).json()["count"] == 2


def test_students_and_supervisors_do_not_list_students(student, supervisor, learner) -> None:
    for user in (student, supervisor):
        assert client_for(user).get(STUDENTS).status_code == 403
        assert client_for(user).get(f"{STUDENTS}{learner.pk}/").status_code == 403


def test_an_accepted_applicant_appears_in_their_coachs_caseload(coach) -> None:
    cohort = CohortFactory()
    cohort.coaches.add(coach)
    application, _ = application_submit(cohort=cohort, **applicant(1))
    application_accept(application=application, actor=Actor(label="applicant"))
    listed = client_for(coach).get(STUDENTS).json()
    assert [s["email"] for s in listed["results"]] == ["jamie1@example.com"]


# -- progress ----------------------------------------------------------------------------------


def test_the_list_carries_a_compact_progress_summary(coach, learner) -> None:
    ProcedureLogFactory(externship=ExternshipFactory(student=learner), count=30)
    [row] = client_for(coach).get(STUDENTS).json()["results"]
    assert row["progress"] == {
        "edition": "NHA CPT 2024",
        "complete": False,
        "requirements_met": 1,
        "requirements_total": 2,
        "to_go": ["10 capillary sticks to go"],
    }


def test_progress_lists_each_requirement_in_words(student, learner) -> None:
    ProcedureLogFactory(externship=ExternshipFactory(student=learner), count=18)
    response = client_for(student).get(f"{STUDENTS}{learner.pk}/progress/")
    assert response.status_code == 200
    body = response.json()
    assert body["student"] == learner.pk
    assert body["edition"] == "NHA CPT 2024"
    assert body["complete"] is False
    venipunctures, sticks = body["requirements"]
    assert venipunctures["label"] == "Venipunctures"
    assert venipunctures["met"] is False
    assert venipunctures["lines"] == [
        {
            "label": "Venipunctures",
            "done": 18,
            "required": 30,
            "unit": "venipunctures",
            "met": False,
            "missing": "12 venipunctures to go",
        }
    ]
    assert sticks["lines"][0]["missing"] == "10 capillary sticks to go"


def test_progress_moves_after_approval_only(student, supervisor, learner) -> None:
    site = SiteFactory(supervisors=[supervisor])
    externship = ExternshipFactory(student=learner, site=site, supervisor=supervisor)
    log = ProcedureLogFactory(externship=externship, count=5, status=LogStatus.PENDING)
    url = f"{STUDENTS}{learner.pk}/progress/"
    client = client_for(student)
    assert client.get(url).json()["requirements"][0]["lines"][0]["done"] == 0
    client_for(supervisor).post(f"/api/v1/procedure-logs/{log.pk}/approve/")
    line = client.get(url).json()["requirements"][0]["lines"][0]
    assert (line["done"], line["missing"]) == (5, "25 venipunctures to go")


def test_hours_count_once_approved(student, supervisor, requirements, coach) -> None:
    RequirementFactory(
        requirement_set=requirements, kind="hours", label="Hours", params={"hours": 10}
    )
    learner = StudentFactory(user=student, coach=coach, requirement_set=requirements)
    site = SiteFactory(supervisors=[supervisor])
    externship = ExternshipFactory(student=learner, site=site, supervisor=supervisor)
    shift = {
        "externship": externship.pk,
        "date": str(timezone.localdate() - timedelta(days=1)),
        "start_time": "08:00",
        "end_time": "16:00",
        "break_minutes": 30,
        "activities": "Draws",
    }
    log = client_for(student).post("/api/v1/hour-logs/", shift).json()
    url = f"{STUDENTS}{learner.pk}/progress/"
    hours = [r for r in client_for(coach).get(url).json()["requirements"] if r["label"] == "Hours"]
    assert hours[0]["lines"][0]["done"] == 0
    client_for(supervisor).post(f"/api/v1/hour-logs/{log['id']}/approve/")
    hours = [r for r in client_for(coach).get(url).json()["requirements"] if r["label"] == "Hours"]
    assert hours[0]["lines"][0]["missing"] == "2.5 hours to go"


def test_progress_is_for_the_student_their_coach_and_admins(
    student, coach, admin_user, supervisor, learner, outsider
) -> None:
    mine, theirs = f"{STUDENTS}{learner.pk}/progress/", f"{STUDENTS}{outsider.pk}/progress/"
    for user in (student, coach, admin_user):
        assert client_for(user).get(mine).status_code == 200
    assert client_for(admin_user).get(theirs).status_code == 200
    assert client_for(student).get(theirs).status_code == 404
    assert client_for(coach).get(theirs).status_code == 404
    assert client_for(supervisor).get(mine).status_code == 403


# -- query counts ------------------------------------------------------------------------------


def test_the_student_list_costs_the_same_queries_for_2_or_20_students(
    admin_user, requirements
) -> None:
    client = client_for(admin_user)
    client.get(STUDENTS)  # the admin's roles are read once and kept on the user

    def enroll(count: int) -> None:
        for student in StudentFactory.create_batch(count, requirement_set=requirements):
            externship = ExternshipFactory(student=student)
            ProcedureLogFactory(externship=externship, count=4)
            HourLogFactory(externship=externship)

    enroll(2)
    with CaptureQueriesContext(connection) as two:
        assert client.get(STUDENTS).json()["count"] == 2
    enroll(18)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(STUDENTS).json()["count"] == 20
    # The count; the page of students with user, cohort, program, coach and edition joined in;
    # the risk flags: the students with their risk facts and required hours; then
    # progress_for: approved hours and procedures (one query), the editions' requirements.
    assert len(two) == len(twenty) == 5
