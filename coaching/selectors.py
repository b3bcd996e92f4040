"""The coach's day: their caseload with risk flags, each with its reason, worst first.

Everything a flag needs is annotated onto the students in one query, so a caseload of 10 or 150
costs the same queries; the flags are then read from each row in Python."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from typing import NamedTuple

from django.db.models import (
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from careers.models import ExamAttempt, ExamResult, JobApplication, JobApplicationStatus
from coaching.models import CoachingSession, CoachNote, SessionStatus
from enrollment.models import ENROLLED_STAGES, Student, StudentStage
from externships.models import (
    ComplianceDocument,
    Externship,
    ExternshipStatus,
    HourLog,
)
from externships.rules import required_hours
from messaging.models import Message, Purpose

NO_CONTACT_DAYS = 14
DEADLINE_HOURS = 72
DOCUMENT_DAYS = 30


class FlagCode:
    BEHIND_PACE = "behind_pace"
    NO_CONTACT = "no_contact"
    DEADLINE_SOON = "deadline_soon"
    FAILED_EXAM = "failed_exam"
    DOCUMENT_EXPIRING = "document_expiring"


FLAG_LABELS = {
    FlagCode.BEHIND_PACE: "Behind pace on hours",
    FlagCode.NO_CONTACT: f"No contact for {NO_CONTACT_DAYS} days",
    FlagCode.DEADLINE_SOON: f"Job offer or exam within {DEADLINE_HOURS} hours",
    FlagCode.FAILED_EXAM: "Failed exam, no retake scheduled",
    FlagCode.DOCUMENT_EXPIRING: f"Document expiring within {DOCUMENT_DAYS} days",
}


class Flag(NamedTuple):
    code: str
    reason: str

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.code]


@dataclass
class CaseloadRow:
    student: Student
    flags: list[Flag]


class Facts(NamedTuple):
    """What the flags of one student read, as one row of the facts query."""

    pk: int
    stage: str
    enrolled_at: datetime
    last_contact: datetime  # the last held session or note, else the enrollment
    required_hours: float | None  # what the student's requirement edition asks for
    placement_starts: date | None
    placement_ends: date | None
    approved_minutes: int
    exam_on: date | None
    offer_due: date | None  # the soonest answer owed on a job offer
    failed_exam: bool
    passed_exam: bool
    next_expiry: date | None


def risk_facts(students: QuerySet[Student], at: "Horizon") -> list[Facts]:
    """The facts of the students' flags in one query: the active placement's dates and counting
    hours, the last contact, exam attempts and compliance documents. Plain rows, no models."""
    facts = (
        _with_standing_facts()
        .using(students.db)
        .filter(pk__in=students.values("pk"))
        .annotate(next_expiry=_next_expiry(at))
    )
    return [Facts._make(row) for row in facts.values_list(*Facts._fields)]


def _last(model: type, field: str, **conditions: object) -> Subquery:
    rows = model.objects.filter(student=OuterRef("pk"), **conditions).order_by(f"-{field}")
    return Subquery(rows.values(field)[:1])


@cache
def _with_standing_facts() -> QuerySet[Student]:
    """Students with the facts that do not depend on the day. Built once, never evaluated, only
    chained: building these subqueries costs more than running them."""
    placement = Externship.objects.filter(
        student=OuterRef("pk"), status=ExternshipStatus.ACTIVE
    ).order_by("-starts_on")
    minutes = (
        HourLog.objects.counting()
        .filter(externship__student=OuterRef("pk"), externship__status=ExternshipStatus.ACTIVE)
        .order_by()
        .values("externship__student")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    attempts = ExamAttempt.objects.filter(student=OuterRef("pk"))
    offers = JobApplication.objects.filter(
        student=OuterRef("pk"), status=JobApplicationStatus.OFFERED, respond_by__isnull=False
    )
    return Student.objects.order_by().annotate(
        required_hours=required_hours(OuterRef("requirement_set")),
        placement_starts=Subquery(placement.values("starts_on")[:1]),
        placement_ends=Subquery(placement.values("ends_on")[:1]),
        approved_minutes=Coalesce(Subquery(minutes), 0, output_field=IntegerField()),
        last_contact=Greatest(
            Coalesce(_last(CoachingSession, "starts_at", status=SessionStatus.HELD), "enrolled_at"),
            Coalesce(_last(CoachNote, "created_at"), "enrolled_at"),
        ),
        exam_on=Subquery(
            attempts.filter(result=ExamResult.SCHEDULED).order_by("sat_on").values("sat_on")[:1]
        ),
        offer_due=Subquery(offers.order_by("respond_by").values("respond_by")[:1]),
        failed_exam=Exists(attempts.filter(result=ExamResult.FAILED)),
        passed_exam=Exists(attempts.filter(result=ExamResult.PASSED)),
    )


def _next_expiry(at: "Horizon") -> Subquery:
    """The first expiry within the window of a compliance document that no later one of its kind
    outlasts."""
    renewed = ComplianceDocument.objects.filter(
        student=OuterRef("student"), kind=OuterRef("kind")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=at.document_by))
    expiring = ComplianceDocument.objects.filter(
        student=OuterRef("pk"), expires_on__lte=at.document_by
    ).filter(~Exists(renewed))
    return Subquery(expiring.order_by("expires_on").values("expires_on")[:1])


def expected_hours(required: float, starts: date, ends: date, today: date) -> float:
    """Hours on the straight line from the placement's first day (0) to its last (all)."""
    if today <= starts:
        return 0.0
    span = max((ends - starts).days, 1)
    return required * min((today - starts).days, span) / span


