"""Every change to a cohort's seats happens here, under a lock on the cohort row.

The invariant, under any concurrency: unexpired offers plus enrolments never exceed capacity, and
the waitlist is served strictly in submission order. Each seat-changing service opens one
transaction, locks the cohort (PostgreSQL: SELECT ... FOR NO KEY UPDATE of its row; SQLite: the
IMMEDIATE transaction), settles expired offers, and only then counts. Messages are queued in the
same transaction and sent after it commits (backend/outbox.py). Reads never settle: a lapsed offer
simply stops counting as held (see selectors); the periodic job and the next write here settle it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from backend.audit import attributed
from backend.errors import NotAllowed, RuleViolation
from enrollment import notifications
from enrollment.models import (
    ENROLLED_STAGES,
    PLACED_STATUSES,
    Application,
    ApplicationEvent,
    Cohort,
    PeriodEnd,
    Program,
    Status,
    Student,
)
from enrollment.students import end_enrollment, student_enroll


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in user, the applicant (by token), or the system."""

    user: User | None = None
    label: str = "system"

    @classmethod
    def of(cls, user: User | None) -> "Actor":
        if user is not None and user.is_authenticated:
            return cls(user=user, label=user.email)
        return cls(label="applicant")


SYSTEM = Actor()


# -- reading the seats -------------------------------------------------------------------------


def seats_held(cohort: Cohort, now: datetime) -> int:
    return cohort.applications.filter(
        Q(status=Status.ENROLLED) | Q(status=Status.OFFERED, offer_expires_at__gt=now)
    ).count()


def next_open_cohort(program: Program, *, after: Cohort | None = None) -> Cohort | None:
    """The program's earliest cohort still open for applications (before its cutoff)."""
    cohorts = program.cohorts.filter(enrollment_cutoff__gt=timezone.localdate())
    if after is not None:
        cohorts = cohorts.filter(starts_on__gte=after.starts_on).exclude(pk=after.pk)
    return cohorts.order_by("starts_on", "id").first()


@dataclass(frozen=True)
class Settlement:
    """What settling a cohort did: the offers it made."""

    offers: list[Application]


# -- the locked core ---------------------------------------------------------------------------


def lock_cohort(cohort_id: int) -> Cohort:
    """The cohort, locked against every other seat change until the transaction ends. Only its
    row: its program is read, not locked, so the program's other cohorts go on; and writes that
    merely refer to the cohort (a new student) are not held up."""
    cohorts = Cohort.objects.select_for_update(no_key=True, of=("self",))
    return cohorts.select_related("program").get(pk=cohort_id)


def _record(application: Application, from_status: str, actor: Actor, reason: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        actor=actor.user,
        actor_label=actor.label,
        reason=reason,
    )


def _transition(
    application: Application, to_status: str, actor: Actor, reason: str = "", **fields: object
) -> None:
    from_status = application.status
    application.status = to_status
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "updated_at", *fields])
    _record(application, from_status, actor, reason)


def _make_offer(
    application: Application, cohort: Cohort, now: datetime, actor: Actor, reason: str
) -> None:
    expires = now + timedelta(hours=cohort.program.offer_hold_hours)
    _transition(
        application, Status.OFFERED, actor, reason, offered_at=now, offer_expires_at=expires
    )
    notifications.queue(application, notifications.OFFER_MADE)


def _expire_lapsed(cohort: Cohort, now: datetime) -> int:
    """Expire the cohort's lapsed offers; returns how many seats that freed."""
    lapsed = list(
        cohort.applications.filter(status=Status.OFFERED, offer_expires_at__lte=now).order_by(
            "offer_expires_at", "id"
        )
    )
    for application in lapsed:
        _transition(application, Status.EXPIRED, SYSTEM, "The offer was not accepted in time.")
        notifications.queue(application, notifications.OFFER_EXPIRED)
    return len(lapsed)


def settle(cohort: Cohort, now: datetime, freed: int = 0) -> Settlement:
    """Expire lapsed offers, then offer free seats to the waitlist in order. `freed` counts the
    seats the caller's change gave back (a decline, a withdrawal).

    The caller holds the cohort lock."""
    return _promote(cohort, now, freed + _expire_lapsed(cohort, now))


def seats_for_waitlist(*, cohort: Cohort, free: int, freed: int) -> int:
    """Of `free` seats, those the waitlist may have: all of them, except that a waitlist-only
    program holds its never-taken seats; every seat given back (`freed` now, or released earlier
    while nobody waited) still goes to the first in line: the waitlist always moves."""
    if cohort.program.waitlist_only:
        free = min(free, cohort.released_seats + freed)
    return max(0, free)


def offers_due(*, cohort: Cohort, free: int, waiting: int, freed: int) -> int:
    """How many of `free` seats go to the waitlist now: none after the cutoff, else as many of
    the seats the waitlist may have as there are people waiting."""
    if cohort.is_past_cutoff():
        return 0
    return min(seats_for_waitlist(cohort=cohort, free=free, freed=freed), max(0, waiting))


