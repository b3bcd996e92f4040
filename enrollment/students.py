"""A student's enrollment from the accepted offer to its end: graduation, withdrawal, leave and
re-entry. Every stage change is kept in StudentEvent; enrollment periods feed the outcome reports.

Withdrawing a student whose application still holds a seat goes through the seat services, so the
freed seat is offered to the waitlist."""

from datetime import date

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from backend.audit import attributed
from backend.errors import NotAllowed, RuleViolation
from enrollment import notifications
from enrollment.models import (
    ENROLLED_STAGES,
    Application,
    Cohort,
    EnrollmentPeriod,
    LeaveOfAbsence,
    PeriodEnd,
    Status,
    Student,
    StudentEvent,
    StudentStage,
)
from externships.models import Externship, ExternshipStatus, RequirementSet

# Enrolled and not on leave: may graduate or start a leave.
ATTENDING = (StudentStage.ENROLLED, StudentStage.EXTERNSHIP)


def _stage(student: Student, to: str, actor: User | None, reason: str) -> None:
    StudentEvent.objects.create(
        student=student, from_stage=student.stage, to_stage=to, actor=actor, reason=reason
    )
    student.stage = to
    student.save(update_fields=["stage"])


def _locked(student: Student, allowed: tuple[str, ...], verb: str) -> Student:
    current = Student.objects.select_for_update().select_related("cohort").get(pk=student.pk)
    if current.stage not in allowed:
        raise NotAllowed(
            f"You cannot {verb} a student who is {current.get_stage_display().lower()}."
        )
    return current


def _check_day(day: date, field: str, period: EnrollmentPeriod | None = None) -> None:
    if day > timezone.localdate():
        raise RuleViolation("The date cannot be in the future.", field=field)
    if period is not None and day < period.started_on:
        raise RuleViolation(
            f"The date cannot be before this enrollment started ({period.started_on}).",
            field=field,
        )


def _open_period(student: Student) -> EnrollmentPeriod:
    period = EnrollmentPeriod.objects.select_for_update().filter(student=student, ended_on=None)
    if (found := period.first()) is None:
        # A student added by hand in the admin has no period: a 409 to settle, not a 500.
        raise NotAllowed("This student has no open enrollment period; record one in the admin.")
    return found


def student_enroll(*, application: Application, cohort: Cohort) -> Student:
    """Make the enrolled applicant a student: a login (invited by email to set a password), the
    cohort's least-loaded coach, and the program's current edition of the clinical requirements."""
    user = User.objects.filter(email=application.email).first()
    if user is not None and (
        hasattr(user, "student")
        or user.is_staff
        or user.has_role(Role.COACH, Role.SUPERVISOR, Role.ADMIN)
    ):
        # Never attach an enrolment to someone else's account by typing their email.
        raise NotAllowed(
            "An account with this email already exists; the admissions office will complete "
            "your enrolment."
        )
    if user is None:
        user = User.objects.create_user(
            application.email,
            None,
            first_name=application.first_name,
            last_name=application.last_name,
            phone=application.phone,
        )
    user.groups.add(Group.objects.get_or_create(name=Role.STUDENT)[0])
    coach = (
        cohort.coaches.filter(is_active=True)
        .annotate(load=Count("caseload", filter=Q(caseload__cohort=cohort)))
        .order_by("load", "id")
        .first()
    )
    student = Student.objects.create(
        user=user,
        application=application,
        cohort=cohort,
        coach=coach,
        stage=StudentStage.ENROLLED,
        requirement_set=RequirementSet.objects.filter(
            program_id=cohort.program_id, is_current=True
        ).first(),
    )
    StudentEvent.objects.create(
        student=student, to_stage=StudentStage.ENROLLED, reason="Offer accepted."
    )
    EnrollmentPeriod.objects.create(
        student=student, cohort=cohort, started_on=max(cohort.starts_on, timezone.localdate())
    )
    notifications.queue_invitation(user)
    return student