@dataclass(frozen=True)
class Horizon:
    """The moments the flags compare against, worked out once per call."""

    now: datetime
    zone: tzinfo
    today: date
    no_contact_before: datetime
    deadline_by: date
    document_by: date

    @classmethod
    def at(cls, now: datetime) -> "Horizon":
        today = timezone.localdate(now)
        return cls(
            now=now,
            zone=timezone.get_current_timezone(),
            today=today,
            no_contact_before=now - timedelta(days=NO_CONTACT_DAYS),
            deadline_by=timezone.localdate(now + timedelta(hours=DEADLINE_HOURS)),
            document_by=today + timedelta(days=DOCUMENT_DAYS),
        )


def flags_for(student: Facts, at: Horizon) -> list[Flag]:
    """The risk flags of one student, from their facts."""
    flags = []
    enrolled = student.stage in ENROLLED_STAGES
    hours = student.required_hours or 0
    if student.placement_starts and hours and student.stage == StudentStage.EXTERNSHIP:
        expected = expected_hours(hours, student.placement_starts, student.placement_ends, at.today)
        if student.approved_minutes < expected * 60:
            done = student.approved_minutes // 6 / 10  # tenths, rounded down like progress
            flags.append(
                Flag(
                    FlagCode.BEHIND_PACE,
                    f"{done:g} of the {expected:.1f} hours expected by today "
                    f"({hours:g} by {student.placement_ends:%b %-d}).",
                )
            )
    if enrolled and student.last_contact <= at.no_contact_before:
        since = (
            "Last contact" if student.last_contact > student.enrolled_at else "No session or note"
        )
        when = student.last_contact.astimezone(at.zone)
        flags.append(Flag(FlagCode.NO_CONTACT, f"{since} since {when:%b %-d}."))
    if student.offer_due and student.offer_due <= at.deadline_by:
        verb = "was due" if student.offer_due < at.today else "is due"
        flags.append(
            Flag(
                FlagCode.DEADLINE_SOON,
                f"The answer to a job offer {verb} on {student.offer_due:%a %b %-d}.",
            )
        )
    if student.exam_on and student.exam_on <= at.deadline_by:
        flags.append(Flag(FlagCode.DEADLINE_SOON, f"Exam on {student.exam_on:%a %b %-d}."))
    if student.failed_exam and not student.passed_exam and not student.exam_on:
        flags.append(Flag(FlagCode.FAILED_EXAM, "Failed the exam; no retake is booked."))
    if enrolled and student.next_expiry:
        verb = "expired" if student.next_expiry < at.today else "expires"
        flags.append(
            Flag(
                FlagCode.DOCUMENT_EXPIRING,
                f"A compliance document {verb} on {student.next_expiry:%b %-d}.",
            )
        )
    return flags


def risk_flags(students: QuerySet[Student], now: datetime | None = None) -> dict[int, list[Flag]]:
    """Each student's risk flags, by student id, in one query whatever their number."""
    at = Horizon.at(now or timezone.now())
    return {f.pk: flags_for(f, at) for f in risk_facts(students, at)}


def caseload(students: QuerySet[Student], now: datetime | None = None) -> list[CaseloadRow]:
    """Each student with their flags, those needing attention first (most flags, then the
    queryset's order)."""
    flags = risk_flags(students, now)
    rows = [CaseloadRow(student, flags[student.pk]) for student in students]
    rows.sort(key=lambda row: -len(row.flags))  # stable
    return rows


def student_messages(student: Student) -> QuerySet[Message]:
    """Every program email and text to the student, newest first: to their account, and to
    their addresses from before it existed (offers to the applicant); and what the student wrote
    to their coach. Account mail (the one-time set-password link) is not the school's to show."""
    addresses = [a for a in (student.user.email.lower(), str(student.user.phone or "")) if a]
    return (
        Message.objects.filter(
            Q(recipient=student.user)
            | Q(recipient__isnull=True, address__in=addresses)
            | Q(sender=student.user)
        )
        .exclude(purpose=Purpose.ACCOUNT)
        .select_related("sender")
    )
