"""Risk flags on the coach's caseload, each at its boundary, and students needing attention first.

`learner` is on a 100-day placement at a site with a 100-hour requirement, so the straight line
expects one hour a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.dates import short_day
from careers.models import (
    Employer,
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
)
from coaching.models import CoachingSession, CoachNote, SessionStatus
from coaching.selectors import caseload
from enrollment.models import Student, StudentStage
from tests.conftest import client_for
from tests.factories import (
    ComplianceDocumentFactory,
    ExternshipFactory,
    HourLogFactory,
    RequirementFactory,
    RequirementSetFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


# Each test reads the clock once, when it starts: a clock read at import goes stale when a run
# crosses midnight, and the API under test reads the real one.
@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def today(now):
    return timezone.localdate(now)


def codes(student: Student, now) -> set[str]:
    [row] = caseload(Student.objects.filter(pk=student.pk), now=now)
    return {flag.code for flag in row.flags}


def reasons(student: Student, now) -> dict[str, str]:
    [row] = caseload(Student.objects.filter(pk=student.pk), now=now)
    return {flag.code: flag.reason for flag in row.flags}


@pytest.fixture
def learner(coach, now):
    edition = RequirementSetFactory(edition="MA 2024")
    RequirementFactory(requirement_set=edition, kind="hours", label="Hours", params={"hours": 100})
    student = StudentFactory(
        coach=coach,
        requirement_set=edition,
        stage=StudentStage.EXTERNSHIP,
        enrolled_at=now - timedelta(days=30),
    )
    # Contact today, so only the flag under test shows.
    CoachNote.objects.create(student=student, author=coach, body="Met", created_at=now)
    return student


def placed(student: Student, days_in: int, today):
    return ExternshipFactory(
        student=student,
        starts_on=today - timedelta(days=days_in),
        ends_on=today - timedelta(days=days_in) + timedelta(days=100),
    )


def test_a_student_on_the_line_is_not_behind(learner, now, today) -> None:
    externship = placed(learner, days_in=10, today=today)
    HourLogFactory(externship=externship, minutes=10 * 60)
    assert codes(learner, now) == set()


def test_a_student_a_minute_under_the_line_is_behind_with_the_figures(learner, now, today) -> None:
    externship = placed(learner, days_in=10, today=today)
    HourLogFactory(externship=externship, minutes=10 * 60 - 1)
    assert codes(learner, now) == {"behind_pace"}
    assert reasons(learner, now)["behind_pace"].startswith(
        "9.9 of the 10.0 hours expected by today"
    )


def test_pending_hours_do_not_keep_a_student_on_pace(learner, now, today) -> None:
    externship = placed(learner, days_in=10, today=today)
    HourLogFactory(externship=externship, minutes=10 * 60, status="pending")
    assert codes(learner, now) == {"behind_pace"}


def test_no_contact_is_flagged_from_the_fourteenth_day(learner, coach, now) -> None:
    CoachNote.objects.all().delete()
    CoachingSession.objects.create(
        student=learner,
        coach=coach,
        kind="check_in",
        starts_at=now - timedelta(days=14) + timedelta(minutes=1),
        status=SessionStatus.HELD,
        outcome="Fine",
    )
    assert "no_contact" not in codes(learner, now)
    assert "no_contact" in codes(learner, now=now + timedelta(minutes=1))


def test_a_student_never_contacted_counts_from_enrollment(learner, now) -> None:
    CoachNote.objects.all().delete()
    Student.objects.filter(pk=learner.pk).update(enrolled_at=now - timedelta(days=13))
    assert "no_contact" not in codes(learner, now)
    Student.objects.filter(pk=learner.pk).update(enrolled_at=now - timedelta(days=14))
    assert reasons(learner, now)["no_contact"].startswith("No session or note since")


def test_a_scheduled_session_is_not_contact(learner, coach, now) -> None:
    CoachNote.objects.all().delete()
    Student.objects.filter(pk=learner.pk).update(enrolled_at=now - timedelta(days=30))
    CoachingSession.objects.create(
        student=learner, coach=coach, kind="check_in", starts_at=now - timedelta(days=1)
    )
    assert "no_contact" in codes(learner, now)


def test_an_exam_within_72_hours_is_flagged(learner, now, today) -> None:
    attempt = ExamAttempt.objects.create(
        student=learner, credential="NHA CCMA", attempt_number=1, sat_on=today + timedelta(days=4)
    )
    assert codes(learner, now) == set()
    attempt.sat_on = today + timedelta(days=3)
    attempt.save()
    assert codes(learner, now) == {"deadline_soon"}


def test_a_job_offer_to_answer_within_72_hours_is_flagged_until_answered(
    learner, now, today
) -> None:
    offer = JobApplication.objects.create(
        student=learner,
        employer=Employer.objects.create(name="Lakeside Clinic"),
        role="Medical assistant",
        status=JobApplicationStatus.OFFERED,
        applied_on=today - timedelta(days=10),
        status_changed_on=today,
        respond_by=today + timedelta(days=4),
    )
    assert codes(learner, now) == set()
    offer.respond_by = today + timedelta(days=3)
    offer.save()
    due = short_day(offer.respond_by, weekday=True)  # "Mon, Dec 7"
    assert reasons(learner, now) == {"deadline_soon": f"The answer to a job offer is due on {due}."}
    offer.status = JobApplicationStatus.HIRED
    offer.save()
    assert codes(learner, now) == set()


def test_a_failed_exam_without_a_retake_is_flagged_until_one_is_booked(learner, now, today) -> None:
    ExamAttempt.objects.create(
        student=learner,
        credential="NHA CCMA",
        attempt_number=1,
        sat_on=today - timedelta(days=5),
        result=ExamResult.FAILED,
        scaled_score=350,
    )
    assert codes(learner, now) == {"failed_exam"}
    ExamAttempt.objects.create(
        student=learner, credential="NHA CCMA", attempt_number=2, sat_on=today + timedelta(days=30)
    )
    assert codes(learner, now) == set()


def test_a_document_expiring_within_30_days_is_flagged_unless_renewed(learner, now, today) -> None:
    ComplianceDocumentFactory(student=learner, kind="tb_test", expires_on=today + timedelta(31))
    assert codes(learner, now) == set()
    ComplianceDocumentFactory(student=learner, kind="cpr_bls", expires_on=today + timedelta(30))
    assert codes(learner, now) == {"document_expiring"}
    ComplianceDocumentFactory(student=learner, kind="cpr_bls", expires_on=today + timedelta(700))
    assert codes(learner, now) == set()


def test_the_document_flag_names_the_kind_that_runs_out_and_its_newest_expiry(
    learner, now, today
) -> None:
    """An old TB test renewed by one that also runs out soon: the flag gives the renewal's day,
    the one that matters; a never-expiring document of a kind never runs out."""
    soon = today + timedelta(days=12)
    ComplianceDocumentFactory(student=learner, kind="tb_test", expires_on=today - timedelta(300))
    ComplianceDocumentFactory(student=learner, kind="tb_test", expires_on=soon)
    ComplianceDocumentFactory(student=learner, kind="cpr_bls", expires_on=today - timedelta(3))
    ComplianceDocumentFactory(student=learner, kind="cpr_bls", expires_on=None)
    assert reasons(learner, now)["document_expiring"] == f"TB test expires on {soon:%b %-d}."


def test_flagged_students_come_first_and_the_api_gives_reasons(coach, learner, now, today) -> None:
    calm = StudentFactory(coach=coach, user__last_name="Aaronson")
    CoachNote.objects.create(student=calm, author=coach, body="Met", created_at=now)
    placed(learner, days_in=10, today=today)
    rows = caseload(Student.objects.filter(coach=coach).order_by("user__last_name"), now=now)
    assert [row.student for row in rows] == [learner, calm]

    response = client_for(coach).get(f"/api/v1/students/{learner.pk}/")
    [flag] = response.json()["risk_flags"]
    assert (flag["code"], flag["label"]) == ("behind_pace", "Behind pace on hours")
    assert flag["reason"].startswith("0 of the 10.0 hours expected")
