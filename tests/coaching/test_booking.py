"""Sessions booked from a coach's free times (coaching/booking.py): the coach offers times, a
student of theirs books one, moves it or cancels it, and the coach is emailed each time.

The cast: coach Ann offers times to her students Avery and Blair; coach Ben's student Cory
cannot book Ann's times."""

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from backend.dates import long_day
from backend.errors import NotAllowed, RuleViolation
from coaching.booking import (
    MAX_UPCOMING,
    coach_slots,
    free_slots,
    session_cancel,
    session_move,
    slot_book,
    slot_remove,
    slots_add,
)
from coaching.models import CoachingSession, OpenSlot, SessionStatus
from coaching.services import session_schedule, session_update
from enrollment.models import Student
from messaging.models import Message
from tests.conftest import with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at the given clock time in the school's zone."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def avery(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Avery", user__last_name="Adams")


@pytest.fixture
def blair(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Blair", user__last_name="Brooks")


@pytest.fixture
def cory() -> Student:
    ben = with_role(Role.COACH, email="ben@school.test")
    return StudentFactory(coach=ben, user__first_name="Cory", user__last_name="Cole")


def offer(coach: User, starts_at: datetime, **kwargs: object) -> OpenSlot:
    return slots_add(coach=coach, starts_at=starts_at, **kwargs)[0]


def mail_to(user: User) -> list[Message]:
    return list(Message.objects.filter(recipient=user).order_by("id"))


# -- the coach's free times ------------------------------------------------------------------


def test_a_coach_offers_back_to_back_times_on_several_weeks(ann: User) -> None:
    slots = slots_add(coach=ann, starts_at=at(2, 13), duration_minutes=30, count=3, weeks=2)
    local = [timezone.localtime(s.starts_at) for s in slots]
    assert [(t.date() - local[0].date()).days for t in local] == [0, 0, 0, 7, 7, 7]
    assert [t.strftime("%H:%M") for t in local] == ["13:00", "13:30", "14:00"] * 2


def test_a_time_over_another_free_time_is_refused_and_none_of_the_batch_is_kept(
    ann: User,
) -> None:
    offer(ann, at(2, 14))
    with pytest.raises(RuleViolation, match="You already offer") as refusal:
        slots_add(coach=ann, starts_at=at(2, 13), count=4)  # 13:00 to 15:00
    assert refusal.value.field == "starts_at"
    assert refusal.value.message.endswith(", 2:00 p.m.")  # its own period ends the sentence
    assert OpenSlot.objects.count() == 1


def test_a_time_over_one_of_the_coachs_sessions_is_refused(ann: User, avery: Student) -> None:
    session_schedule(student=avery, kind="check_in", starts_at=at(3, 10, 15), by=ann)
    with pytest.raises(
        RuleViolation, match=r"You have a session then: check-in with Avery Adams"
    ) as refusal:
        offer(ann, at(3, 10), duration_minutes=30)
    assert refusal.value.message.endswith(", 10:15 a.m.")
    assert not OpenSlot.objects.exists()


def test_a_time_in_the_past_is_refused(ann: User) -> None:
    with pytest.raises(RuleViolation, match="A free time is in the future"):
        offer(ann, timezone.now() - timedelta(minutes=5))


def test_too_many_times_at_once_are_refused(ann: User) -> None:
    with pytest.raises(RuleViolation, match="at most 48") as refusal:
        slots_add(coach=ann, starts_at=at(1, 8), duration_minutes=5, count=16, weeks=4)
    assert refusal.value.field == "count"


def test_the_database_keeps_one_time_per_coach_and_start(ann: User) -> None:
    offer(ann, at(2, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenSlot.objects.create(coach=ann, starts_at=at(2, 9), duration_minutes=15)


def test_a_coach_removes_a_free_time_but_not_one_a_student_booked(
    ann: User, avery: Student
) -> None:
    free, booked = slots_add(coach=ann, starts_at=at(2, 9), count=2)
    slot_book(student=avery, slot=booked, kind="check_in", by=avery.user)
    slot_remove(slot=free)
    with pytest.raises(NotAllowed, match="Avery Adams booked this time"):
        slot_remove(slot=booked)
    assert list(OpenSlot.objects.all()) == [booked]


# -- booking ---------------------------------------------------------------------------------


def test_a_student_books_a_free_time_of_their_coach_and_the_coach_is_emailed(
    ann: User, avery: Student
) -> None:
    slot = offer(ann, at(2, 14, 30), duration_minutes=45)
    session = slot_book(student=avery, slot=slot, kind="resume_review", by=avery.user)

    assert (session.coach, session.starts_at, session.duration_minutes) == (ann, slot.starts_at, 45)
    assert (session.kind, session.status, session.slot) == ("resume_review", "scheduled", slot)
    [email] = mail_to(ann)
    assert email.subject.startswith("Avery Adams booked a resume review on ")
    assert "2:30 p.m." in email.subject
    assert f"/coach/students/{avery.pk}/" in email.body
    assert free_slots(ann.pk) == []


def test_the_coachs_email_reads_in_their_own_zone_and_names_it(ann: User, avery: Student):
    """The pages show the school's zone; the coach's email theirs, so each time says which."""
    ann.time_zone = "America/Chicago"
    ann.save(update_fields=["time_zone"])
    slot = offer(ann, at(2, 14, 30))
    slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)
    [email] = mail_to(ann)
    # 2:30 p.m. at the school (New York) is 1:30 p.m. in Chicago, CST or CDT by the season.
    said = f"Avery Adams booked a check-in on {long_day(slot.starts_at)}, 1:30 p.m. C"
    assert email.subject.startswith(said)
    assert email.subject[len(said) :] in ("ST", "DT")
    assert "1:30 p.m. C" in email.body


def test_a_booked_time_is_not_free_for_another_student(
    ann: User, avery: Student, blair: Student
) -> None:
    slot = offer(ann, at(2, 10))
    slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)
    with pytest.raises(RuleViolation, match="That time is no longer free") as refusal:
        slot_book(student=blair, slot=slot, kind="check_in", by=blair.user)
    assert refusal.value.field == "slot"
    assert CoachingSession.objects.count() == 1


def test_a_time_the_coach_booked_directly_is_not_free(ann: User, avery: Student) -> None:
    slot = offer(ann, at(2, 10))
    session_schedule(student=avery, kind="check_in", starts_at=at(2, 10), by=ann)
    assert free_slots(ann.pk) == []
    [row] = coach_slots(ann.pk)
    assert (row.slot, row.taken_by.student) == (slot, avery)


def test_another_coachs_time_cannot_be_booked(ann: User, cory: Student) -> None:
    slot = offer(ann, at(2, 10))
    with pytest.raises(RuleViolation, match="no longer offered"):
        slot_book(student=cory, slot=slot, kind="check_in", by=cory.user)
    assert not CoachingSession.objects.exists()


def test_a_time_that_has_passed_cannot_be_booked(ann: User, avery: Student) -> None:
    slot = OpenSlot.objects.create(coach=ann, starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RuleViolation, match="That time has passed"):
        slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)


