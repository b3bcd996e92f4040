"""Attempt numbering under real concurrency: threads with their own connections, on whichever
database the pass uses (the student's row lock on PostgreSQL, the IMMEDIATE write lock on
SQLite)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from backend.errors import NotAllowed
from careers.exams import exam_attempt_create
from careers.models import ExamAttempt, ExamResult
from enrollment.models import Student
from tests.concurrency import at_once
from tests.conftest import with_role
from tests.factories import exam_ready_student

pytestmark = pytest.mark.django_db(transaction=True)


def record(student_id: int, by_id: int, days_ago: int, result: str) -> ExamAttempt:
    return exam_attempt_create(
        student=Student.objects.get(pk=student_id),
        sat_on=timezone.localdate() - timedelta(days=days_ago),
        result=result,
        by=User.objects.get(pk=by_id),
    )


def test_10_concurrent_recorded_attempts_are_numbered_1_to_10() -> None:
    coach = with_role("coach")
    learner = exam_ready_student(coach=coach)
    calls = [(learner.pk, coach.pk, 30 - n, ExamResult.FAILED) for n in range(10)]
    results = at_once(record, calls, threads=10)
    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(ExamAttempt.objects.filter(student=learner).values_list("attempt_number"))
    assert numbers == [(n,) for n in range(1, 11)]


def test_10_concurrent_bookings_give_one_scheduled_attempt() -> None:
    coach = with_role("coach")
    learner = exam_ready_student(coach=coach)
    calls = [(learner.pk, coach.pk, -7, ExamResult.SCHEDULED)] * 10
    results = at_once(record, calls, threads=10)
    booked = [r for r in results if isinstance(r, ExamAttempt)]
    refused = [r for r in results if isinstance(r, NotAllowed)]
    assert (len(booked), len(refused)) == (1, 9), results
    assert booked[0].attempt_number == 1
    assert ExamAttempt.objects.filter(student=learner).count() == 1