def _promote(cohort: Cohort, now: datetime, freed: int = 0) -> Settlement:
    free = cohort.capacity - seats_held(cohort, now)
    waiting = cohort.applications.filter(status=Status.WAITLISTED)
    due = offers_due(cohort=cohort, free=free, waiting=waiting.count(), freed=freed)
    offers = list(waiting.order_by("submitted_at", "id")[:due])
    for application in offers:
        _make_offer(application, cohort, now, SYSTEM, "A seat became free.")
    # Seats given back to a waitlist-only cohort while nobody waits stay owed to the waitlist.
    keep_released(cohort, seats_for_waitlist(cohort=cohort, free=free, freed=freed) - len(offers))
    return Settlement(offers=offers)


def keep_released(cohort: Cohort, released: int) -> None:
    """Record the seats a waitlist-only cohort owes its waitlist (none in other programs)."""
    released = max(0, released) if cohort.program.waitlist_only else 0
    if released != cohort.released_seats:
        cohort.released_seats = released
        cohort.save(update_fields=["released_seats"])


def settle_cohort(cohort_id: int) -> list[Application]:
    """Settle one cohort now: expiries and promotions; returns the offers made. Safe any time."""
    with transaction.atomic():
        cohort = lock_cohort(cohort_id)
        return settle(cohort, timezone.now()).offers


def settle_expired_offers(cohort_ids: list[int] | None = None) -> int:
    """Settle every cohort (or those given) that has an expired offer; returns how many it settled.

    Called by the periodic job; until it runs, reads count a lapsed offer as a free seat and the
    next write to the cohort settles it first, so a stopped worker never strands a seat.
    """
    lapsed = Application.objects.filter(status=Status.OFFERED, offer_expires_at__lte=timezone.now())
    if cohort_ids is not None:
        lapsed = lapsed.filter(cohort_id__in=cohort_ids)
    ids = sorted(set(lapsed.values_list("cohort_id", flat=True)))
    for cohort_id in ids:
        settle_cohort(cohort_id)
    return len(ids)


# -- who already stands in a cohort ----------------------------------------------------------


def standing(now: datetime) -> Q:
    """Applications that still stand in their cohort: a lapsed offer no longer does."""
    return Q(status__in=PLACED_STATUSES) & ~Q(status=Status.OFFERED, offer_expires_at__lte=now)


def existing_application(
    cohort_id: int, email: str, phone: str, now: datetime
) -> Application | None:
    return (
        Application.objects.filter(standing(now), cohort_id=cohort_id)
        .filter(Q(email=email) | Q(phone=phone))
        .order_by("submitted_at")
        .first()
    )


# -- the applicant's and staff's decisions -----------------------------------------------------


def _change(
    application: Application, allowed: set[str], verb: str
) -> tuple[Cohort, Application, datetime]:
    """Lock the application's cohort, settle it, and check the transition is still allowed.

    Callers settle the cohort in a transaction of its own first, so that an expiry found here
    is kept even when the change itself is refused."""
    cohort = lock_cohort(application.cohort_id)
    now = timezone.now()
    settle(cohort, now)
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status not in allowed:
        raise NotAllowed(
            f"You cannot {verb} an application that is {current.get_status_display().lower()}."
        )
    return cohort, current, now


@attributed
def application_accept(*, application: Application, actor: Actor) -> Application:
    settle_cohort(application.cohort_id)
    with transaction.atomic():
        cohort, current, _ = _change(application, {Status.OFFERED}, "accept")
        _transition(current, Status.ENROLLED, actor, "Offer accepted.")
        student_enroll(application=current, cohort=cohort)
        notifications.queue(current, notifications.ENROLLED)
    return current


@attributed
def application_decline(*, application: Application, actor: Actor) -> Application:
    settle_cohort(application.cohort_id)
    with transaction.atomic():
        cohort, current, now = _change(application, {Status.OFFERED}, "decline")
        _transition(current, Status.DECLINED, actor, "Offer declined.")
        settle(cohort, now, freed=1)
    return current


@attributed
def application_withdraw(
    *, application: Application, actor: Actor, reason: str = "", on: date | None = None
) -> Application:
    """Withdraw an application; for an enrolled student, their enrollment ends on `on` (today by
    default) and the seat goes to the waitlist."""
    settle_cohort(application.cohort_id)
    with transaction.atomic():
        cohort, current, now = _change(
            application, {Status.OFFERED, Status.WAITLISTED, Status.ENROLLED}, "withdraw"
        )
        was_enrolled = current.status == Status.ENROLLED
        held_a_seat = current.status in (Status.OFFERED, Status.ENROLLED)
        _transition(current, Status.WITHDRAWN, actor, reason or "Withdrawn.")
        student = Student.objects.select_for_update().filter(application=current).first()
        if was_enrolled and student is not None and student.stage in ENROLLED_STAGES:
            # The student leaves too: their period ends and any placement is cancelled.
            end_enrollment(
                student=student,
                on=on or timezone.localdate(),
                end=PeriodEnd.WITHDRAWN,
                actor=actor.user,
                reason=reason or "Withdrawn.",
            )
        settle(cohort, now, freed=int(held_a_seat))
    return current