def test_a_student_holds_at_most_a_few_upcoming_sessions(ann: User, avery: Student) -> None:
    slots = slots_add(coach=ann, starts_at=at(2, 9), count=MAX_UPCOMING + 1)
    for slot in slots[:MAX_UPCOMING]:
        slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)
    with pytest.raises(RuleViolation, match=f"You already have {MAX_UPCOMING} sessions booked"):
        slot_book(student=avery, slot=slots[-1], kind="check_in", by=avery.user)


def test_a_withdrawn_student_books_nothing(ann: User, avery: Student) -> None:
    avery.stage = "withdrawn"
    avery.save()
    slot = offer(ann, at(2, 10))
    with pytest.raises(NotAllowed, match="withdrawn"):
        slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)


def test_free_times_further_than_six_weeks_are_not_offered_yet(ann: User) -> None:
    near, far = offer(ann, at(7, 10)), offer(ann, at(50, 10))
    assert free_slots(ann.pk) == [near]
    assert [row.slot for row in coach_slots(ann.pk)] == [near, far]


def test_the_database_keeps_one_scheduled_session_per_free_time(
    ann: User, avery: Student, blair: Student
) -> None:
    slot = offer(ann, at(2, 10))
    slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        CoachingSession.objects.create(
            student=blair, coach=ann, kind="check_in", starts_at=slot.starts_at, slot=slot
        )


# -- moving and cancelling -------------------------------------------------------------------


def test_a_student_moves_a_session_to_another_free_time_and_the_old_one_is_free_again(
    ann: User, avery: Student
) -> None:
    first, second = offer(ann, at(2, 10)), offer(ann, at(3, 15), duration_minutes=60)
    session = slot_book(student=avery, slot=first, kind="check_in", by=avery.user)
    moved = session_move(session=session, slot=second, by=avery.user)

    assert (moved.starts_at, moved.duration_minutes, moved.slot) == (second.starts_at, 60, second)
    assert free_slots(ann.pk) == [first]
    assert mail_to(ann)[-1].subject.startswith("Avery Adams moved a check-in to ")
    assert "The old time is free again" in mail_to(ann)[-1].body


def test_a_session_cannot_be_moved_onto_a_taken_time(
    ann: User, avery: Student, blair: Student
) -> None:
    mine, theirs = slots_add(coach=ann, starts_at=at(2, 10), count=2)
    session = slot_book(student=avery, slot=mine, kind="check_in", by=avery.user)
    slot_book(student=blair, slot=theirs, kind="check_in", by=blair.user)
    with pytest.raises(RuleViolation, match="no longer free"):
        session_move(session=session, slot=theirs, by=avery.user)
    session.refresh_from_db()
    assert session.slot == mine


def test_a_student_cancels_and_the_time_is_free_again(ann: User, avery: Student) -> None:
    slot = offer(ann, at(2, 10))
    session = slot_book(student=avery, slot=slot, kind="mock_interview", by=avery.user)
    cancelled = session_cancel(session=session, by=avery.user)

    assert cancelled.status == SessionStatus.CANCELLED
    assert free_slots(ann.pk) == [slot]
    assert mail_to(ann)[-1].subject.startswith("Avery Adams cancelled a mock interview on ")
    with pytest.raises(NotAllowed, match="This session is cancelled"):
        session_cancel(session=session, by=avery.user)


def test_a_session_that_has_started_is_neither_moved_nor_cancelled(
    ann: User, avery: Student
) -> None:
    later = offer(ann, at(2, 10))
    started = CoachingSession.objects.create(
        student=avery, coach=ann, kind="check_in", starts_at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(NotAllowed, match="has started"):
        session_move(session=started, slot=later, by=avery.user)
    with pytest.raises(NotAllowed, match="has started"):
        session_cancel(session=started, by=avery.user)


def test_a_session_moved_elsewhere_through_the_api_leaves_its_free_time_to_others(
    ann: User, avery: Student, blair: Student
) -> None:
    slot = offer(ann, at(2, 10))
    session = slot_book(student=avery, slot=slot, kind="check_in", by=avery.user)
    session_update(session=session, by=avery.user, starts_at=at(4, 16))

    taken = slot_book(student=blair, slot=slot, kind="check_in", by=blair.user)
    assert taken.slot == slot
    slot_remove(slot=offer(ann, at(5, 9)))  # an untouched free time still goes
