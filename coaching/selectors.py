"""The coach's day: their caseload with risk flags, each with its reason, worst first.

Everything a flag needs is annotated onto the students in one query, so a caseload of 10 or 150
costs the same queries; the flags are then read from each row in Python."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from typing import NamedTuple

from django.db.models import (
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone
from django.utils.functional import lazy

from backend.dates import short_day
from careers.models import ExamAttempt, ExamResult, JobApplication, JobApplicationStatus
from coaching.models import STUDENT_MESSAGE_KIND, CoachingSession, CoachNote, SessionStatus
from enrollment.models import ENROLLED_STAGES, Student, StudentStage
from externships.models import (
    ComplianceDocument,
    DocumentKind,
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


# Most urgent first: an answer or an exam due within days, then what stops clinical work or the
# credential, then what drifts.
FLAG_URGENCY = (
    FlagCode.DEADLINE_SOON,
    FlagCode.DOCUMENT_EXPIRING,
    FlagCode.FAILED_EXAM,
    FlagCode.BEHIND_PACE,
    FlagCode.NO_CONTACT,
)


def _worded(template: str, *values: object, weekday: bool = False) -> str:
    """The template filled in, each day in the caseload's compact form ("Mar 12", or with
    `weekday` "Mon, Mar 12")."""
    return template.format(
        *(short_day(v, weekday=weekday) if isinstance(v, date) else v for v in values)
    )


# A flag's reason is worded only when it is shown: the caseload flags every student to sort them
# all, then shows one page.
reason = lazy(_worded, str)


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
    running_out: (
        str | None
    )  # the first kind of compliance document to run out: "2027-02-01 tb_test"


def risk_facts(students: QuerySet[Student]) -> list[Facts]:
    """The facts of the students' flags in one query: the active placement's dates and counting
    hours, the last contact, exam attempts and compliance documents. Plain rows, no models."""
    facts = _with_standing_facts().using(students.db).filter(pk__in=students.values("pk"))
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
    # The day and kind in one subquery: one text column to read, not a second query.
    running_out = (
        ComplianceDocument.objects.filter(student=OuterRef("pk"), expires_on__isnull=False)
        .lasting()
        .order_by("expires_on")
        .annotate(day_and_kind=Concat(Cast("expires_on", CharField()), Value(" "), "kind"))
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
        running_out=Subquery(running_out.values("day_and_kind")[:1]),
    )


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
                    reason(
                        "{:g} of the {:.1f} hours expected by today ({:g} by {}).",
                        done,
                        expected,
                        hours,
                        student.placement_ends,
                    ),
                )
            )
    if enrolled and student.last_contact <= at.no_contact_before:
        since = (
            "Last contact" if student.last_contact > student.enrolled_at else "No session or note"
        )
        when = student.last_contact.astimezone(at.zone)
        flags.append(Flag(FlagCode.NO_CONTACT, reason("{} since {}.", since, when)))
    if student.offer_due and student.offer_due <= at.deadline_by:
        verb = "was due" if student.offer_due < at.today else "is due"
        flags.append(
            Flag(
                FlagCode.DEADLINE_SOON,
                reason(
                    "The answer to a job offer {} on {}.", verb, student.offer_due, weekday=True
                ),
            )
        )
    if student.exam_on and student.exam_on <= at.deadline_by:
        exam_on = reason("Exam on {}.", student.exam_on, weekday=True)
        flags.append(Flag(FlagCode.DEADLINE_SOON, exam_on))
    if student.failed_exam and not student.passed_exam and not student.exam_on:
        flags.append(Flag(FlagCode.FAILED_EXAM, "Failed the exam; no retake is booked."))
    expiry, _, kind = (student.running_out or "").partition(" ")
    if enrolled and expiry and (expires_on := date.fromisoformat(expiry)) <= at.document_by:
        verb = "expired" if expires_on < at.today else "expires"
        document = dict(DocumentKind.choices).get(kind, "A document")
        flags.append(
            Flag(
                FlagCode.DOCUMENT_EXPIRING,
                reason("{} {} on {}.", document, verb, expires_on),
            )
        )
    return flags


def risk_flags(students: QuerySet[Student], now: datetime | None = None) -> dict[int, list[Flag]]:
    """Each student's risk flags, by student id, in one query whatever their number."""
    at = Horizon.at(now or timezone.now())
    return {f.pk: flags_for(f, at) for f in risk_facts(students)}


def caseload(students: QuerySet[Student], now: datetime | None = None) -> list[CaseloadRow]:
    """Each student with their flags, those needing attention first (most flags, then the
    queryset's order)."""
    flags = risk_flags(students, now)
    rows = [CaseloadRow(student, flags[student.pk]) for student in students]
    rows.sort(key=lambda row: -len(row.flags))  # stable
    return rows


def most_urgent_first(row: CaseloadRow) -> tuple[int, int]:
    """A sort key: the row's most urgent flag, then the number of its flags (none last)."""
    ranks = [FLAG_URGENCY.index(flag.code) for flag in row.flags]
    return (min(ranks, default=len(FLAG_URGENCY)), -len(ranks))


def student_messages(student: Student) -> QuerySet[Message]:
    """Every program email and text to the student, newest first: to their account, and to
    their addresses from before it existed (offers to the applicant); and what the student wrote
    to their coach. Account mail (the one-time set-password link) is not the school's to show."""
    addresses = [a for a in (student.user.email.lower(), str(student.user.phone or "")) if a]
    return (
        Message.objects.filter(
            Q(recipient=student.user)
            | Q(recipient__isnull=True, address__in=addresses)
            | Q(sender=student.user, kind=STUDENT_MESSAGE_KIND)
        )
        .exclude(purpose=Purpose.ACCOUNT)
        .select_related("sender")
    )


def conversation(student: Student, limit: int = 5) -> list[Message]:
    """The latest messages between the student and the school's people, newest first: those of
    `student_messages` that a person wrote (a coach or admin to the student, the student to
    their coach), not the school's automatic ones."""
    return list(
        student_messages(student)
        .filter(sender__isnull=False)
        .order_by("-created_at", "-id")[:limit]
    )
