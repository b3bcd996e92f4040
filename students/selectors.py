"""The student's home: everything that is theirs across the apps, read with each app's own
selectors and rules, in a fixed number of queries whatever the number of records."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from backend.dates import day, long_day, long_moment
from careers.models import (
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
    JobPlacement,
)
from careers.selectors import (
    Readiness,
    exam_attempts,
    exam_readiness,
    job_applications,
    job_placements,
)
from coaching.booking import free_slots
from coaching.models import CoachingSession, OpenSlot, SessionStatus
from coaching.selectors import DOCUMENT_DAYS, conversation
from documents.models import Certificate
from enrollment.models import Student
from externships.models import ComplianceDocument, DocumentKind, lasting_documents
from externships.selectors import Progress, progress_for, visible_students
from externships.services import missing_documents
from messaging.models import Message


def home_student(user: User) -> QuerySet[Student]:
    """The signed-in person's own student record (none for anyone else), with what the home
    reads joined in: application (exam readiness), coach, edition; documents prefetched."""
    return (
        visible_students(user)
        .filter(user=user)
        .select_related("application")
        .prefetch_related("documents")
    )


@dataclass(frozen=True)
class DocumentRow:
    """One kind of compliance document: the one on file that lasts longest, and its state
    (`valid`, `expiring` within DOCUMENT_DAYS, `expired` or `missing`)."""

    label: str
    document: ComplianceDocument | None
    state: str
    words: str


def document_rows(student: Student, today: date) -> list[DocumentRow]:
    """Each required kind of document with its state; valid or not is externships' rule
    (`missing_documents`), "expiring soon" the coach's flag's window."""
    unmet = set(missing_documents(student, today))
    best = lasting_documents(student.documents.all())
    rows = []
    for kind in DocumentKind:
        document = best.get(kind.value)
        expires = document.expires_on if document else None
        if document is None:
            state, words = "missing", "Missing: hand it in to the school."
        elif kind.label in unmet:
            state, words = "expired", f"Expired on {day(expires)}: hand in a new one."
        elif expires and expires <= today + timedelta(DOCUMENT_DAYS):
            days = (expires - today).days
            soon = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
            state, words = "expiring", f"Expires {soon}, on {day(expires)}."
        elif expires:
            state, words = "valid", f"Valid until {day(expires)}."
        else:
            state, words = "valid", "Valid; it does not expire."
        rows.append(DocumentRow(kind.label, document, state, words))
    return rows


@dataclass
class Home:
    """What the student's home shows, section by section."""

    student: Student
    today: date
    progress: Progress
    documents: list[DocumentRow]
    readiness: Readiness
    attempts: list[ExamAttempt]
    upcoming: list[CoachingSession]
    past: list[CoachingSession]
    free: list[OpenSlot]
    applications: list[JobApplication]
    placements: list[JobPlacement]
    certificate: Certificate | None
    conversation: list[Message]
    attention: list[str] = field(default_factory=list)

    @property
    def offers(self) -> list[JobApplication]:
        return [a for a in self.applications if a.status == JobApplicationStatus.OFFERED]

    @property
    def scheduled_exam(self) -> ExamAttempt | None:
        return next((a for a in self.attempts if a.result == ExamResult.SCHEDULED), None)


def student_home(
    student: Student, now: datetime | None = None, progress: Progress | None = None
) -> Home:
    """Everything on the student's home (about 15 queries, the same for 1 record or 100);
    `progress` when the caller has it already."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    user = student.user
    sessions = list(
        CoachingSession.objects.filter(student=student)
        .select_related("coach")
        .order_by("starts_at", "id")
    )
    upcoming = [s for s in sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    past = [s for s in reversed(sessions) if s not in upcoming]
    certificate = Certificate.objects.filter(student=student).order_by("-issued_at", "-id").first()
    home = Home(
        student=student,
        today=today,
        progress=progress or progress_for([student])[student.pk],
        documents=document_rows(student, today),
        readiness=exam_readiness(student, on=today),
        attempts=list(exam_attempts(user).filter(student=student).order_by("attempt_number")),
        upcoming=upcoming,
        past=past,
        free=free_slots(student.coach_id, now=now),
        applications=list(job_applications(user).filter(student=student)),
        placements=list(job_placements(user).filter(student=student)),
        certificate=certificate,
        conversation=conversation(student),
    )
    home.attention = attention(home)
    return home


def attention(home: Home) -> list[str]:
    """What needs the student soon, in words: documents, offers to answer, the exam and the
    next session."""
    notes = []
    missing = [row.label for row in home.documents if row.state == "missing"]
    if missing:
        notes.append(f"Documents to hand in to the school: {', '.join(missing)}.")
    for row in home.documents:
        if row.state in ("expired", "expiring"):
            notes.append(f"{row.label}: {row.words[0].lower()}{row.words[1:]}")
    for offer in home.offers:
        if offer.respond_by and offer.respond_by >= home.today:
            notes.append(
                f"Answer the offer from {offer.employer} ({offer.role}) by "
                f"{long_day(offer.respond_by)}."
            )
    if exam := home.scheduled_exam:
        notes.append(f"Your {exam.credential} exam is on {long_day(exam.sat_on)}.")
    if home.upcoming:
        session = home.upcoming[0]
        notes.append(
            f"Next coaching session: {long_moment(session.starts_at)}, "
            f"{session.get_kind_display().lower()} with {session.coach}."
        )
    return notes
