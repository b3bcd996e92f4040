"""Exam attempts: booking (numbered under a lock on the student, refused until the student is
ready unless staff override with a reason), recording a result, and removing a booking."""

from datetime import date

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from backend.audit import attributed
from backend.errors import NotAllowed, RuleViolation
from careers.models import SAT_RESULTS, ExamAttempt, ExamResult
from careers.selectors import exam_readiness
from careers.services import lock_student, not_in_future
from enrollment.models import Student


def _check_result(*, result: str, sat_on: date, scaled_score: int | None) -> None:
    if result != ExamResult.SCHEDULED:
        not_in_future(sat_on, "sat_on", "The date of a recorded result")
    if scaled_score is not None and result not in SAT_RESULTS:
        raise RuleViolation(
            "A scaled score goes only with a result of passed or failed.", field="scaled_score"
        )


def _refuse_unless_ready(student: Student, sat_on: date, override_reason: str, by: User) -> str:
    """The override reason to record: blank when the student is ready, staff's reason when they
    book anyway; refused with the reasons otherwise."""
    readiness = exam_readiness(student, on=sat_on)
    if readiness.ready:
        return ""
    if override_reason.strip() and by.is_school_staff:
        return override_reason.strip()
    raise RuleViolation("Not exam-ready: " + " ".join(readiness.reasons), field="student")


@attributed
def exam_attempt_create(
    *,
    student: Student,
    sat_on: date,
    result: str = ExamResult.SCHEDULED,
    scaled_score: int | None = None,
    override_reason: str = "",
    by: User,
) -> ExamAttempt:
    """Book (or record) the next attempt at the program's credential, numbered after the last.
    Refused after a pass, while another attempt is still scheduled, and for a student who is
    not exam-ready, unless staff give an override reason."""
    if override_reason.strip() and not by.is_school_staff:
        raise RuleViolation(
            "Only staff may book an exam before readiness.", field="override_reason"
        )
    _check_result(result=result, sat_on=sat_on, scaled_score=scaled_score)
    with transaction.atomic():
        student = lock_student(student)
        credential = student.cohort.program.credential
        attempts = ExamAttempt.objects.filter(student=student)
        if attempts.filter(credential=credential, result=ExamResult.PASSED).exists():
            raise NotAllowed(f"{student} has already passed the {credential} exam.")
        if attempts.filter(result=ExamResult.SCHEDULED).exists():
            raise NotAllowed(
                f"{student} already has an attempt scheduled; record its result first."
            )
        override_reason = _refuse_unless_ready(student, sat_on, override_reason, by)
        last = attempts.filter(credential=credential).aggregate(last=Max("attempt_number"))
        return ExamAttempt.objects.create(
            student=student,
            credential=credential,
            attempt_number=(last["last"] or 0) + 1,
            sat_on=sat_on,
            result=result,
            scaled_score=scaled_score,
            override_reason=override_reason,
            recorded_by=by,
        )


@attributed
def exam_attempt_update(
    *,
    attempt: ExamAttempt,
    sat_on: date,
    result: str,
    scaled_score: int | None,
    by: User,
) -> ExamAttempt:
    """Record the result of an attempt, or correct its date or score (all three are the new
    values). An earlier attempt (one with a later attempt after it) can be neither scheduled
    nor passed; a scheduled attempt moved to another date is checked for readiness again."""
    _check_result(result=result, sat_on=sat_on, scaled_score=scaled_score)
    with transaction.atomic():
        student = lock_student(attempt.student)
        attempt = ExamAttempt.objects.select_for_update().get(pk=attempt.pk)
        others = ExamAttempt.objects.filter(student=student).exclude(pk=attempt.pk)
        later = others.filter(
            credential=attempt.credential, attempt_number__gt=attempt.attempt_number
        )
        if result in (ExamResult.SCHEDULED, ExamResult.PASSED) and later.exists():
            raise RuleViolation(
                f"Attempt {attempt.attempt_number} has a later attempt; it cannot be "
                f"{ExamResult(result).label.lower()}.",
                field="result",
            )
        if result == ExamResult.SCHEDULED and others.filter(result=result).exists():
            raise NotAllowed(f"{student} already has another attempt scheduled.")
        rescheduled = result == ExamResult.SCHEDULED and sat_on != attempt.sat_on
        if rescheduled and not attempt.override_reason:
            _refuse_unless_ready(student, sat_on, "", by)
        attempt.sat_on = sat_on
        attempt.result = result
        attempt.scaled_score = scaled_score
        attempt.save(update_fields=["sat_on", "result", "scaled_score"])
        return attempt


def exam_attempt_delete(*, attempt: ExamAttempt) -> None:
    """Cancel a booking. A recorded result stays on record: it counts in the credential rate."""
    if attempt.result != ExamResult.SCHEDULED:
        raise NotAllowed("A recorded result stays on record; correct it instead of deleting it.")
    attempt.delete()
