"""Sessions a student books from their coach's free times: the coach's open times (offer,
remove), which of them are still free, and a student's booking, move and cancellation, each told
to the coach by email.

The session rules (coached stages, in the future, a coach never double-booked) stay with
`session_schedule` and `session_update`; every write here first locks the coach's row, as they
do, so two students reaching for the same free time are served one after the other and the
second is told it has gone. The database's last guard: one scheduled session per open time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from backend.dates import long_moment
from backend.errors import NotAllowed, RuleViolation
from coaching.models import CoachingSession, OpenSlot, SessionStatus
from coaching.services import session_schedule, session_update
from enrollment.models import Student
from messaging import services as messaging
from messaging.emails import render_email
from messaging.models import MessageChannel, Purpose
from messaging.texting_hours import recipient_zone

# Students see their coach's free times up to six weeks ahead.
BOOKING_HORIZON = timedelta(weeks=6)
# A student holds at most this many upcoming sessions, so that one student cannot take every
# free time of their coach.
MAX_UPCOMING = 3
# One "add free times" may offer at most this many (e.g. 8 half hours on 6 weeks).
MAX_SLOTS_AT_ONCE = 48
LONGEST_SESSION = timedelta(minutes=480)


def _ends(starts_at: datetime, minutes: int) -> datetime:
    return starts_at + timedelta(minutes=minutes)


def _overlap(a: OpenSlot | CoachingSession, starts_at: datetime, minutes: int) -> bool:
    return a.starts_at < _ends(starts_at, minutes) and starts_at < _ends(
        a.starts_at, a.duration_minutes
    )


def _scheduled(coach_id: int, since: datetime, until: datetime) -> list[CoachingSession]:
    """The coach's scheduled sessions that may overlap the time from `since` to `until`."""
    return list(
        CoachingSession.objects.filter(
            coach_id=coach_id,
            status=SessionStatus.SCHEDULED,
            starts_at__lt=until,
            starts_at__gt=since - LONGEST_SESSION,
        ).select_related("student__user")
    )


# -- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachSlot:
    """One of the coach's open times, with the scheduled session over it when it is taken."""

    slot: OpenSlot
    taken_by: CoachingSession | None


def coach_slots(
    coach_id: int, *, now: datetime | None = None, until: datetime | None = None
) -> list[CoachSlot]:
    """The coach's open times from now (to `until`), each with the scheduled session that takes
    it, if any (two queries)."""
    now = now or timezone.now()
    slots = OpenSlot.objects.filter(coach_id=coach_id, starts_at__gt=now)
    if until is not None:
        slots = slots.filter(starts_at__lt=until)
    slots = list(slots)
    if not slots:
        return []
    last_end = max(_ends(s.starts_at, s.duration_minutes) for s in slots)
    sessions = _scheduled(coach_id, slots[0].starts_at, last_end)
    return [
        CoachSlot(
            slot,
            next((s for s in sessions if _overlap(s, slot.starts_at, slot.duration_minutes)), None),
        )
        for slot in slots
    ]


def free_slots(
    coach_id: int | None, *, now: datetime | None = None, moving: int | None = None
) -> list[OpenSlot]:
    """The coach's open times a student may book, up to BOOKING_HORIZON ahead: those no scheduled
    session takes (the session being `moving` leaves its own time free)."""
    if coach_id is None:
        return []
    now = now or timezone.now()
    rows = coach_slots(coach_id, now=now, until=now + BOOKING_HORIZON)
    return [row.slot for row in rows if row.taken_by is None or row.taken_by.pk == moving]


# -- the coach's open times ------------------------------------------------------------------


def _lock_coach(coach_id: int) -> User:
    """The coach's row, locked: every booking of one coach goes one at a time."""
    return User.objects.select_for_update().get(pk=coach_id)


def slots_add(
    *,
    coach: User,
    starts_at: datetime,
    duration_minutes: int = 30,
    count: int = 1,
    weeks: int = 1,
) -> list[OpenSlot]:
    """Offer `count` back-to-back free times of `duration_minutes` from `starts_at`, on `weeks`
    weeks in a row (the same clock time each week). All or none: refused when one is in the
    past or overlaps another open time or a scheduled session of the coach."""
    if not 5 <= duration_minutes <= 480:
        raise RuleViolation("A free time lasts 5 to 480 minutes.", field="duration_minutes")
    if count < 1 or weeks < 1 or count * weeks > MAX_SLOTS_AT_ONCE:
        raise RuleViolation(f"Add at most {MAX_SLOTS_AT_ONCE} free times at once.", field="count")
    first = timezone.localtime(starts_at)
    # Wall-clock arithmetic in the school's zone: 10:00 stays 10:00 across a change of clocks.
    times = [
        first + timedelta(weeks=week, minutes=duration_minutes * n)
        for week in range(weeks)
        for n in range(count)
    ]
    if times[0] <= timezone.now():
        raise RuleViolation("A free time is in the future.", field="starts_at")
    with transaction.atomic():
        _lock_coach(coach.pk)
        since, until = times[0], _ends(times[-1], duration_minutes)
        offered = list(
            OpenSlot.objects.filter(
                coach=coach, starts_at__lt=until, starts_at__gt=since - LONGEST_SESSION
            )
        )
        sessions = _scheduled(coach.pk, since, until)
        for moment in times:
            # A time ends in "a.m." or "p.m.": that period ends the sentence too.
            if clash := next((s for s in offered if _overlap(s, moment, duration_minutes)), None):
                raise RuleViolation(
                    f"You already offer {long_moment(clash.starts_at)}", field="starts_at"
                )
            if clash := next((s for s in sessions if _overlap(s, moment, duration_minutes)), None):
                raise RuleViolation(
                    f"You have a session then: {clash.get_kind_display().lower()} with "
                    f"{clash.student} on {long_moment(clash.starts_at)}",
                    field="starts_at",
                )
        return OpenSlot.objects.bulk_create(
            OpenSlot(coach=coach, starts_at=moment, duration_minutes=duration_minutes)
            for moment in times
        )


