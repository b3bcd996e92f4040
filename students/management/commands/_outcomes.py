"""The outcome-report demo: a Medical Assistant class that began before this reporting year (so
its students are its beginning enrollment) and whose people meet every case the report counts.

Dates are days after 1 July of the current reporting year, never later than today, so the numbers
show on the report's default year whatever the day. With the default benchmarks of 70%, the class
reads: retention 9 of 10 (90%), placement 4 of 6 (67%, below benchmark: Logan works out of the
field, Noel is still looking, Indy is in an RN program and documented unavailable), credential 5
of 6 (83%; Blair passed on the second attempt, Cameron failed). Every graduate completed their
externship at the clinic with approved logs that meet the program's requirements.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from careers.models import (
    Classification,
    Employer,
    Employment,
    ExamAttempt,
    ExamResult,
    JobPlacement,
    Unavailability,
    UnavailableReason,
    Verification,
)
from careers.reports import reporting_year_of, year_bounds
from enrollment.models import Cohort, PeriodEnd, Program, Student, StudentStage
from students.services import leave_start, student_reenter, student_withdraw

PASSED, FAILED = ExamResult.PASSED, ExamResult.FAILED
IN_FIELD, RELATED, OUT = (
    Classification.IN_FIELD,
    Classification.RELATED,
    Classification.OUT_OF_FIELD,
)
CLINIC = "Riverside Family Clinic"  # where the class did its externship


@dataclass(frozen=True)
class Outcome:
    """One student of the class; `on` is days after 1 July for their graduation or withdrawal."""

    email: str
    first_name: str
    last_name: str
    end: str = ""  # graduated, withdrawn, or "" while enrolled
    on: int = 0
    exams: tuple[str, ...] = ()
    job: tuple[str, str, str, int] | None = None  # classification, employer, title, cents/hour
    unavailable: str = ""
    leave: bool = False
    reentry: bool = False  # withdrew before 1 July, came back after it


CLASS = [
    Outcome(
        "alex.graduate@example.com", "Alex", "Romero", PeriodEnd.GRADUATED, 20, (PASSED,),
        (IN_FIELD, "Riverside Family Clinic", "Medical Assistant", 1950),
    ),
    Outcome(
        "blair.graduate@example.com", "Blair", "Santos", PeriodEnd.GRADUATED, 20, (FAILED, PASSED),
        (IN_FIELD, "Mercy General Hospital", "Clinical Medical Assistant", 2100),
    ),
    Outcome(
        "cameron.graduate@example.com", "Cameron", "Ito", PeriodEnd.GRADUATED, 25, (FAILED,),
        (RELATED, "Northside Diagnostic Lab", "Patient Service Technician", 1725),
    ),
    Outcome(
        "devon.graduate@example.com", "Devon", "Walsh", PeriodEnd.GRADUATED, 25, (PASSED,),
        (IN_FIELD, "Springfield Pediatrics", "Medical Assistant", 1875),
    ),
    Outcome(
        "logan.graduate@example.com", "Logan", "Price", PeriodEnd.GRADUATED, 30, (PASSED,),
        (OUT, "Springfield Outfitters", "Sales Associate", 1500),
    ),
    Outcome("noel.graduate@example.com", "Noel", "Fischer", PeriodEnd.GRADUATED, 30),
    Outcome(
        "indy.graduate@example.com", "Indy", "Moreau", PeriodEnd.GRADUATED, 30, (PASSED,),
        unavailable=UnavailableReason.CONTINUING_EDUCATION,
    ),
    Outcome("emerson.withdrawn@example.com", "Emerson", "Lopez", PeriodEnd.WITHDRAWN, 15),
    Outcome("finley.leave@example.com", "Finley", "Novak", leave=True),
    Outcome("gray.reentry@example.com", "Gray", "Kaur", reentry=True),
]  # fmt: skip


def seed_outcome_class(
    program: Program,
    enroll: Callable[[Cohort, int, Outcome], Student],
    graduate: Callable[[Student, str, date], None],
) -> Cohort:
    """The class and its people; `enroll` makes (or finds) a student through the seat services,
    `graduate(student, site, on)` gives them an externship at the site ending that day whose
    approved logs meet the requirements, and graduates them."""
    today = timezone.localdate()
    year_start, _ = year_bounds(reporting_year_of(today))
    month = year_start.year * 12 + year_start.month - 1 - 3
    starts = date(month // 12, month % 12 + 1, 1)
    cohort, _ = Cohort.objects.get_or_create(
        program=program,
        name=f"{starts:%B %Y} (day class)",
        defaults={
            "starts_on": starts,
            "ends_on": starts + timedelta(weeks=program.duration_weeks),
            "capacity": 12,
        },
    )

    cohort.coaches.add(*User.objects.filter(email="coach@demo.pathway"))

    def day(offset: int) -> date:
        return min(today, year_start + timedelta(days=offset))

    for n, person in enumerate(CLASS):
        student = enroll(cohort, n, person)
        if student.stage == StudentStage.ENROLLED and not student.periods.exclude(ended_on=None):
            _live_through(student, person, cohort, year_start, day, graduate)
        _careers(student, person, program, day(person.on), today)
    return cohort


def _live_through(
    student: Student,
    person: Outcome,
    cohort: Cohort,
    year_start: date,
    day: Callable[[int], date],
    graduate: Callable[[Student, str, date], None],
) -> None:
    """What happened to the student since the class began, through the enrollment services."""
    if person.end == PeriodEnd.GRADUATED:
        graduate(student, CLINIC, day(person.on))
    elif person.end == PeriodEnd.WITHDRAWN:
        student_withdraw(student=student, on=day(person.on), actor=None, reason="Moved away.")
    elif person.leave:
        leave_start(
            student=student,
            starts_on=day(10),
            expected_return_on=day(10) + timedelta(days=60),
            reason="Family care.",
            actor=None,
        )
    elif person.reentry:
        withdrawn = student_withdraw(
            student=student,
            on=year_start - timedelta(days=20),
            actor=None,
            reason="Work schedule.",
        )
        student_reenter(student=withdrawn, cohort=cohort, on=day(10), actor=None)


def _careers(
    student: Student, person: Outcome, program: Program, graduated: date, today: date
) -> None:
    if person.exams and not student.exam_attempts.exists():
        ExamAttempt.objects.bulk_create(
            ExamAttempt(
                student=student,
                credential=program.credential,
                attempt_number=number,
                sat_on=min(today, graduated + timedelta(days=number - 1)),
                result=result,
            )
            for number, result in enumerate(person.exams, start=1)
        )
    if person.job and not student.placements.exists():
        classification, employer, title, wage = person.job
        JobPlacement.objects.create(
            student=student,
            employer=Employer.objects.get_or_create(name=employer)[0],
            title=title,
            classification=classification,
            employment=Employment.FULL_TIME,
            hourly_wage_cents=wage,
            start_date=min(today, graduated + timedelta(days=14)),
            verification_method=Verification.EMPLOYER,
            evidence_note="Confirmed by phone with the practice manager.",
        )
    if person.unavailable:
        Unavailability.objects.get_or_create(
            student=student,
            defaults={
                "reason": person.unavailable,
                "documented_on": graduated,
                "evidence_note": "Acceptance letter from a nursing (RN) program, on file.",
            },
        )
