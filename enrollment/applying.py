"""Applying: a new application placed under the cohort lock (offered, waitlisted or
ineligible), its consent records, and a repeat that reveals nothing of the first application."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from backend.audit import attributed
from backend.errors import AlreadyApplied, RuleViolation
from enrollment import notifications
from enrollment.consent import DISCLOSURE_VERSION, disclosure
from enrollment.eligibility import ineligibility_reason
from enrollment.models import (
    PLACED_STATUSES,
    Application,
    ApplicationEvent,
    Cohort,
    ConsentRecord,
    Status,
)
from enrollment.services import (
    Actor,
    existing_application,
    keep_released,
    lock_cohort,
    offers_due,
    settle,
)
from messaging.consent import ConsentChannel

APPLICANT = Actor(label="applicant")
# A repeat application emails the first one's status link again, at most this often.
STATUS_LINK_RESEND_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class RequestMeta:
    """Where an application came from, kept as consent evidence."""

    ip_address: str | None = None
    user_agent: str = ""
    source_page: str = ""


@dataclass(frozen=True)
class SeatState:
    """One read of a locked cohort, enough to place a new applicant."""

    lapsed: int
    held: int
    waiting: int


def _seat_state(cohort: Cohort, now: datetime) -> SeatState:
    """The cohort's placed applications counted by status, an offer past its deadline apart: it
    no longer holds its seat (see services.seats_held)."""
    counts = (
        cohort.applications.filter(status__in=PLACED_STATUSES)
        .annotate(past_deadline=Q(offer_expires_at__lte=now))
        .values_list("status", "past_deadline")
        .annotate(n=Count("id"))
        .order_by()
    )
    lapsed = held = waiting = 0
    for status, past_deadline, n in counts:
        if status == Status.WAITLISTED:
            waiting += n
        elif status == Status.OFFERED and past_deadline:
            lapsed += n
        else:  # enrolled, or an offer still open
            held += n
    return SeatState(lapsed=lapsed, held=held, waiting=waiting)


class _Repeat(Exception):
    """The same person already stands in the cohort: the attempt is rolled back."""


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
    actor: Actor = APPLICANT,
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

    def new_application(key: str) -> Application:
        return Application(
            cohort_id=cohort_id,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            phone=phone,
            date_of_birth=date_of_birth,
            education=education,
            prior_healthcare_experience=prior_healthcare_experience.strip(),
            submission_key=key,
        )

    attempts = 0
    while True:
        attempts += 1
        try:
            with transaction.atomic():
                earlier, key = _earlier_submission(submission_key, cohort_id, email, phone)
                if earlier is not None:
                    return earlier, False
                return _apply(new_application(key), consent, meta, actor), True
        except (_Repeat, IntegrityError) as exc:
            # Rolled back: the same email or phone stands in the cohort (the unique index on its
            # placed ones refused this one), or this form's twin was placed first (its key is
            # unique).
            refused = exc
        earlier, stands = _repeat(submission_key, cohort_id, email, phone)
        if earlier is not None:
            return earlier, False
        if stands or (attempts == 3 and isinstance(refused, _Repeat)):
            raise AlreadyApplied()
        if attempts == 3:
            raise refused  # no repeat behind it: an error of its own
        # The application that stood has left the cohort since: apply again.


def _repeat(key: str, cohort_id: int, email: str, phone: str) -> tuple[Application | None, bool]:
    """After a refused attempt: the application that the same form already sent, or whether the
    same person stands in the cohort, whose status link is then emailed to them again."""
    with transaction.atomic():
        earlier, _ = _earlier_submission(key, cohort_id, email, phone)
        if earlier is not None:
            return earlier, False
        now = timezone.now()
        existing = existing_application(cohort_id, email, phone, now)
        if existing is not None:
            _resend_status_link(existing, now)
        return None, existing is not None


def _earlier_submission(
    key: str, cohort_id: int, email: str, phone: str
) -> tuple[Application | None, str]:
    """The application that the same form (its one-time key) already sent, and the key to store
    on a new one: none when the key is another person's."""
    if not key:
        return None, key
    earlier = Application.objects.filter(submission_key=key).first()
    if earlier is None:
        return None, key
    # Only the same person's own application: a form page left open for the next person (a
    # shared computer) must not hand them the first one.
    if earlier.cohort_id == cohort_id and (email == earlier.email or phone == str(earlier.phone)):
        return earlier, key
    return None, ""


