"""Reads of programs, cohorts and applications, with their seat counts and waitlist positions.

Reads never write: an offer past its deadline simply stops counting as held here; the periodic
job and the next seat change of its cohort settle it (enrollment.services)."""

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.template.defaultfilters import pluralize
from django.utils import timezone

from enrollment.models import Application, Cohort, Program, SeatStatus, Status
from messaging.consent import consent_refusal
from messaging.models import Message, MessageChannel, Purpose


def cohorts_with_counts(cohorts: QuerySet[Cohort] | None = None) -> QuerySet[Cohort]:
    """Cohorts annotated with enrolled, offered (unexpired), waitlisted and seats_left."""
    now = timezone.now()
    cohorts = Cohort.objects.all() if cohorts is None else cohorts
    return (
        cohorts.select_related("program")
        .annotate(
            enrolled_count=Count("applications", filter=Q(applications__status=Status.ENROLLED)),
            offered_count=Count(
                "applications",
                filter=Q(
                    applications__status=Status.OFFERED, applications__offer_expires_at__gt=now
                ),
            ),
            waitlisted_count=Count(
                "applications", filter=Q(applications__status=Status.WAITLISTED)
            ),
            seats_left=Greatest(F("capacity") - F("enrolled_count") - F("offered_count"), Value(0)),
        )
        .order_by("starts_on", "id")
    )


def cohorts_with_free_seats_and_a_waitlist() -> QuerySet[Cohort]:
    """Open cohorts where a seat is free and someone waits for it (in a waitlist-only program,
    only a seat given back: enrollment.services.offers_due)."""
    return cohorts_with_counts(
        Cohort.objects.filter(enrollment_cutoff__gt=timezone.localdate()).filter(
            Q(program__waitlist_only=False) | Q(released_seats__gt=0)
        )
    ).filter(seats_left__gt=0, waitlisted_count__gt=0)


def cohort_status(cohort: Cohort) -> str:
    """The seat status of one cohort annotated by `cohorts_with_counts`."""
    if cohort.is_past_cutoff():
        return SeatStatus.CLOSED
    if cohort.program.waitlist_only or cohort.seats_left == 0:
        return SeatStatus.WAITLIST_ONLY
    if cohort.seats_left <= cohort.program.few_left_at:
        return SeatStatus.FEW_LEFT
    return SeatStatus.OPEN


def seat_words(cohort: Cohort | None) -> str:
    """A cohort's live seats as every page says them (the home page, the program's page, the
    form): "7 seats left", "Only 2 seats left", "Full: join the waitlist", "Waitlist only" (a
    program closed to new enrollments), or "Closed" (no cohort, or past its cutoff). The cohort
    is one annotated by `cohorts_with_counts`."""
    status = SeatStatus.CLOSED if cohort is None else cohort_status(cohort)
    if status == SeatStatus.CLOSED:
        return "Closed"
    if status == SeatStatus.WAITLIST_ONLY:
        return "Waitlist only" if cohort.program.waitlist_only else "Full: join the waitlist"
    seats = f"{cohort.seats_left} seat{pluralize(cohort.seats_left)} left"
    return f"Only {seats}" if status == SeatStatus.FEW_LEFT else seats


def open_cohorts(cohorts: QuerySet[Cohort] | None = None) -> QuerySet[Cohort]:
    """Cohorts still taking applications, earliest first, with counts."""
    cohorts = (Cohort.objects.all() if cohorts is None else cohorts).filter(
        enrollment_cutoff__gt=timezone.localdate()
    )
    return cohorts_with_counts(cohorts).order_by("starts_on", "id")


@dataclass
class ProgramSeats:
    program: Program
    next_cohort: Cohort | None

    @property
    def seat_status(self) -> str:
        return SeatStatus.CLOSED if self.next_cohort is None else cohort_status(self.next_cohort)

    @property
    def seat_words(self) -> str:
        return seat_words(self.next_cohort)


def programs_with_seats(programs: QuerySet[Program] | None = None) -> list[ProgramSeats]:
    """Each active program with its next open cohort and live seat status (three queries)."""
    programs = Program.objects.filter(is_active=True) if programs is None else programs
    programs = list(programs)
    next_cohorts: dict[int, Cohort] = {}
    for cohort in open_cohorts(Cohort.objects.filter(program__in=programs)):
        next_cohorts.setdefault(cohort.program_id, cohort)
    return [ProgramSeats(program, next_cohorts.get(program.pk)) for program in programs]


@dataclass
class CohortSeats:
    """A cohort still taking applications, with its live seat status."""

    cohort: Cohort

    @property
    def seat_status(self) -> str:
        return cohort_status(self.cohort)

    @property
    def seat_words(self) -> str:
        return seat_words(self.cohort)


def program_cohorts(program: Program) -> list[CohortSeats]:
    """The program's cohorts still taking applications, earliest first, each with its live seats
    (one query)."""
    return [CohortSeats(cohort) for cohort in open_cohorts(program.cohorts.all())]


def waitlist(cohort: Cohort) -> QuerySet[Application]:
    """The cohort's waitlisted applications in queue order, each with its 1-based `position`."""
    return (
        cohort.applications.filter(status=Status.WAITLISTED)
        .annotate(position=Window(RowNumber(), order_by=[F("submitted_at").asc(), F("id").asc()]))
        .order_by("submitted_at", "id")
    )


def applications_with_positions(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with `waitlist_position` (null unless waitlisted), in one query."""
    ahead = (
        Application.objects.filter(
            Q(submitted_at__lt=OuterRef("submitted_at"))
            | Q(submitted_at=OuterRef("submitted_at"), id__lt=OuterRef("id")),
            cohort_id=OuterRef("cohort_id"),
            status=Status.WAITLISTED,
        )
        .order_by()
        .values("cohort_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return applications.select_related("cohort__program").annotate(
        waitlist_position=Case(
            When(status=Status.WAITLISTED, then=Coalesce(Subquery(ahead), 0) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


@dataclass(frozen=True)
class OfferNotice:
    """Where the applicant hears of an offer and its deadline: `phone` is empty when we do not
    text them."""

    email: str
    phone: str


def offer_notice(application: Application) -> OfferNotice | None:
    """How a waitlisted or offered applicant is told of an offer: always by email to the address
    given, by text only while their consent to texts about the application is live."""
    if application.current_status not in (Status.WAITLISTED, Status.OFFERED):
        return None
    text = Message(
        channel=MessageChannel.SMS, address=str(application.phone), purpose=Purpose.PROGRAM
    )
    texted = application.phone and not consent_refusal(text)
    return OfferNotice(
        email=application.email, phone=application.phone.as_national if texted else ""
    )
