"""What the cohort lock holds up, and what it must not: on PostgreSQL it is one row lock, so a rush
on one class leaves the program's other classes, the rows that merely refer to the class and its
students' own changes free to go on."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Cohort, Status
from enrollment.services import lock_cohort
from students.services import leave_start
from tests.factories import CohortFactory, StudentFactory, applicant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: no row locks to keep apart")
    # A statement held up by a lock fails after 10 s instead of passing late: a busy machine
    # cannot make a test wait that long for a lock nobody holds.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@contextmanager
def seat_change_under_way(cohort: Cohort) -> Iterator[None]:
    """Another connection holds the cohort's lock, as a seat change does, until the block ends."""
    locked, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                lock_cohort(cohort.pk)
                locked.set()
                done.wait(timeout=120)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=60), "the other connection never got the lock"
        yield
    finally:
        done.set()
        holder.join()


def test_a_seat_change_in_one_class_does_not_hold_up_another_class_of_the_program() -> None:
    busy = CohortFactory(capacity=1)
    other = CohortFactory(program=busy.program, capacity=1)

    with seat_change_under_way(busy):
        application, created = application_submit(cohort=other, **applicant(1))

    assert created
    assert application.status == Status.OFFERED


def test_a_seat_change_does_not_hold_up_a_row_that_refers_to_the_class() -> None:
    cohort = CohortFactory(capacity=1)

    with seat_change_under_way(cohort):
        student = StudentFactory(cohort=cohort)

    assert student.cohort_id == cohort.pk


def test_a_seat_change_does_not_hold_up_a_students_own_change() -> None:
    student = StudentFactory(period=timezone.localdate())

    with seat_change_under_way(student.cohort):
        leave = leave_start(
            student=student,
            starts_on=timezone.localdate(),
            expected_return_on=None,
            reason="Family",
            actor=None,
        )

    assert leave.student_id == student.pk