def _apply(
    application: Application, consent: dict[str, bool], meta: RequestMeta, actor: Actor
) -> Application:
    """Place a new application. What does not depend on the seats is written first; the cohort
    lock is held from the seat count to the commit: the decision, and the place in line."""
    received = timezone.now()
    application.submitted_at = received
    # Submitted, it holds no place: its history row is written with its decision.
    Application.objects.bulk_create([application])
    _record_consent(application, consent, meta, received)
    # The confirmation is worded when it is sent, after the commit.
    notifications.queue(application, notifications.RECEIVED)
    try:
        application.cohort = cohort = lock_cohort(application.cohort_id)
    except Cohort.DoesNotExist:
        raise RuleViolation("This cohort does not exist.", field="cohort") from None
    now = timezone.now()
    if not cohort.program.is_active or cohort.is_past_cutoff(timezone.localdate(now)):
        raise RuleViolation(
            f"{cohort} no longer takes applications; choose a later cohort.", field="cohort"
        )
    # One read decides the common case; a lapsed offer or a seat left free while people wait
    # (rare) takes the full settling path first.
    state = _seat_state(cohort, now)
    if state.lapsed or (state.waiting and state.held < cohort.capacity):
        settle(cohort, now)
        state = _seat_state(cohort, now)
    # Nobody waits (else the newcomer queues): a free seat is theirs, except the never-taken
    # seats of a waitlist-only program.
    free = (
        0
        if state.waiting
        else offers_due(cohort=cohort, free=cohort.capacity - state.held, waiting=1, freed=0)
    )
    _place_new(application, cohort, free, now, actor)
    if application.status == Status.OFFERED:
        keep_released(cohort, cohort.released_seats - 1)
    # The newest submission stands last in line.
    application.waitlist_position = (
        state.waiting + 1 if application.status == Status.WAITLISTED else None
    )
    return application


def _resend_status_link(application: Application, now: datetime) -> None:
    """Email the application's status link to its own address, at most once an hour: of two
    repeats at once, the one whose update finds the hour passed sends it."""
    due = Q(status_link_resent_at__isnull=True) | Q(
        status_link_resent_at__lte=now - STATUS_LINK_RESEND_EVERY
    )
    if Application.objects.filter(due, pk=application.pk).update(status_link_resent_at=now):
        notifications.queue(application, notifications.STATUS_LINK)


# What placing a new application decides, written in one UPDATE under the cohort lock.
DECIDED_FIELDS = (
    "status",
    "submitted_at",
    "offered_at",
    "offer_expires_at",
    "ineligibility_reason",
    "updated_at",
)


def _place_new(
    application: Application, cohort: Cohort, free: int, now: datetime, actor: Actor
) -> None:
    """Decide a new application: ineligible, offered (a free seat means nobody waits), or
    waitlisted. Its place in line is the moment the lock let it in."""
    reason = ineligibility_reason(
        date_of_birth=application.date_of_birth, education=application.education, cohort=cohort
    )
    if reason:
        # Not placed, the unique index on placed emails and phones does not see it: a person who
        # stands in the cohort already is a repeat all the same.
        email, phone = application.email, str(application.phone)
        if existing_application(cohort.pk, email, phone, now) is not None:
            raise _Repeat
        application.status, application.ineligibility_reason = Status.INELIGIBLE, reason
    elif free > 0:
        application.status = Status.OFFERED
        application.offered_at = now
        application.offer_expires_at = now + timedelta(hours=cohort.program.offer_hold_hours)
        reason = "A seat was free."
    else:
        application.status = Status.WAITLISTED
        reason = "The cohort is full; joined the waitlist."
    application.submitted_at = application.updated_at = now
    Application.objects.filter(pk=application.pk).update(
        **{name: getattr(application, name) for name in DECIDED_FIELDS}
    )
    Application.audit_trail.bulk_history_create([application], default_date=now)
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


def _record_consent(
    application: Application, consent: dict[str, bool], meta: RequestMeta, now: datetime
) -> None:
    phone = str(application.phone)
    addresses = {
        ConsentChannel.UPDATES_SMS: phone,
        ConsentChannel.SMS: phone,
        ConsentChannel.PHONE: phone,
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
