"""Reads of the careers records: who may see which, exam readiness, and salary context."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from backend.dates import day
from careers.models import ExamAttempt, JobApplication, JobPlacement, ReferencePay, Unavailability
from enrollment.eligibility import (
    EDUCATION_REQUIRED,
    MINIMUM_AGE,
    has_qualifying_education,
    is_of_age,
)
from enrollment.models import Student, StudentStage
from externships.selectors import progress_for, visible_students


@dataclass
class Readiness:
    student: Student
    on: date
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons


def exam_readiness(student: Student, on: date | None = None) -> Readiness:
    """Whether the student may sit the program's exam on `on` (default today), with every reason
    they may not, in words: completion rules, age 18 on the day, and a diploma or GED."""
    on = on or timezone.localdate()
    readiness = Readiness(student=student, on=on)
    reasons = readiness.reasons
    if student.stage == StudentStage.WITHDRAWN:
        reasons.append("The student has withdrawn.")
    progress = progress_for([student])[student.pk]
    if not progress.complete:
        reasons.append("The program's completion requirements are not met yet.")
    application = student.application
    if application is None:
        reasons.append("The date of birth is not on record.")
        reasons.append("The education (diploma or GED) is not on record.")
        return readiness
    # The school's own eligibility rule (enrollment's), on the exam date.
    if not is_of_age(application.date_of_birth, on):
        reasons.append(f"The student is not {MINIMUM_AGE} on {day(on)}.")
    if not has_qualifying_education(application.education):
        reasons.append(EDUCATION_REQUIRED)
    return readiness


def exam_student(pk: int) -> Student:
    """The student with what readiness reads (application, requirement edition) joined in."""
    return Student.objects.select_related(
        "user", "application", "cohort__program", "requirement_set"
    ).get(pk=pk)


def of_visible_students(records: QuerySet, user: User) -> QuerySet:
    """Narrow careers records (anything with a `student`) to the students `user` may see."""
    if user.has_role(Role.ADMIN):
        return records
    return records.filter(student__in=visible_students(user).values("pk"))


def exam_attempts(user: User) -> QuerySet[ExamAttempt]:
    """Exam attempts `user` may read, with the student's name joined in."""
    attempts = ExamAttempt.objects.select_related("student__user", "recorded_by")
    return of_visible_students(attempts, user)


def job_applications(user: User) -> QuerySet[JobApplication]:
    """Job applications `user` may read, with the student and employer joined in."""
    applications = JobApplication.objects.select_related("student__user", "employer")
    return of_visible_students(applications, user)


def job_placements(user: User) -> QuerySet[JobPlacement]:
    """Placements `user` may read, with the program's reference pay, newest year first (one
    query for the whole page)."""
    placements = JobPlacement.objects.select_related(
        "student__user", "student__cohort__program", "employer", "verified_by", "recorded_by"
    ).prefetch_related(
        Prefetch(
            "student__cohort__program__reference_pay",
            queryset=ReferencePay.objects.order_by("-year"),
        )
    )
    return of_visible_students(placements, user)


def unavailabilities(user: User) -> QuerySet[Unavailability]:
    """Graduates documented as unavailable for work whom `user` may read."""
    records = Unavailability.objects.select_related("student__user", "recorded_by")
    return of_visible_students(records, user)


def latest_reference_pay(placement: JobPlacement) -> ReferencePay | None:
    """The newest reference pay of the placement's program (from the prefetch of
    `job_placements`)."""
    rows = placement.student.cohort.program.reference_pay.all()
    return rows[0] if rows else None


def wage_vs_median(placement: JobPlacement, reference: ReferencePay | None) -> int | None:
    """The hourly wage as a whole percent of the reference hourly median (100 = the median)."""
    if reference is None or not reference.hourly_median_cents:
        return None
    return round(100 * placement.hourly_wage_cents / reference.hourly_median_cents)