def end_enrollment(
    *, student: Student, on: date, end: str, actor: User | None, reason: str
) -> None:
    """Close the open period, any leave and any active placement; the student leaves the school.
    Runs inside the caller's transaction, with the student row locked."""
    period = _open_period(student)
    if end == PeriodEnd.WITHDRAWN and on < period.started_on:
        # Gone before the first day: not a start at all, so not in the outcome reports.
        _check_day(on, "on")
        period.delete()
    else:
        _check_day(on, "on", period)
        period.ended_on, period.end_reason = on, end
        period.save(update_fields=["ended_on", "end_reason"])
    # One by one rather than update(), so that each change is in the field history.
    for leave in LeaveOfAbsence.objects.filter(student=student, returned_on=None):
        leave.returned_on = on
        leave.save(update_fields=["returned_on"])
    for externship in Externship.objects.filter(student=student, status=ExternshipStatus.ACTIVE):
        externship.status = (
            ExternshipStatus.COMPLETED if end == PeriodEnd.GRADUATED else ExternshipStatus.CANCELLED
        )
        externship.save(update_fields=["status"])
    _stage(student, end, actor, reason)


@attributed
def student_graduate(*, student: Student, on: date, actor: User | None) -> Student:
    """Graduate a student whose clinical requirements are met (ABHES: completed the program
    including any externship). Their active placement is completed."""
    from externships.selectors import progress_for  # externships reads enrollment's models

    with transaction.atomic():
        current = _locked(student, ATTENDING, "graduate")
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
    from enrollment.services import Actor, application_withdraw

    application = student.application
    if application is not None and application.status == Status.ENROLLED:
        application_withdraw(application=application, actor=Actor.of(actor), reason=reason, on=on)
        student.refresh_from_db()
        return student
    with transaction.atomic():
        current = _locked(student, ENROLLED_STAGES, "withdraw")
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
        current = _locked(student, ATTENDING, "start leave for")
        _check_day(starts_on, "starts_on", _open_period(current))
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
        _stage(current, StudentStage.ON_LEAVE, actor, f"Leave of absence: {reason}")
    return leave


@attributed
def leave_end(*, student: Student, returned_on: date, actor: User | None) -> Student:
    with transaction.atomic():
        current = _locked(student, (StudentStage.ON_LEAVE,), "return from leave")
        leave = LeaveOfAbsence.objects.select_for_update().get(student=current, returned_on=None)
        _check_day(returned_on, "on")
        if returned_on < leave.starts_on:
            raise RuleViolation(
                f"The return cannot be before the leave started ({leave.starts_on}).", field="on"
            )
        leave.returned_on = returned_on
        leave.save(update_fields=["returned_on"])
        placed = Externship.objects.filter(student=current, status=ExternshipStatus.ACTIVE).exists()
        back = StudentStage.EXTERNSHIP if placed else StudentStage.ENROLLED
        _stage(current, back, actor, "Returned from leave.")
    return current


@attributed
def student_reenter(*, student: Student, cohort: Cohort, on: date, actor: User | None) -> Student:
    """A withdrawn student comes back, in the same or a later cohort of their program: a new
    enrollment period marked as a re-entry. They keep their edition of the requirements."""
    with transaction.atomic():
        current = _locked(student, (StudentStage.WITHDRAWN,), "re-enroll")
        if cohort.program_id != current.cohort.program_id:
            raise RuleViolation(
                "A re-entry continues the same program; choose a cohort of "
                f"{current.cohort.program.name}.",
                field="cohort",
            )
        last = current.periods.order_by("-ended_on", "-id").first()
        _check_day(on, "on")
        if last is not None and on < last.ended_on:
            raise RuleViolation(
                f"The re-entry cannot be before the withdrawal ({last.ended_on}).", field="on"
            )
        EnrollmentPeriod.objects.create(
            student=current,
            cohort=cohort,
            started_on=on,
            reentry_after=last.ended_on if last is not None else None,
        )
        current.cohort = cohort
        current.save(update_fields=["cohort"])
        _stage(current, StudentStage.ENROLLED, actor, f"Re-entered in {cohort.name}.")
    return current