def slot_remove(*, slot: OpenSlot) -> None:
    """Stop offering a free time. Refused while a student's booking holds it: that session is
    moved or cancelled first, so nobody loses a session without being told."""
    with transaction.atomic():
        _lock_coach(slot.coach_id)
        booked = (
            CoachingSession.objects.filter(slot_id=slot.pk, status=SessionStatus.SCHEDULED)
            .select_related("student__user")
            .first()
        )
        if booked is not None:
            raise NotAllowed(
                f"{booked.student} booked this time; move or cancel that session first."
            )
        OpenSlot.objects.filter(pk=slot.pk).delete()


# -- the student's bookings ------------------------------------------------------------------


def _free_slot(coach_id: int, slot_id: int, *, moving: int | None = None) -> OpenSlot:
    """The open time, checked under the coach's lock: offered, ahead, and not taken."""
    slot = OpenSlot.objects.filter(pk=slot_id, coach_id=coach_id).first()
    if slot is None:
        raise RuleViolation("That time is no longer offered; pick another.", field="slot")
    if slot.starts_at <= timezone.now():
        raise RuleViolation("That time has passed; pick another.", field="slot")
    sessions = _scheduled(coach_id, slot.starts_at, _ends(slot.starts_at, slot.duration_minutes))
    if any(s.pk != moving and _overlap(s, slot.starts_at, slot.duration_minutes) for s in sessions):
        raise RuleViolation("That time is no longer free; pick another.", field="slot")
    return slot


def slot_book(*, student: Student, slot: OpenSlot, kind: str, by: User) -> CoachingSession:
    """Book one of the student's coach's free times as a session of `kind`; the coach is told.
    Refused for another coach's time, a time that has passed or was just taken, and beyond
    MAX_UPCOMING upcoming sessions."""
    if student.coach_id is None:
        raise RuleViolation("You have no coach yet; the school will assign one.", field="slot")
    with transaction.atomic():
        _lock_coach(student.coach_id)
        free = _free_slot(student.coach_id, slot.pk)
        upcoming = CoachingSession.objects.filter(
            student=student, status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).count()
        if upcoming >= MAX_UPCOMING:
            raise RuleViolation(
                f"You already have {upcoming} sessions booked; move one of them instead.",
                field="slot",
            )
        session = session_schedule(
            student=student,
            kind=kind,
            starts_at=free.starts_at,
            duration_minutes=free.duration_minutes,
            by=by,
        )
        session.slot = free
        session.save(update_fields=["slot"])
        _tell_coach(session, "booked")
    return session


def _open_session(session: CoachingSession) -> CoachingSession:
    """The session as it is now (under the coach's lock), refused once closed or started."""
    current = CoachingSession.objects.select_related("student__user", "coach").get(pk=session.pk)
    if current.status != SessionStatus.SCHEDULED:
        raise NotAllowed(f"This session is {current.get_status_display().lower()}.")
    if current.starts_at <= timezone.now():
        raise NotAllowed("This session has started; talk to your coach.")
    return current


def session_move(*, session: CoachingSession, slot: OpenSlot, by: User) -> CoachingSession:
    """Move a student's upcoming session to another free time of the same coach; its old time
    is free again and the coach is told."""
    with transaction.atomic():
        _lock_coach(session.coach_id)
        current = _open_session(session)
        was = current.starts_at
        free = _free_slot(current.coach_id, slot.pk, moving=current.pk)
        moved = session_update(
            session=current,
            by=by,
            starts_at=free.starts_at,
            duration_minutes=free.duration_minutes,
        )
        moved.slot = free
        moved.save(update_fields=["slot"])
        _tell_coach(moved, "moved", was=was)
    return moved


def session_cancel(*, session: CoachingSession, by: User) -> CoachingSession:
    """Cancel a student's upcoming session; its time is free again and the coach is told."""
    with transaction.atomic():
        _lock_coach(session.coach_id)
        current = _open_session(session)
        cancelled = session_update(session=current, by=by, status=SessionStatus.CANCELLED)
        _tell_coach(cancelled, "cancelled")
    return cancelled


def _tell_coach(session: CoachingSession, what: str, was: datetime | None = None) -> None:
    """Email the coach what their student did (work mail: no consent needed; logged)."""
    coach = session.coach
    context = {
        "session": session,
        "what": what,
        "was": was,
        "coach": coach,
        "page_url": settings.SITE_URL + reverse("coach-student", args=[session.student_id]),
    }
    # Written in the coach's own zone, which may not be the school's that the pages use: every
    # time in it names its zone.
    with timezone.override(recipient_zone(coach, coach.phone)):
        email = render_email("coaching/email/session_by_student.html", context)
    messaging.queue(
        channel=MessageChannel.EMAIL,
        address=coach.email,
        recipient=coach,
        kind=f"session_{what}",
        purpose=Purpose.WORK,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )
