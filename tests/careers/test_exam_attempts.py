"""Exam attempts over the API. The cast: `learner` (the student, books and records their own),
`coach` (learner's coach: reads and writes their caseload's), `admin_user` (everyone's), another
coach and another student (see nothing of learner's: 404), a supervisor and anonymous (refused)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from careers.models import ExamAttempt, ExamResult
from enrollment.models import Education, StudentStage
from tests.conftest import client_for, with_role
from tests.factories import ExamAttemptFactory, ProgramFactory, StudentFactory, exam_ready_student

pytestmark = pytest.mark.django_db

ATTEMPTS = "/api/v1/exam-attempts/"
READINESS = f"{ATTEMPTS}readiness/"


def in_days(days: int) -> str:
    return str(timezone.localdate() + timedelta(days=days))


@pytest.fixture
def learner(student, coach):
    return exam_ready_student(user=student, coach=coach)


def test_a_student_books_their_exam_with_the_programs_credential(student, learner) -> None:
    response = client_for(student).post(ATTEMPTS, {"sat_on": in_days(14)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["student"] == learner.pk
    assert body["credential"] == "NHA CPT"
    assert body["attempt_number"] == 1
    assert body["result"] == "scheduled"
    assert body["scaled_score"] is None
    assert body["override_reason"] == ""


def test_a_retake_is_numbered_after_the_last_attempt(coach, learner) -> None:
    ExamAttemptFactory(student=learner, attempt_number=1, result=ExamResult.FAILED)
    ExamAttemptFactory(student=learner, attempt_number=2, result=ExamResult.NO_SHOW)
    body = {"student": learner.pk, "sat_on": in_days(30)}
    response = client_for(coach).post(ATTEMPTS, body)
    assert response.status_code == 201, response.json()
    assert response.json()["attempt_number"] == 3


def test_recording_a_result_then_retaking_numbers_1_then_2(student, learner) -> None:
    client = client_for(student)
    first = client.post(ATTEMPTS, {"sat_on": in_days(-3)}).json()
    recorded = client.patch(f"{ATTEMPTS}{first['id']}/", {"result": "failed", "scaled_score": 350})
    assert recorded.status_code == 200, recorded.json()
    assert (recorded.json()["result"], recorded.json()["scaled_score"]) == ("failed", 350)
    retake = client.post(ATTEMPTS, {"sat_on": in_days(20)})
    assert retake.status_code == 201
    assert retake.json()["attempt_number"] == 2


def test_no_new_attempt_after_a_pass(coach, learner) -> None:
    ExamAttemptFactory(student=learner, result=ExamResult.PASSED, scaled_score=420)
    response = client_for(coach).post(ATTEMPTS, {"student": learner.pk, "sat_on": in_days(10)})
    assert response.status_code == 409
    assert "already passed" in response.json()["detail"]


def test_no_new_attempt_while_one_is_still_scheduled(student, learner) -> None:
    client = client_for(student)
    assert client.post(ATTEMPTS, {"sat_on": in_days(10)}).status_code == 201
    response = client.post(ATTEMPTS, {"sat_on": in_days(40)})
    assert response.status_code == 409
    assert "scheduled" in response.json()["detail"]
    assert ExamAttempt.objects.filter(student=learner).count() == 1


def test_it_rejects_a_result_on_a_future_date(student, learner) -> None:
    for result in ("passed", "failed", "no_show"):
        response = client_for(student).post(ATTEMPTS, {"sat_on": in_days(2), "result": result})
        assert response.status_code == 400, result
        assert "future" in response.json()["sat_on"][0]


def test_a_score_goes_only_with_passed_or_failed(student, learner) -> None:
    client = client_for(student)
    for result in ("scheduled", "no_show"):
        response = client.post(
            ATTEMPTS, {"sat_on": in_days(-1), "result": result, "scaled_score": 400}
        )
        assert response.status_code == 400, result
        assert "scaled_score" in response.json()
    passed = client.post(ATTEMPTS, {"sat_on": in_days(-1), "result": "passed", "scaled_score": 400})
    assert passed.status_code == 201


def test_recording_no_show_needs_the_score_cleared(student, learner) -> None:
    attempt = ExamAttemptFactory(student=learner, result=ExamResult.FAILED, scaled_score=300)
    client = client_for(student)
    kept_score = client.patch(f"{ATTEMPTS}{attempt.pk}/", {"result": "no_show"}, format="json")
    assert kept_score.status_code == 400
    assert "scaled_score" in kept_score.json()
    cleared = client.patch(
        f"{ATTEMPTS}{attempt.pk}/", {"result": "no_show", "scaled_score": None}, format="json"
    )
    assert cleared.status_code == 200


def test_an_earlier_attempt_cannot_become_passed(coach, learner) -> None:
    first = ExamAttemptFactory(student=learner, attempt_number=1)
    ExamAttemptFactory(student=learner, attempt_number=2)
    response = client_for(coach).patch(f"{ATTEMPTS}{first.pk}/", {"result": "passed"})
    assert response.status_code == 400
    assert "later attempt" in response.json()["result"][0]


# -- readiness ---------------------------------------------------------------------------------


def test_booking_is_refused_until_the_completion_rules_hold(coach) -> None:
    learner = StudentFactory(coach=coach)  # no requirement edition: never complete
    response = client_for(coach).post(ATTEMPTS, {"student": learner.pk, "sat_on": in_days(7)})
    assert response.status_code == 400
    message = response.json()["student"][0]
    assert "completion requirements are not met" in message
    assert "date of birth is not on record" in message


def test_a_student_must_be_18_on_the_exam_date(student, coach) -> None:
    learner = exam_ready_student(user=student, coach=coach)
    in_ten_days = timezone.localdate() + timedelta(days=10)
    # 18 on (or, at a month's end, up to 3 days before) the tenth day from now.
    born = date(in_ten_days.year - 18, in_ten_days.month, min(in_ten_days.day, 28))
    learner.application.date_of_birth = born
    learner.application.save()
    client = client_for(student)
    too_young = client.post(ATTEMPTS, {"sat_on": in_days(5)})
    assert too_young.status_code == 400
    assert "not 18" in too_young.json()["student"][0]
    assert client.post(ATTEMPTS, {"sat_on": in_days(10)}).status_code == 201


@pytest.mark.parametrize(
    ("education", "ready"),
    [
        (Education.HS_DIPLOMA, True),
        (Education.GED, True),
        (Education.SOME_COLLEGE, True),
        (Education.DEGREE, True),
        (Education.NONE, False),
    ],
)
def test_a_diploma_ged_or_more_counts(student, learner, education, ready) -> None:
    learner.application.education = education
    learner.application.save()
    body = client_for(student).get(READINESS).json()
    assert body["ready"] is ready
    assert ("A high-school diploma or GED is required." in body["reasons"]) is not ready


def test_readiness_says_what_is_missing_in_words(coach) -> None:
    learner = exam_ready_student(coach=coach, with_application=False)
    response = client_for(coach).get(READINESS, {"student": learner.pk, "on": in_days(3)})
    assert response.status_code == 200
    assert response.json() == {
        "student": learner.pk,
        "on": in_days(3),
        "ready": False,
        "reasons": [
            "The date of birth is not on record.",
            "The education (diploma or GED) is not on record.",
        ],
    }


def test_readiness_of_a_ready_student(student, learner) -> None:
    body = client_for(student).get(READINESS).json()
    assert (body["student"], body["ready"], body["reasons"]) == (learner.pk, True, [])


def test_readiness_of_someone_elses_student_is_404(coach, learner) -> None:
    other_coach = with_role(Role.COACH, email="other.coach@school.test")
    stranger = with_role(Role.STUDENT, email="stranger@school.test")
    StudentFactory(user=stranger)
    assert client_for(other_coach).get(READINESS, {"student": learner.pk}).status_code == 404
    assert client_for(stranger).get(READINESS, {"student": learner.pk}).status_code == 404
    assert client_for(coach).get(READINESS, {"student": learner.pk}).status_code == 200


def test_readiness_needs_a_student_for_staff(coach) -> None:
    response = client_for(coach).get(READINESS)
    assert response.status_code == 400
    assert "student" in response.json()


def test_staff_may_book_anyway_with_a_recorded_reason(coach) -> None:
    learner = StudentFactory(coach=coach)
    body = {"student": learner.pk, "sat_on": in_days(7), "override_reason": "Transfer credit"}
    response = client_for(coach).post(ATTEMPTS, body)
    assert response.status_code == 201, response.json()
    assert response.json()["override_reason"] == "Transfer credit"


def test_a_student_cannot_override_readiness(student) -> None:
    StudentFactory(user=student)
    body = {"sat_on": in_days(7), "override_reason": "I feel ready"}
    response = client_for(student).post(ATTEMPTS, body)
    assert response.status_code == 400
    assert "override_reason" in response.json()


def test_a_withdrawn_student_is_not_ready(coach, learner) -> None:
    learner.stage = StudentStage.WITHDRAWN
    learner.save()
    body = client_for(coach).get(READINESS, {"student": learner.pk}).json()
    assert body["reasons"] == ["The student has withdrawn."]


# -- who ---------------------------------------------------------------------------------------


def test_each_reader_sees_only_their_students_attempts(admin_user, coach, student, learner) -> None:
    ours = ExamAttemptFactory(student=learner)
    theirs = ExamAttemptFactory(student=StudentFactory(coach=with_role(Role.COACH)))
    for user in (coach, student):
        client = client_for(user)
        assert [a["id"] for a in client.get(ATTEMPTS).json()["results"]] == [ours.pk], user
        assert client.get(f"{ATTEMPTS}{ours.pk}/").status_code == 200
        assert client.get(f"{ATTEMPTS}{theirs.pk}/").status_code == 404
        assert client.patch(f"{ATTEMPTS}{theirs.pk}/", {"result": "no_show"}).status_code == 404
    assert client_for(admin_user).get(ATTEMPTS).json()["count"] == 2


def test_a_coach_cannot_book_for_another_coachs_student(coach) -> None:
    elsewhere = exam_ready_student(coach=with_role(Role.COACH))
    response = client_for(coach).post(ATTEMPTS, {"student": elsewhere.pk, "sat_on": in_days(7)})
    assert response.status_code == 400
    assert "student" in response.json()


def test_a_student_cannot_book_for_someone_else(student, learner) -> None:
    other = exam_ready_student()
    response = client_for(student).post(ATTEMPTS, {"student": other.pk, "sat_on": in_days(7)})
    assert response.status_code == 400
    assert not ExamAttempt.objects.filter(student=other).exists()


def test_supervisors_and_anonymous_are_refused(supervisor, api, learner) -> None:
    attempt = ExamAttemptFactory(student=learner)
    assert client_for(supervisor).get(ATTEMPTS).status_code == 403
    assert client_for(supervisor).get(f"{ATTEMPTS}{attempt.pk}/").status_code == 403
    assert api.get(ATTEMPTS).status_code in (401, 403)
    assert api.post(ATTEMPTS, {"sat_on": in_days(3)}).status_code in (401, 403)


def test_a_booking_can_be_cancelled_but_a_result_stays(student, learner) -> None:
    client = client_for(student)
    booked = client.post(ATTEMPTS, {"sat_on": in_days(9)}).json()
    assert client.delete(f"{ATTEMPTS}{booked['id']}/").status_code == 204
    failed = ExamAttemptFactory(student=learner)
    assert client.delete(f"{ATTEMPTS}{failed.pk}/").status_code == 409
    assert ExamAttempt.objects.filter(pk=failed.pk).exists()


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sat_on": "2024-13-45"}, "sat_on"),
        ({"sat_on": "next tuesday"}, "sat_on"),
        ({}, "sat_on"),
        ({"sat_on": "2024-05-01", "result": "maybe"}, "result"),
        ({"sat_on": "2024-05-01", "result": "passed", "scaled_score": "abc"}, "scaled_score"),
        ({"sat_on": "2024-05-01", "result": "passed", "scaled_score": -1}, "scaled_score"),
        ({"sat_on": "2024-05-01", "result": "passed", "scaled_score": 10**12}, "scaled_score"),
        ({"sat_on": "2024-05-01", "student": "abc"}, "student"),
        ({"sat_on": "2024-05-01", "student": 10**12}, "student"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(coach, learner, body, field) -> None:
    response = client_for(coach).post(ATTEMPTS, {"student": learner.pk, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_bad_filters_are_a_400(admin_user) -> None:
    client = client_for(admin_user)
    assert client.get(ATTEMPTS, {"sat_after": "yesterday"}).status_code == 400
    assert client.get(ATTEMPTS, {"result": "maybe"}).status_code == 400
    assert client.get(READINESS, {"student": "abc"}).status_code == 400
    assert client.get(READINESS, {"student": 1, "on": "2024-02-30"}).status_code == 400


def test_the_list_filters_by_program_result_and_date(admin_user) -> None:
    phlebotomy = ExamAttemptFactory(sat_on=date(2024, 3, 1))
    ma = ProgramFactory(slug="medical-assistant", name="Medical Assistant", credential="NHA CCMA")
    ExamAttemptFactory(student=StudentFactory(cohort__program=ma), result=ExamResult.PASSED)
    client = client_for(admin_user)
    assert client.get(ATTEMPTS, {"program": "medical-assistant"}).json()["count"] == 1
    assert client.get(ATTEMPTS, {"result": ["failed", "no_show"]}).json()["count"] == 1
    dated = client.get(ATTEMPTS, {"sat_before": "2024-03-31"}).json()["results"]
    assert [a["id"] for a in dated] == [phlebotomy.pk]


def test_the_attempt_list_costs_the_same_queries_for_2_or_20(coach) -> None:
    client = client_for(coach)
    client.get(ATTEMPTS)  # the coach's roles are read once and kept on the user
    students = StudentFactory.create_batch(20, coach=coach)
    for learner in students[:2]:
        ExamAttemptFactory(student=learner)
    with CaptureQueriesContext(connection) as two:
        client.get(ATTEMPTS)
    for learner in students[2:]:
        ExamAttemptFactory(student=learner)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(ATTEMPTS).json()["count"] == 20
    # The count and the page, with the student's user and the recorder joined in.
    assert len(two) == len(twenty) == 2
