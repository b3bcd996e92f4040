"""The coach's day: their caseload with risk flags, each with its reason, worst first.

Everything a flag needs is annotated onto the students in one query, so a caseload of 10 or 150
costs the same queries; the flags are then read from each row in Python."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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

from careers.models import ExamAttempt, ExamResult
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
    FlagCode.DEADLINE_SOON: f"Exam within {DEADLINE_HOURS} hours",
    FlagCode.FAILED_EXAM: "Failed exam, no retake scheduled",
    FlagCode.DOCUMENT_EXPIRING: f"Document expiring within {DOCUMENT_DAYS} days",
}


@dataclass(frozen=True)
class Flag:
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


@dataclass(frozen=True)
class Facts:
    """What the flags of one student read, as one row of the facts query."""

    pk: int
    stage: str
    enrolled_at: datetime
    last_contact: datetime  # the last held session or note, else the enrollment
    requirement_set_id: int | None
    placement_starts: date | None
    placement_ends: date | None
    approved_minutes: int
    exam_on: date | None
    failed_exam: bool
    passed_exam: bool
    next_expiry: date | None


def risk_facts(students: QuerySet[Student], at: "Horizon") -> list[Facts]:
    """The facts of the students' flags in one query: the active placement's dates and approved
    hours, the last contact, exam attempts and compliance documents. Plain rows, no models."""
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
    attempts = ExamAttempt.objects.filter(student=OuterRef("pk"))
    # A document counts as expiring unless a later one of its kind outlasts the window.
    horizon = at.document_by
    renewed = ComplianceDocument.objects.filter(
        student=OuterRef("student"), kind=OuterRef("kind")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
    expiring = ComplianceDocument.objects.filter(
        student=OuterRef("pk"), expires_on__lte=horizon
    ).filter(~Exists(renewed))
    facts = (
        Student.objects.filter(pk__in=students.order_by().values("pk"))
        .order_by()
        .annotate(
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
            failed_exam=Exists(attempts.filter(result=ExamResult.FAILED)),
            passed_exam=Exists(attempts.filter(result=ExamResult.PASSED)),
            next_expiry=Subquery(expiring.order_by("expires_on").values("expires_on")[:1]),
        )
    )
    return [Facts(*row) for row in facts.values_list(*Facts.__dataclass_fields__)]


def required_hours(set_ids: set[int]) -> dict[int, float]:
    """Hours each requirement edition asks for (the sum of its hour rules)."""
    hours: dict[int, float] = {}
    for set_id, params in Requirement.objects.filter(
        requirement_set_id__in=set_ids, kind=RequirementKind.HOURS
    ).values_list("requirement_set_id", "params"):
        hours[set_id] = hours.get(set_id, 0) + float(params["hours"])
    return hours


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
    today: date
    no_contact_before: datetime
    exam_by: date
    document_by: date

    @classmethod
    def at(cls, now: datetime) -> "Horizon":
        today = timezone.localdate(now)
        return cls(
            now=now,
            today=today,
            no_contact_before=now - timedelta(days=NO_CONTACT_DAYS),
            exam_by=timezone.localdate(now + timedelta(hours=DEADLINE_HOURS)),
            document_by=today + timedelta(days=DOCUMENT_DAYS),
        )


def flags_for(student: Facts, required: dict[int, float], at: Horizon) -> list[Flag]:
    """The risk flags of one student, from their facts."""
    flags = []
    enrolled = student.stage in ENROLLED_STAGES
    hours = required.get(student.requirement_set_id, 0)
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
        when = timezone.localtime(student.last_contact)
        flags.append(Flag(FlagCode.NO_CONTACT, f"{since} since {when:%b %-d}."))
    if student.exam_on and student.exam_on <= at.exam_by:
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
    """Each student's risk flags, by student id, in two queries whatever their number."""
    at = Horizon.at(now or timezone.now())
    facts = risk_facts(students, at)
    required = required_hours({f.requirement_set_id for f in facts if f.requirement_set_id})
    return {f.pk: flags_for(f, required, at) for f in facts}


def caseload(students: QuerySet[Student], now: datetime | None = None) -> list[CaseloadRow]:
    """Each student with their flags, those needing attention first (most flags, then the
    queryset's order)."""
    flags = risk_flags(students, now)
    rows = [CaseloadRow(student, flags[student.pk]) for student in students]
    rows.sort(key=lambda row: -len(row.flags))  # stable
    return rows