@attributed
def application_move_to_next_cohort(*, application: Application, actor: Actor) -> Application:
    """After the cutoff, a waitlisted applicant moves to the program's next open cohort, keeping
    their original submission time, so they stand ahead of everyone who applied later."""
    source = application.cohort
    target = next_open_cohort(source.program, after=source)
    if target is None:
        raise NotAllowed("There is no later cohort open for applications yet.")
    with transaction.atomic():
        # Both cohorts, always in id order, so that two moves cannot deadlock.
        locked = {cohort_id: lock_cohort(cohort_id) for cohort_id in sorted([source.pk, target.pk])}
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status != Status.WAITLISTED or not locked[source.pk].is_past_cutoff():
            raise NotAllowed("Only a waitlisted applicant of a cohort past its cutoff can move.")
        if (
            existing_application(target.pk, current.email, str(current.phone), timezone.now())
            is not None
        ):
            raise NotAllowed(f"You already have an application for {target}.")
        now = timezone.now()
        target = locked[target.pk]
        settle(target, now)
        current.cohort = target
        current.save(update_fields=["cohort", "updated_at"])
        _record(current, Status.WAITLISTED, actor, f"Moved from {source.name} to {target.name}.")
        settle(target, now)
    current.refresh_from_db()
    return current


# -- cohorts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityPreview:
    """What setting a cohort's capacity would do now, counted as `cohort_set_capacity` counts
    it (`offers` is `offers_due`); the admin's preview puts it in words."""

    current: int
    capacity: int
    held: int  # enrolled, plus offers not yet lapsed
    waiting: int
    for_waitlist: int  # of the free seats, those the waitlist may have (seats_for_waitlist)
    offers: int
    past_cutoff: bool
    waitlist_only: bool

    @property
    def added(self) -> int:
        return self.capacity - self.current

    @property
    def free_before(self) -> int:
        return max(0, self.current - self.held)

    @property
    def free(self) -> int:
        return self.capacity - self.held

    @property
    def owed(self) -> int:
        """Seats a waitlist-only cohort keeps for the next people to join its waitlist."""
        return self.for_waitlist - self.offers if self.waitlist_only else 0

    @property
    def left_open(self) -> int:
        """Free seats nobody is offered: open to applicants, or closed (waitlist-only)."""
        return self.free - self.offers - self.owed


def _check_capacity(capacity: int, taken: int) -> None:
    if capacity < 0:
        raise RuleViolation("Capacity cannot be negative.", field="capacity")
    if capacity < taken:
        raise RuleViolation(
            f"{taken} seats are taken or offered; capacity cannot go below that.",
            field="capacity",
        )


def capacity_change_preview(*, cohort: Cohort, capacity: int) -> CapacityPreview:
    """What setting the capacity to `capacity` would do now: the offers it sends and what
    becomes of the other free seats. Refused, as the change would be, below the seats taken."""
    now = timezone.now()
    held = seats_held(cohort, now)
    _check_capacity(capacity, held)
    lapsed = cohort.applications.filter(status=Status.OFFERED, offer_expires_at__lte=now).count()
    waiting = cohort.applications.filter(status=Status.WAITLISTED).count()
    free, freed = capacity - held, max(0, capacity - cohort.capacity) + lapsed
    return CapacityPreview(
        current=cohort.capacity,
        capacity=capacity,
        held=held,
        waiting=waiting,
        for_waitlist=seats_for_waitlist(cohort=cohort, free=free, freed=freed),
        offers=offers_due(cohort=cohort, free=free, waiting=waiting, freed=freed),
        past_cutoff=cohort.is_past_cutoff(),
        waitlist_only=cohort.program.waitlist_only,
    )


@attributed
def cohort_set_capacity(*, cohort: Cohort, capacity: int, actor: Actor) -> list[Application]:
    """Change the seats; refuses to go below the seats taken; returns the offers it sent."""
    _check_capacity(capacity, 0)
    with transaction.atomic():
        locked = lock_cohort(cohort.pk)
        now = timezone.now()
        # Count the seats held now; the waitlist fills what is free only under the new capacity.
        expired = _expire_lapsed(locked, now)
        _check_capacity(capacity, seats_held(locked, now))
        added = max(0, capacity - locked.capacity)
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        return _promote(locked, now, freed=expired + added).offers


def cohort_close_waitlist(cohort: Cohort) -> int:
    """At the cutoff, tell each waitlisted applicant once that they may move to the next cohort."""
    with transaction.atomic():
        locked = lock_cohort(cohort.pk)
        if locked.cutoff_notified_at is not None or not locked.is_past_cutoff():
            return 0
        waiting = list(locked.applications.filter(status=Status.WAITLISTED))
        for application in waiting:
            notifications.queue(application, notifications.COHORT_CLOSED)
        locked.cutoff_notified_at = timezone.now()
        locked.save(update_fields=["cutoff_notified_at"])
        return len(waiting)
