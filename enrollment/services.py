"""Every change to a cohort's seats happens here, under a lock on the cohort row.

The invariant, under any concurrency: unexpired offers plus enrolments never exceed capacity, and
the waitlist is served strictly in submission order. Each seat-changing service opens one
transaction, locks the cohort (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE
transaction), settles expired offers, and only then counts. Messages go out after commit. Reads
never settle: a lapsed offer simply stops counting as held (see selectors); the periodic job and
the next write here settle it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from backend.audit import attributed
from backend.errors import AlreadyApplied, NotAllowed, RuleViolation
from enrollment import notifications
from enrollment.consent import DISCLOSURE_VERSION, disclosure
from enrollment.models import (
    ACTIVE_STATUSES,
    ENROLLED_STAGES,
    Application,
    ApplicationEvent,
    Cohort,
    ConsentRecord,
    Education,
    PeriodEnd,
    Program,
    Status,
    Student,
)
from enrollment.students import end_enrollment, student_enroll
from messaging.consent import ConsentChannel

QUALIFYING_EDUCATION = {
    Education.HS_DIPLOMA,
    Education.GED,
    Education.SOME_COLLEGE,
    Education.DEGREE,
}
MINIMUM_AGE = 18
# A repeat application emails the first one's status link again, at most this often.
STATUS_LINK_RESEND_EVERY = timedelta(hours=1)


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


@dataclass(frozen=True)
class RequestMeta:
    """Where an application came from, kept as consent evidence."""

    ip_address: str | None = None
    user_agent: str = ""
    source_page: str = ""


# -- reading the seats -------------------------------------------------------------------------


def seats_held(cohort: Cohort, now: datetime) -> int:
    return cohort.applications.filter(
        Q(status=Status.ENROLLED) | Q(status=Status.OFFERED, offer_expires_at__gt=now)
    ).count()


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def ineligibility_reason(*, date_of_birth: date, education: str, cohort: Cohort) -> str:
    """Why the applicant does not qualify for the cohort, or "" when they do."""
    reasons = []
    if age_on(date_of_birth, cohort.starts_on) < MINIMUM_AGE:
        reasons.append(
            f"Applicants must be {MINIMUM_AGE} or older on the start date "
            f"({cohort.starts_on:%B %-d, %Y})."
        )
    if education not in QUALIFYING_EDUCATION:
        reasons.append("A high-school diploma or GED is required.")
    return " ".join(reasons)


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


def _lock(cohort_id: int) -> Cohort:
    return Cohort.objects.select_for_update().select_related("program").get(pk=cohort_id)


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


def _settle(cohort: Cohort, now: datetime, freed: int = 0) -> Settlement:
    """Expire lapsed offers, then offer free seats to the waitlist in order. `freed` counts the
    seats the caller's change gave back (a decline, a withdrawal).

    The caller holds the cohort lock."""
    return _promote(cohort, now, freed + _expire_lapsed(cohort, now))


def offers_due(*, cohort: Cohort, free: int, waiting: int, freed: int) -> int:
    """How many of `free` seats go to the waitlist now. A waitlist-only program holds its
    never-taken seats, but every seat given back (`freed` now, or released earlier while nobody
    waited) still goes to the first in line: the waitlist always moves."""
    if cohort.is_past_cutoff():
        return 0
    if cohort.program.waitlist_only:
        free = min(free, cohort.released_seats + freed)
    return max(0, min(free, waiting))


def _promote(cohort: Cohort, now: datetime, freed: int = 0) -> Settlement:
    free = cohort.capacity - seats_held(cohort, now)
    waiting = cohort.applications.filter(status=Status.WAITLISTED)
    due = offers_due(cohort=cohort, free=free, waiting=waiting.count(), freed=freed)
    offers = list(waiting.order_by("submitted_at", "id")[:due])
    for application in offers:
        _make_offer(application, cohort, now, SYSTEM, "A seat became free.")
    # Seats given back to a waitlist-only cohort while nobody waits stay owed to the waitlist.
    _keep_released(cohort, min(free, cohort.released_seats + freed) - len(offers))
    return Settlement(offers=offers)


def _keep_released(cohort: Cohort, released: int) -> None:
    """Record the seats a waitlist-only cohort owes its waitlist (none in other programs)."""
    released = max(0, released) if cohort.program.waitlist_only else 0
    if released != cohort.released_seats:
        cohort.released_seats = released
        cohort.save(update_fields=["released_seats"])


def settle_cohort(cohort_id: int) -> list[Application]:
    """Settle one cohort now: expiries and promotions; returns the offers made. Safe any time."""
    with transaction.atomic():
        cohort = _lock(cohort_id)
        return _settle(cohort, timezone.now()).offers


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


# -- applying ----------------------------------------------------------------------------------


def _standing(now: datetime) -> Q:
    """Applications that still stand in their cohort: a lapsed offer no longer does."""
    return Q(status__in=ACTIVE_STATUSES) & ~Q(status=Status.OFFERED, offer_expires_at__lte=now)


def _existing(cohort: Cohort, email: str, phone: str, now: datetime) -> Application | None:
    return (
        cohort.applications.filter(_standing(now))
        .filter(Q(email=email) | Q(phone=phone))
        .order_by("submitted_at")
        .first()
    )


@dataclass(frozen=True)
class SeatState:
    """One aggregate read of a locked cohort, enough to place a new applicant."""

    duplicate: bool
    lapsed: int
    held: int
    waiting: int


def _seat_state(cohort: Cohort, now: datetime, email: str, phone: str) -> SeatState:
    counts = cohort.applications.aggregate(
        duplicate=Count("id", filter=_standing(now) & (Q(email=email) | Q(phone=phone))),
        lapsed=Count("id", filter=Q(status=Status.OFFERED, offer_expires_at__lte=now)),
        held=Count(
            "id",
            filter=Q(status=Status.ENROLLED) | Q(status=Status.OFFERED, offer_expires_at__gt=now),
        ),
        waiting=Count("id", filter=Q(status=Status.WAITLISTED)),
    )
    return SeatState(
        duplicate=counts["duplicate"] > 0,
        lapsed=counts["lapsed"],
        held=counts["held"],
        waiting=counts["waiting"],
    )


@attributed
def application_submit(
    *,
    cohort: Cohort | int,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    date_of_birth: date,
    education: str,
    consent: dict[str, bool],
    prior_healthcare_experience: str = "",
    meta: RequestMeta = RequestMeta(),
    actor: Actor = Actor(label="applicant"),
    submission_key: str = "",
) -> tuple[Application, bool]:
    """Apply to a cohort (or its id). Returns (application, created); a new one carries
    `waitlist_position` (None unless waitlisted).

    `submission_key` is the one-time key of the form the applicant loaded: the same key again
    (a double click) returns that first application with created=False. The same email or phone
    again raises AlreadyApplied, revealing nothing, and emails the first one's status link to
    its own address."""
    email = email.strip().lower()
    cohort_id = cohort if isinstance(cohort, int) else cohort.pk
    try:
        with transaction.atomic():
            try:
                locked = _lock(cohort_id)
            except Cohort.DoesNotExist:
                raise RuleViolation("This cohort does not exist.", field="cohort") from None
            if submission_key:
                # Only the same person's own application: a form page left open for the next
                # person (a shared computer) must not hand them the first one.
                earlier = Application.objects.filter(submission_key=submission_key).first()
                if earlier is not None:
                    same_person = email == earlier.email or phone == str(earlier.phone)
                    if earlier.cohort_id == cohort_id and same_person:
                        return earlier, False
                    submission_key = ""
            now = timezone.now()
            if not locked.program.is_active or locked.is_past_cutoff(timezone.localdate(now)):
                raise RuleViolation(
                    f"{locked} no longer takes applications; choose a later cohort.",
                    field="cohort",
                )
            # One read decides the common case; a lapsed offer or a seat left free while people
            # wait (rare) takes the full settling path first.
            state = _seat_state(locked, now, email, phone)
            if state.duplicate:
                _resend_status_link(_existing(locked, email, phone, now), now)
            else:
                if state.lapsed or (state.waiting and state.held < locked.capacity):
                    _settle(locked, now)
                    state = _seat_state(locked, now, email, phone)
                application = Application(
                    cohort=locked,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    email=email,
                    phone=phone,
                    date_of_birth=date_of_birth,
                    education=education,
                    prior_healthcare_experience=prior_healthcare_experience.strip(),
                    submitted_at=now,
                    submission_key=submission_key,
                )
                # Nobody waits (else the newcomer queues): a free seat is theirs, except the
                # never-taken seats of a waitlist-only program.
                free = (
                    0
                    if state.waiting
                    else offers_due(
                        cohort=locked, free=locked.capacity - state.held, waiting=1, freed=0
                    )
                )
                _place_new(application, locked, free, now, actor)
                if application.status == Status.OFFERED:
                    _keep_released(locked, locked.released_seats - 1)
                # The newest submission stands last in line.
                application.waitlist_position = (
                    state.waiting + 1 if application.status == Status.WAITLISTED else None
                )
                _record_consent(application, consent, meta, now)
                return application, True
    except IntegrityError:
        # A racing duplicate got past the check (the lock makes it rare).
        with transaction.atomic():
            existing = _existing(_lock(cohort_id), email, phone, timezone.now())
            if existing is None:
                raise
            _resend_status_link(existing, timezone.now())
    raise AlreadyApplied()


def _resend_status_link(application: Application, now: datetime) -> None:
    """Email the application's status link to its own address, at most once an hour. The caller
    holds the cohort lock, so two repeats at once send one email."""
    sent = application.status_link_resent_at
    if sent is not None and now - sent < STATUS_LINK_RESEND_EVERY:
        return
    Application.objects.filter(pk=application.pk).update(status_link_resent_at=now)
    notifications.queue(application, notifications.STATUS_LINK)


def _place_new(
    application: Application, cohort: Cohort, free: int, now: datetime, actor: Actor
) -> None:
    """Decide a new application: ineligible, offered (a free seat means nobody waits), or
    waitlisted."""
    reason = ineligibility_reason(
        date_of_birth=application.date_of_birth, education=application.education, cohort=cohort
    )
    if reason:
        application.status, application.ineligibility_reason = Status.INELIGIBLE, reason
    elif free > 0:
        application.status = Status.OFFERED
        application.offered_at = now
        application.offer_expires_at = now + timedelta(hours=cohort.program.offer_hold_hours)
        reason = "A seat was free."
    else:
        application.status = Status.WAITLISTED
        reason = "The cohort is full; joined the waitlist."
    application.save()
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            at=now,
            from_status=from_status,
            to_status=to_status,
            actor=actor.user,
            actor_label=actor.label,
            reason=why,
        )
        for from_status, to_status, why in [
            ("", Status.SUBMITTED, "Application received."),
            (Status.SUBMITTED, application.status, reason),
        ]
    )
    notifications.queue(application, notifications.RECEIVED)


def _record_consent(
    application: Application, consent: dict[str, bool], meta: RequestMeta, now: datetime
) -> None:
    addresses = {
        ConsentChannel.UPDATES_SMS: str(application.phone),
        ConsentChannel.SMS: str(application.phone),
        ConsentChannel.PHONE: str(application.phone),
        ConsentChannel.EMAIL: application.email,
    }
    bulk_create_with_history(
        [
            ConsentRecord(
                application=application,
                channel=channel,
                address=addresses[channel],
                granted=True,
                disclosure_text=disclosure(channel),
                disclosure_version=DISCLOSURE_VERSION,
                at=now,
                ip_address=meta.ip_address,
                user_agent=meta.user_agent[:500],
                source_page=meta.source_page[:500],
            )
            for channel in ConsentChannel
            if consent.get(channel.value)
        ],
        ConsentRecord,
    )


# -- the applicant's and staff's decisions -----------------------------------------------------


def _change(
    application: Application, allowed: set[str], verb: str
) -> tuple[Cohort, Application, datetime]:
    """Lock the application's cohort, settle it, and check the transition is still allowed.

    Callers settle the cohort in a transaction of its own first, so that an expiry found here
    is kept even when the change itself is refused."""
    cohort = _lock(application.cohort_id)
    now = timezone.now()
    _settle(cohort, now)
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
        _settle(cohort, now, freed=1)
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
        _settle(cohort, now, freed=int(held_a_seat))
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
        locked = {cohort_id: _lock(cohort_id) for cohort_id in sorted([source.pk, target.pk])}
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status != Status.WAITLISTED or not locked[source.pk].is_past_cutoff():
            raise NotAllowed("Only a waitlisted applicant of a cohort past its cutoff can move.")
        if _existing(target, current.email, str(current.phone), timezone.now()) is not None:
            raise NotAllowed(f"You already have an application for {target}.")
        now = timezone.now()
        target = locked[target.pk]
        _settle(target, now)
        current.cohort = target
        current.save(update_fields=["cohort", "updated_at"])
        _record(current, Status.WAITLISTED, actor, f"Moved from {source.name} to {target.name}.")
        _settle(target, now)
    current.refresh_from_db()
    return current


# -- cohorts -----------------------------------------------------------------------------------


def capacity_change_preview(*, cohort: Cohort, capacity: int) -> int:
    """How many offers setting the capacity to `capacity` would send now."""
    now = timezone.now()
    lapsed = cohort.applications.filter(status=Status.OFFERED, offer_expires_at__lte=now).count()
    return offers_due(
        cohort=cohort,
        free=capacity - seats_held(cohort, now),
        waiting=cohort.applications.filter(status=Status.WAITLISTED).count(),
        freed=max(0, capacity - cohort.capacity) + lapsed,
    )


@attributed
def cohort_set_capacity(*, cohort: Cohort, capacity: int, actor: Actor) -> list[Application]:
    """Change the seats; refuses to go below the seats taken; returns the offers it sent."""
    if capacity < 0:
        raise RuleViolation("Capacity cannot be negative.", field="capacity")
    with transaction.atomic():
        locked = _lock(cohort.pk)
        now = timezone.now()
        # Count the seats held now; the waitlist fills what is free only under the new capacity.
        expired = _expire_lapsed(locked, now)
        taken = seats_held(locked, now)
        if capacity < taken:
            raise RuleViolation(
                f"{taken} seats are taken or offered; capacity cannot go below that.",
                field="capacity",
            )
        added = max(0, capacity - locked.capacity)
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        return _promote(locked, now, freed=expired + added).offers


def cohort_close_waitlist(cohort: Cohort) -> int:
    """At the cutoff, tell each waitlisted applicant once that they may move to the next cohort."""
    with transaction.atomic():
        locked = _lock(cohort.pk)
        if locked.cutoff_notified_at is not None or not locked.is_past_cutoff():
            return 0
        waiting = list(locked.applications.filter(status=Status.WAITLISTED))
        for application in waiting:
            notifications.queue(application, notifications.COHORT_CLOSED)
        locked.cutoff_notified_at = timezone.now()
        locked.save(update_fields=["cutoff_notified_at"])
        return len(waiting)
