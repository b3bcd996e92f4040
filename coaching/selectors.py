"""The coach's day: their caseload with risk flags, each with its reason, worst first.

Everything a flag needs is annotated onto the students in one query, so a caseload of 10 or 150
costs the same queries; the flags are then read from each row in Python."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import (
    Exists,
    Expression,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from careers.models import ExamAttempt, ExamResult, JobApplication, JobApplicationStatus
from coaching.models import CoachingSession, CoachNote, SessionStatus
from enrollment.models import ENROLLED_STAGES, Student, StudentStage
from externships.models import (
    ComplianceDocument,
    Externship,
    ExternshipStatus,
    HourLog,
    LogStatus,
    Requirement,
    RequirementKind,
)
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


def _last(model: type, field: str, **conditions: object) -> Subquery:
    rows = model.objects.filter(student=OuterRef("pk"), **conditions).order_by(f"-{field}")
    return Subquery(rows.values(field)[:1])


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: datetime | str) -> datetime:
    # SQLite hands back UTC as text or a naive datetime, PostgreSQL an aware datetime. Django's
    # converters cost more than the query itself here, so the facts convert their own columns.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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

    @classmethod
    def from_row(cls, row: tuple) -> "Facts":
        (
            pk,
            stage,
            enrolled,
            last,
            hours,
            starts,
            ends,
            minutes,
            exam,
            offer,
            failed,
            passed,
            due,
        ) = row
        return cls(
            pk,
            stage,
            _moment(enrolled),
            _moment(last),
            hours,
            _day(starts),
            _day(ends),
            minutes,
            _day(exam),
            _day(offer),
            bool(failed),
            bool(passed),
            _day(due),
        )


# The facts query costs about 1.5 ms to run and 7 ms to build and compile through the ORM, so it is
# compiled once per database with placeholders: the caller's students and the document horizon.
_STUDENTS = "/* students */ SELECT NULL"
_HORIZON = date(1900, 1, 1)


def _facts_query(students: Expression, horizon: date) -> QuerySet[Student]:
    active = Externship.objects.filter(student=OuterRef("pk"), status=ExternshipStatus.ACTIVE)
    replaced = HourLog.objects.filter(status=LogStatus.APPROVED, corrects__isnull=False)
    minutes = (
        HourLog.objects.filter(
            externship__student=OuterRef("pk"),
            externship__status=ExternshipStatus.ACTIVE,
            status=LogStatus.APPROVED,
        )
        .exclude(pk__in=replaced.values("corrects_id"))
        .order_by()
        .values("externship__student")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    hours = (
        Requirement.objects.filter(
            requirement_set=OuterRef("requirement_set"), kind=RequirementKind.HOURS
        )
        .order_by()
        .values("requirement_set")
        .annotate(total=Sum(Cast(KeyTransform("hours", "params"), FloatField())))
        .values("total")
    )
    attempts = ExamAttempt.objects.filter(student=OuterRef("pk"))
    # A document counts as expiring unless a later one of its kind outlasts the window.
    renewed = ComplianceDocument.objects.filter(
        student=OuterRef("student"), kind=OuterRef("kind")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
    expiring = ComplianceDocument.objects.filter(
        student=OuterRef("pk"), expires_on__lte=horizon
    ).filter(~Exists(renewed))
    return (
        Student.objects.filter(pk__in=students)
        .order_by()
        .annotate(
            required_hours=Subquery(hours),
            placement_starts=Subquery(active.order_by("-starts_on").values("starts_on")[:1]),
            placement_ends=Subquery(active.order_by("-starts_on").values("ends_on")[:1]),
            approved_minutes=Coalesce(Subquery(minutes), 0, output_field=IntegerField()),
            last_contact=Greatest(
                Coalesce(
                    _last(CoachingSession, "starts_at", status=SessionStatus.HELD), "enrolled_at"
                ),
                Coalesce(_last(CoachNote, "created_at"), "enrolled_at"),
            ),
            exam_on=Subquery(
                attempts.filter(result=ExamResult.SCHEDULED).order_by("sat_on").values("sat_on")[:1]
            ),
            offer_due=Subquery(
                JobApplication.objects.filter(
                    student=OuterRef("pk"),
                    status=JobApplicationStatus.OFFERED,
                    respond_by__isnull=False,
                )
                .order_by("respond_by")
                .values("respond_by")[:1]
            ),
            failed_exam=Exists(attempts.filter(result=ExamResult.FAILED)),
            passed_exam=Exists(attempts.filter(result=ExamResult.PASSED)),
            next_expiry=Subquery(expiring.order_by("expires_on").values("expires_on")[:1]),
        )
        .values_list(*Facts._fields)
    )


@cache
def _compiled_facts(using: str) -> tuple[str, tuple]:
    query = _facts_query(RawSQL(_STUDENTS, ()), _HORIZON).query
    sql, params = query.get_compiler(using).as_sql()
    # The students' subquery sits in the WHERE clause, after every other parameter.
    if sql.count(_STUDENTS) != 1 or "%s" in sql.partition(_STUDENTS)[2]:
        raise ImproperlyConfigured("the facts query no longer ends with the students")
    return sql, params


def risk_facts(students: QuerySet[Student], at: "Horizon") -> list[Facts]:
    """The facts of the students' flags in one query: the active placement's dates and approved
    hours, the last contact, exam attempts and compliance documents. Plain rows, no models."""
    sql, params = _compiled_facts(students.db)
    ops = connections[students.db].ops
    placeholder, horizon = (ops.adapt_datefield_value(d) for d in (_HORIZON, at.document_by))
    try:
        inner_sql, inner_params = students.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. filtered by an empty list of ids
        return []
    with connections[students.db].cursor() as cursor:
        cursor.execute(
            sql.replace(_STUDENTS, inner_sql),
            tuple(horizon if p == placeholder else p for p in params) + inner_params,
        )
        rows = cursor.fetchall()
    return [Facts.from_row(row) for row in rows]


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
    their addresses from before it existed (offers to the applicant). Account mail (the one-time
    set-password link) is not the school's to show."""
    addresses = [a for a in (student.user.email.lower(), str(student.user.phone or "")) if a]
    return (
        Message.objects.filter(
            Q(recipient=student.user) | Q(recipient__isnull=True, address__in=addresses)
        )
        .exclude(purpose=Purpose.ACCOUNT)
        .select_related("sender")
    )
