"""A student's enrollment after the offer: graduation, withdrawal, leave and re-entry.

The cast: `admin_user` decides graduation, withdrawal and re-entry; `coach` coaches `learner` and
may arrange their leave; another coach's student is outside the caseload (404)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import (
    Application,
    EnrollmentPeriod,
    PeriodEnd,
    Status,
    StudentEvent,
    StudentStage,
)
from enrollment.services import Actor, application_accept
from externships.models import Externship, ExternshipStatus
from tests.conftest import client_for, with_role
from tests.factories import (
    CohortFactory,
    ExternshipFactory,
    ProcedureLogFactory,
    RequirementFactory,
    RequirementSetFactory,
    StudentFactory,
    applicant,
)

pytestmark = pytest.mark.django_db

STUDENTS = "/api/v1/students/"


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def requirements(db):
    edition = RequirementSetFactory(edition="NHA CPT 2024")
    RequirementFactory(
        requirement_set=edition,
        kind="procedures",
        label="Venipunctures",
        params={"procedure": "venipuncture", "count": 3},
    )
    return edition


@pytest.fixture
def learner(student, coach, requirements):
    cohort = CohortFactory(starts_on=days(-60))
    return StudentFactory(
        user=student, coach=coach, cohort=cohort, requirement_set=requirements, period=days(-60)
    )


def post(user, learner, verb: str, body: dict | None = None):
    return client_for(user).post(f"{STUDENTS}{learner.pk}/{verb}/", body or {}, format="json")


# -- graduation --------------------------------------------------------------------------------


def test_it_refuses_to_graduate_a_student_with_requirements_missing(admin_user, learner) -> None:
    ProcedureLogFactory(externship=ExternshipFactory(student=learner), count=1)
    response = post(admin_user, learner, "graduate")
    assert response.status_code == 400
    assert response.json()["student"] == [
        "The clinical requirements are not met yet: 2 venipunctures to go."
    ]
    assert EnrollmentPeriod.objects.get(student=learner).ended_on is None


def test_a_graduation_closes_the_period_and_the_placement(admin_user, learner) -> None:
    externship = ExternshipFactory(student=learner)
    ProcedureLogFactory(externship=externship, count=3)
    response = post(admin_user, learner, "graduate", {"on": str(days(-1))})
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "graduated"
    assert body["periods"] == [
        {
            "cohort": learner.cohort_id,
            "started_on": str(days(-60)),
            "ended_on": str(days(-1)),
            "end_reason": "graduated",
            "reentry_after": None,
        }
    ]
    assert body["history"][-1]["to_stage"] == "graduated"
    assert body["history"][-1]["by"] == admin_user.email
    externship.refresh_from_db()
    assert externship.status == ExternshipStatus.COMPLETED


def test_it_refuses_a_graduation_in_the_future_or_before_the_start(admin_user, learner) -> None:
    ProcedureLogFactory(externship=ExternshipFactory(student=learner), count=3)
    future = post(admin_user, learner, "graduate", {"on": str(days(1))})
    assert future.status_code == 400
    assert future.json()["on"] == ["The date cannot be in the future."]
    early = post(admin_user, learner, "graduate", {"on": str(days(-61))})
    assert early.status_code == 400
    assert "before this enrollment started" in early.json()["on"][0]


def test_a_withdrawn_student_cannot_graduate(admin_user, learner) -> None:
    post(admin_user, learner, "withdraw", {"reason": "Moved away"})
    response = post(admin_user, learner, "graduate")
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]


def test_only_admins_graduate_withdraw_and_readmit(coach, learner) -> None:
    for verb in ("graduate", "withdraw", "reenter"):
        assert post(coach, learner, verb).status_code == 403


# -- withdrawal --------------------------------------------------------------------------------


def test_withdrawing_an_enrolled_student_frees_the_seat_for_the_waitlist(admin_user) -> None:
    cohort = CohortFactory(capacity=1, starts_on=days(10))
    first, _ = application_submit(cohort=cohort, **applicant(1))
    application_accept(application=first, actor=Actor())
    second, _ = application_submit(cohort=cohort, **applicant(2))
    assert second.status == Status.WAITLISTED
    learner = first.student

    response = post(admin_user, learner, "withdraw", {"reason": "Family reasons"})

    assert response.status_code == 200
    assert response.json()["stage"] == "withdrawn"
    assert Application.objects.get(pk=first.pk).status == Status.WITHDRAWN
    assert Application.objects.get(pk=second.pk).status == Status.OFFERED
    # The cohort had not started: this was never a start, so no period is left to count.
    assert not EnrollmentPeriod.objects.filter(student=learner).exists()


def test_a_withdrawal_ends_the_period_cancels_the_placement_and_keeps_the_reason(
    admin_user, learner
) -> None:
    externship = ExternshipFactory(student=learner)
    response = post(admin_user, learner, "withdraw", {"on": str(days(-2)), "reason": "Job offer"})
    assert response.status_code == 200
    period = EnrollmentPeriod.objects.get(student=learner)
    assert (period.ended_on, period.end_reason) == (days(-2), PeriodEnd.WITHDRAWN)
    assert Externship.objects.get(pk=externship.pk).status == ExternshipStatus.CANCELLED
    event = StudentEvent.objects.filter(student=learner).last()
    assert (event.to_stage, event.reason, event.actor) == ("withdrawn", "Job offer", admin_user)


def test_a_withdrawal_needs_a_reason(admin_user, learner) -> None:
    response = post(admin_user, learner, "withdraw", {"on": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()) == {"on", "reason"}


# -- leave -------------------------------------------------------------------------------------


def test_a_coach_arranges_leave_and_the_student_stays_enrolled(coach, learner) -> None:
    externship = ExternshipFactory(student=learner)
    learner.stage = StudentStage.EXTERNSHIP
    learner.save()
    response = post(
        coach,
        learner,
        "leave",
        {"starts_on": str(days(-3)), "expected_return_on": str(days(20)), "reason": "Surgery"},
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "on_leave"
    assert EnrollmentPeriod.objects.get(student=learner).ended_on is None

    back = post(coach, learner, "return", {"on": str(days(0))})
    assert back.status_code == 200
    # Back on the placement that is still active.
    assert back.json()["stage"] == "externship"
    assert back.json()["leaves"][0]["returned_on"] == str(days(0))
    assert Externship.objects.get(pk=externship.pk).status == ExternshipStatus.ACTIVE


def test_leave_dates_are_checked(coach, learner) -> None:
    response = post(
        coach,
        learner,
        "leave",
        {"starts_on": str(days(-3)), "expected_return_on": str(days(-5)), "reason": "Care"},
    )
    assert response.status_code == 400
    assert "expected_return_on" in response.json()
    post(coach, learner, "leave", {"starts_on": str(days(-3)), "reason": "Care"})
    early = post(coach, learner, "return", {"on": str(days(-4))})
    assert early.status_code == 400
    assert "before the leave started" in early.json()["on"][0]
    twice = post(coach, learner, "leave", {"reason": "Again"})
    assert twice.status_code == 409


def test_a_coach_cannot_touch_another_coachs_student(learner) -> None:
    other = with_role("coach", email="other-coach@school.test")
    assert post(other, learner, "leave", {"reason": "x"}).status_code == 404


# -- re-entry ----------------------------------------------------------------------------------


def test_a_readmitted_student_starts_a_new_period_marked_as_reentry(admin_user, learner) -> None:
    post(admin_user, learner, "withdraw", {"on": str(days(-30)), "reason": "Finances"})
    later = CohortFactory(program=learner.cohort.program, starts_on=days(-5))
    response = post(admin_user, learner, "reenter", {"cohort": later.pk, "on": str(days(-5))})
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "enrolled"
    assert body["cohort"]["id"] == later.pk
    assert [p["reentry_after"] for p in body["periods"]] == [None, str(days(-30))]


def test_reentry_stays_in_the_program_and_after_the_withdrawal(admin_user, learner) -> None:
    post(admin_user, learner, "withdraw", {"on": str(days(-30)), "reason": "Finances"})
    elsewhere = CohortFactory(program__slug="medical-assistant", program__name="Medical Assistant")
    other_program = post(admin_user, learner, "reenter", {"cohort": elsewhere.pk})
    assert other_program.status_code == 400
    assert "cohort" in other_program.json()
    same = CohortFactory(program=learner.cohort.program)
    too_early = post(admin_user, learner, "reenter", {"cohort": same.pk, "on": str(days(-31))})
    assert too_early.status_code == 400
    assert "before the withdrawal" in too_early.json()["on"][0]


def test_only_a_withdrawn_student_can_reenter(admin_user, learner) -> None:
    response = post(admin_user, learner, "reenter", {"cohort": learner.cohort_id})
    assert response.status_code == 409


# -- reading -----------------------------------------------------------------------------------


def test_the_detail_costs_the_same_queries_with_a_long_history(admin_user, learner) -> None:
    client = client_for(admin_user)
    url = f"{STUDENTS}{learner.pk}/"
    post(admin_user, learner, "leave", {"starts_on": str(days(-12)), "reason": "x"})
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        assert client.get(url).status_code == 200
    post(admin_user, learner, "return", {"on": str(days(-11))})
    for n in range(3):
        post(admin_user, learner, "leave", {"starts_on": str(days(-10 + 2 * n)), "reason": "x"})
        post(admin_user, learner, "return", {"on": str(days(-9 + 2 * n))})
    with CaptureQueriesContext(connection) as long:
        response = client.get(url)
    assert len(response.json()["history"]) == 8
    assert len(long) == len(short)
