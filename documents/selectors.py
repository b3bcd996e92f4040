"""What the PDFs show, gathered in a fixed number of queries per batch of students."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from backend.dates import day
from careers.models import ExamAttempt, JobPlacement
from documents.models import Certificate
from enrollment.models import Cohort, EnrollmentPeriod, PeriodEnd, Student, StudentStage
from externships.rules import Line
from externships.selectors import Progress, progress_for

# Students per batch of data gathering: each batch is one step of an export's progress.
BATCH = 100


@dataclass
class RosterRow:
    name: str
    email: str
    stage: str
    coach: str
    hours: list[Line]
    procedures: list[Line]
    complete: bool
    exam: str
    placement: str


def _exam(attempts: list[ExamAttempt]) -> str:
    if not attempts:
        return "not booked"
    last = attempts[-1]
    # One short line each: the roster's cell breaks at these newlines (pre-line).
    result = last.get_result_display().lower()
    text = f"{result} (attempt {last.attempt_number})\n{day(last.sat_on)}"
    return f"{text}\nscore {last.scaled_score}" if last.scaled_score is not None else text


def _placement(placements: list[JobPlacement]) -> str:
    if not placements:
        return "none yet"
    job = placements[0]  # newest start first
    return f"{job.title}, {job.employer.name} ({job.get_classification_display().lower()})"


def roster_students(cohort: Cohort) -> QuerySet[Student]:
    """The cohort's students in roster order, with what each row reads joined or prefetched."""
    return (
        Student.objects.filter(cohort=cohort)
        .select_related("user", "coach", "requirement_set")
        .prefetch_related(
            Prefetch(
                "exam_attempts",
                queryset=ExamAttempt.objects.order_by("sat_on", "attempt_number"),
            ),
            Prefetch("placements", queryset=JobPlacement.objects.select_related("employer")),
        )
    )


def _rows(students: list[Student], progress: dict[int, Progress]) -> Iterator[RosterRow]:
    for student in students:
        lines = [line for r in progress[student.pk].requirements for line in r.lines]
        yield RosterRow(
            name=str(student.user),
            email=student.user.email,
            stage=student.get_stage_display(),
            coach=str(student.coach) if student.coach else "none",
            hours=[line for line in lines if line.unit == "hours"],
            procedures=[line for line in lines if line.unit != "hours"],
            complete=progress[student.pk].complete,
            exam=_exam(list(student.exam_attempts.all())),
            placement=_placement(list(student.placements.all())),
        )


def roster_batches(cohort: Cohort) -> Iterator[list[RosterRow]]:
    """The roster's rows, BATCH students at a time (6 queries a batch: students, attempts,
    placements, requirements, and progress's evidence)."""
    students = roster_students(cohort)
    ids = list(students.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(students.filter(pk__in=ids[start : start + BATCH]))
        yield list(_rows(batch, progress_for(batch)))


@dataclass
class CertificateFacts:
    certificate: Certificate
    name: str
    program: str
    credential: str
    completed_on: date
    hours: list[Line]
    procedures: list[Line]


def completion_dates(students: list[Student]) -> dict[int, date]:
    """Each graduate's graduation day (the end of their latest graduated period), by student id."""
    periods = EnrollmentPeriod.objects.filter(
        student__in=[s.pk for s in students], end_reason=PeriodEnd.GRADUATED
    ).order_by("ended_on")
    return {period.student_id: period.ended_on for period in periods}


def graduates(cohort: Cohort) -> QuerySet[Student]:
    """The cohort's students for whom completion holds (graduated), in roster order."""
    return roster_students(cohort).filter(stage=StudentStage.GRADUATED)


def certificate_facts(certificates: list[Certificate]) -> list[CertificateFacts]:
    """What each certificate prints, for a batch of certificates (3 queries plus progress's)."""
    students = [c.student for c in certificates]
    progress = progress_for(students)
    facts = []
    for certificate in certificates:
        student = certificate.student
        lines = [line for r in progress[student.pk].requirements for line in r.lines]
        facts.append(
            CertificateFacts(
                certificate=certificate,
                name=str(student.user),
                program=student.cohort.program.name,
                credential=student.cohort.program.credential,
                completed_on=certificate.completed_on,
                hours=[line for line in lines if line.unit == "hours"],
                procedures=[line for line in lines if line.unit != "hours"],
            )
        )
    return facts


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification code names, with what the page shows, or None."""
    return (
        Certificate.objects.select_related("student__user", "student__cohort__program")
        .filter(code=code)
        .first()
    )
