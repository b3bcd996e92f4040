"""The student's lifecycle after enrollment: graduation, withdrawal, leave and return, re-entry.
Each change locks the student, keeps its stage change in StudentEvent (enrollment.stages) and
its enrollment period for the outcome reports. Withdrawing a student whose application still holds
a seat goes through the seat services, so the freed seat is offered to the waitlist."""

from datetime import date

from django.db import transaction

from accounts.models import User
from backend.audit import attributed
from backend.dates import day
from backend.errors import RuleViolation
from enrollment.models import (
    ENROLLED_STAGES,
    Cohort,
    EnrollmentPeriod,
    LeaveOfAbsence,
    PeriodEnd,
    Status,
    Student,
    StudentStage,
)
from enrollment.services import Actor, application_withdraw
from enrollment.stages import student_set_stage
from enrollment.students import (
    check_day,
    end_enrollment,
    locked_student,
    open_period,
)
from externships.models import Externship, ExternshipStatus
from externships.selectors import progress_for

# Enrolled and not on leave: may graduate or start a leave.
ATTENDING = (StudentStage.ENROLLED, StudentStage.EXTERNSHIP)


@attributed
def student_graduate(*, student: Student, on: date, actor: User | None) -> Student:
    """Graduate a student whose clinical requirements are met (ABHES: completed the program
    including any externship). Their active placement is completed."""
    with transaction.atomic():
        current = locked_student(student, ATTENDING, "graduate")
        progress = progress_for([current])[current.pk]
        if not progress.complete:
            missing = "; ".join(progress.missing)
            raise RuleViolation(
                f"The clinical requirements are not met yet: {missing}.", field="student"
            )
        end_enrollment(
            student=current,
            on=on,
            end=PeriodEnd.GRADUATED,
            actor=actor,
            reason="Completed the program.",
        )
    return current


@attributed
def student_withdraw(*, student: Student, on: date, actor: User | None, reason: str) -> Student:
    """Withdraw an enrolled student. While their application still holds the seat, the seat
    service withdraws it, which ends the enrollment and offers the seat to the waitlist."""
    application = student.application
    if application is not None and application.status == Status.ENROLLED:
        application_withdraw(application=application, actor=Actor.of(actor), reason=reason, on=on)
        student.refresh_from_db()
        return student
    with transaction.atomic():
        current = locked_student(student, ENROLLED_STAGES, "withdraw")
        end_enrollment(student=current, on=on, end=PeriodEnd.WITHDRAWN, actor=actor, reason=reason)
    return current


@attributed
def leave_start(
    *,
    student: Student,
    starts_on: date,
    expected_return_on: date | None,
    reason: str,
    actor: User | None,
) -> LeaveOfAbsence:
    """An approved leave of absence: the student stays enrolled and counted as enrolled."""
    with transaction.atomic():
        current = locked_student(student, ATTENDING, "start leave for")
        check_day(starts_on, "starts_on", open_period(current))
        if expected_return_on is not None and expected_return_on < starts_on:
            raise RuleViolation(
                "The expected return cannot be before the leave starts.",
                field="expected_return_on",
            )
        leave = LeaveOfAbsence.objects.create(
            student=current,
            starts_on=starts_on,
            expected_return_on=expected_return_on,
            reason=reason,
            recorded_by=actor,
        )
        student_set_stage(
            student=current,
            to_stage=StudentStage.ON_LEAVE,
            actor=actor,
            reason=f"Leave of absence: {reason}",
        )
    return leave


@attributed
def leave_end(*, student: Student, returned_on: date, actor: User | None) -> Student:
    with transaction.atomic():
        current = locked_student(student, (StudentStage.ON_LEAVE,), "return from leave")
        leave = LeaveOfAbsence.objects.select_for_update().get(student=current, returned_on=None)
        check_day(returned_on, "on")
        if returned_on < leave.starts_on:
            raise RuleViolation(
                f"The return cannot be before the leave started ({day(leave.starts_on)}).",
                field="on",
            )
        leave.returned_on = returned_on
        leave.save(update_fields=["returned_on"])
        placed = Externship.objects.filter(student=current, status=ExternshipStatus.ACTIVE).exists()
        back = StudentStage.EXTERNSHIP if placed else StudentStage.ENROLLED
        student_set_stage(
            student=current, to_stage=back, actor=actor, reason="Returned from leave."
        )
    return current


@attributed
def student_reenter(*, student: Student, cohort: Cohort, on: date, actor: User | None) -> Student:
    """A withdrawn student comes back, in the same or a later cohort of their program: a new
    enrollment period marked as a re-entry. They keep their edition of the requirements."""
    with transaction.atomic():
        current = locked_student(student, (StudentStage.WITHDRAWN,), "re-enroll")
        if cohort.program_id != current.cohort.program_id:
            raise RuleViolation(
                "A re-entry continues the same program; choose a cohort of "
                f"{current.cohort.program.name}.",
                field="cohort",
            )
        last = current.periods.order_by("-ended_on", "-id").first()
        check_day(on, "on")
        if last is not None and on < last.ended_on:
            raise RuleViolation(
                f"The re-entry cannot be before the withdrawal ({day(last.ended_on)}).", field="on"
            )
        EnrollmentPeriod.objects.create(
            student=current,
            cohort=cohort,
            started_on=on,
            reentry_after=last.ended_on if last is not None else None,
        )
        current.cohort = cohort
        current.save(update_fields=["cohort"])
        student_set_stage(
            student=current,
            to_stage=StudentStage.ENROLLED,
            actor=actor,
            reason=f"Re-entered in {cohort.name}.",
        )
    return current
