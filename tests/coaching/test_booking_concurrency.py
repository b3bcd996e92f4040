"""Booking a coach's free time under real concurrency: threads with their own connections, on
whichever database the pass uses (the coach's row lock on PostgreSQL, the IMMEDIATE write lock
on SQLite). However many students reach for the same time at once, one gets it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from backend.errors import RuleViolation
from coaching.booking import session_move, slot_book, slots_add
from coaching.models import CoachingSession, OpenSlot, SessionStatus
from enrollment.models import Student
from tests.concurrency import at_once
from tests.conftest import with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def book(student_id: int, slot_id: int) -> CoachingSession:
    student = Student.objects.select_related("user").get(pk=student_id)
    return slot_book(
        student=student, slot=OpenSlot.objects.get(pk=slot_id), kind="check_in", by=student.user
    )


def move(session_id: int, slot_id: int) -> CoachingSession:
    session = CoachingSession.objects.select_related("student__user").get(pk=session_id)
    slot = OpenSlot.objects.get(pk=slot_id)
    return session_move(session=session, slot=slot, by=session.student.user)


@pytest.fixture
def coach() -> User:
    return with_role(Role.COACH, email="ann@school.test")


def test_10_students_booking_the_same_free_time_at_once_give_one_session(coach: User) -> None:
    students = [StudentFactory(coach=coach) for _ in range(10)]
    [slot] = slots_add(coach=coach, starts_at=timezone.now() + timedelta(days=2))

    results = at_once(book, [(s.pk, slot.pk) for s in students], threads=10)

    booked = [r for r in results if isinstance(r, CoachingSession)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert (len(booked), len(refused)) == (1, 9), results
    assert {r.message for r in refused} == {"That time is no longer free; pick another."}
    assert CoachingSession.objects.filter(slot=slot, status=SessionStatus.SCHEDULED).count() == 1


def test_a_booking_and_a_move_onto_the_same_free_time_at_once_give_it_to_one(
    coach: User,
) -> None:
    avery, blair = StudentFactory(coach=coach), StudentFactory(coach=coach)
    first, contested = slots_add(coach=coach, starts_at=timezone.now() + timedelta(days=2), count=2)
    session = book(avery.pk, first.pk)

    results = at_once(
        lambda call, *args: call(*args),
        [(move, session.pk, contested.pk), (book, blair.pk, contested.pk)],
    )

    assert sum(isinstance(r, CoachingSession) for r in results) == 1, results
    assert sum(isinstance(r, RuleViolation) for r in results) == 1, results
    assert (
        CoachingSession.objects.filter(slot=contested, status=SessionStatus.SCHEDULED).count() == 1
    )
