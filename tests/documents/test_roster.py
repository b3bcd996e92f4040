"""The cohort roster PDF: every student's status, coach, hours and procedures against the
requirements, exam and placement; the cohort and date on every page, "page N of M", and rows
that never split across pages. Small cohorts render in the request; large ones in the
background (see test_exports.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from backend.dates import day
from documents.selectors import roster_batches
from tests.conftest import client_for, with_role
from tests.documents.conftest import graduate, pdf_pages
from tests.factories import (
    CohortFactory,
    ExamAttemptFactory,
    JobPlacementFactory,
    RequirementFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(coach: object) -> object:
    """A phlebotomy cohort: a graduate who passed the exam and took a job, and a student who
    has logged nothing yet, both with the same coach."""
    cohort = CohortFactory(name="Spring Evening")
    done = graduate(cohort=cohort, coach=coach, user__first_name="Gale", user__last_name="Grad")
    ExamAttemptFactory(student=done, result="passed", scaled_score=420)
    JobPlacementFactory(student=done, title="Phlebotomist", employer__name="City Lab")
    StudentFactory(
        cohort=cohort,
        coach=coach,
        requirement_set=done.requirement_set,
        user__first_name="Nia",
        user__last_name="Newcomer",
    )
    return cohort


def test_it_lists_every_student_with_status_coach_hours_exam_and_placement(
    admin_user, cohort, coach
) -> None:
    response = client_for(admin_user).get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (text,) = pdf_pages(response.content)
    for expected in (
        "Roster · Phlebotomy · Spring Evening",
        "Gale Grad",
        "Graduated",
        "Graduated\ncomplete",
        str(coach),
        "8/8 h",
        "passed (attempt 1",
        "score 420",
        "Phlebotomist, City Lab (in field)",
        "Nia Newcomer",
        "0/8 h",
        "not booked",
        "none yet",
        "page 1 of 1",
    ):
        assert expected in text, expected


def test_it_puts_the_header_and_page_numbers_on_every_page_and_never_splits_a_row(
    admin_user, settings
) -> None:
    settings.PDF_SYNC_MAX_STUDENTS = 100
    cohort = CohortFactory(name="Big Cohort")
    requirement = RequirementFactory(requirement_set__program=cohort.program, params={"hours": 30})
    students = [
        StudentFactory(cohort=cohort, requirement_set=requirement.requirement_set)
        for _ in range(90)
    ]
    response = client_for(admin_user).get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf")
    pages = pdf_pages(response.content)
    assert len(pages) >= 3
    today = day(timezone.localdate())  # "December 4, 2026"
    for number, text in enumerate(pages, start=1):
        assert "Roster · Phlebotomy · Big Cohort" in text
        assert f"as of {today}" in text
        assert "Student Status Coach Hours Procedures Exam Placement" in text
        assert f"page {number} of {len(pages)}" in text
    for student in students:
        # A row's first and second lines (name, email) land on the same page.
        (page,) = [text for text in pages if student.user.email in text]
        assert str(student.user) in page


def test_it_gathers_the_roster_in_five_queries_a_batch(cohort, django_assert_num_queries) -> None:
    # 1 the student ids; then per batch of 100: students with user, coach and edition; exam
    # attempts; placements with employers; approved evidence (one union); requirements.
    with django_assert_num_queries(6):
        (batch,) = list(roster_batches(cohort))
    assert len(batch) == 2


def test_it_gives_the_roster_to_admins_only(cohort, coach, api) -> None:
    student = cohort.students.first()
    for user in (coach, student.user, with_role(Role.SUPERVISOR)):
        assert client_for(user).get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf").status_code == 403
    assert api.get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf").status_code in (401, 403)


def test_an_unknown_cohort_is_a_404(admin_user) -> None:
    assert client_for(admin_user).get("/api/v1/cohorts/999999/roster.pdf").status_code == 404


def test_an_empty_cohort_still_gets_a_roster(admin_user) -> None:
    cohort = CohortFactory(starts_on=timezone.localdate() + timedelta(days=9))
    (text,) = pdf_pages(
        client_for(admin_user).get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf").content
    )
    assert "No students in this cohort." in text


def test_a_client_asking_for_a_pdf_gets_it_and_errors_come_as_json(admin_user, cohort) -> None:
    client = client_for(admin_user)
    response = client.get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    missing = client.get("/api/v1/cohorts/999999/roster.pdf", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing.json()["detail"]
