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
    standing,
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
    """One aggregate read of a locked cohort, enough to place a new applicant."""

    duplicate: bool
    lapsed: int
    held: int
    waiting: int


def _seat_state(cohort: Cohort, now: datetime, email: str, phone: str) -> SeatState:
    counts = cohort.applications.aggregate(
        duplicate=Count("id", filter=standing(now) & (Q(email=email) | Q(phone=phone))),
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
    try:
        with transaction.atomic():
            try:
                locked = lock_cohort(cohort_id)
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
                _resend_status_link(existing_application(locked, email, phone, now), now)
            else:
                if state.lapsed or (state.waiting and state.held < locked.capacity):
                    settle(locked, now)
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
                    keep_released(locked, locked.released_seats - 1)
                # The newest submission stands last in line.
                application.waitlist_position = (
                    state.waiting + 1 if application.status == Status.WAITLISTED else None
                )
                _record_consent(application, consent, meta, now)
                return application, True
    except IntegrityError:
        # A racing duplicate got past the check (the lock makes it rare).
        with transaction.atomic():
            existing = existing_application(lock_cohort(cohort_id), email, phone, timezone.now())
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
