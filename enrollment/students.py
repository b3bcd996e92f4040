"""A student's enrollment as enrollment owns it: the student made at an accepted offer, its
enrollment periods (which feed the outcome reports); every stage change goes through
enrollment.stages. The lifecycle built on these (graduate, withdraw, leave, re-enter) lives in
students.services; apps above enrollment act on a new or ended enrollment through the hooks here
(externships picks the requirement edition and closes placements)."""

from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from backend import dates
from backend.errors import NotAllowed, RuleViolation
from enrollment import notifications
from enrollment.models import (
    Application,
    Cohort,
    EnrollmentPeriod,
    LeaveOfAbsence,
    PeriodEnd,
    Student,
    StudentEvent,
    StudentStage,
)
from enrollment.stages import student_set_stage

# What apps above enrollment do when a student enrolls, and when an enrollment ends (with the
# day and how: graduated or withdrawn). Each registers in its AppConfig.ready().
ON_ENROLL: list[Callable[[Student], None]] = []
ON_END: list[Callable[[Student, date, str], None]] = []


def on_enroll(hook: Callable[[Student], None]) -> Callable[[Student], None]:
    ON_ENROLL.append(hook)
    return hook


def on_end(hook: Callable[[Student, date, str], None]) -> Callable[[Student, date, str], None]:
    ON_END.append(hook)
    return hook


def locked_student(student: Student, allowed: tuple[str, ...], verb: str) -> Student:
    """The student's row, locked (not their cohort's: seat changes go on), if their stage allows
    `verb`."""
    students = Student.objects.select_for_update(of=("self",)).select_related("cohort")
    current = students.get(pk=student.pk)
    if current.stage not in allowed:
        raise NotAllowed(
            f"You cannot {verb} a student who is {current.get_stage_display().lower()}."
        )
    return current


def check_day(day: date, field: str, period: EnrollmentPeriod | None = None) -> None:
    """A day of a student's record: not in the future, not before the period started."""
    if day > timezone.localdate():
        raise RuleViolation("The date cannot be in the future.", field=field)
    if period is not None and day < period.started_on:
        raise RuleViolation(
            f"The date cannot be before this enrollment started ({dates.day(period.started_on)}).",
            field=field,
        )


def open_period(student: Student) -> EnrollmentPeriod:
    period = EnrollmentPeriod.objects.select_for_update().filter(student=student, ended_on=None)
    if (found := period.first()) is None:
        # A student added by hand in the admin has no period: a 409 to settle, not a 500.
        raise NotAllowed("This student has no open enrollment period; record one in the admin.")
    return found


def student_enroll(*, application: Application, cohort: Cohort) -> Student:
    """Make the enrolled applicant a student: a login (invited by email to set a password) and
    the cohort's least-loaded coach; the ON_ENROLL hooks add the rest (the requirement edition)."""
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
    )
    StudentEvent.objects.create(
        student=student, to_stage=StudentStage.ENROLLED, reason="Offer accepted."
    )
    EnrollmentPeriod.objects.create(
        student=student, cohort=cohort, started_on=max(cohort.starts_on, timezone.localdate())
    )
    for hook in ON_ENROLL:
        hook(student)
    notifications.queue_invitation(user)
    return student


def end_enrollment(
    *, student: Student, on: date, end: str, actor: User | None, reason: str
) -> None:
    """Close the open period and any leave (the ON_END hooks close the rest, e.g. a placement);
    the student leaves the school. Runs inside the caller's transaction, the student locked."""
    period = open_period(student)
    if end == PeriodEnd.WITHDRAWN and on < period.started_on:
        # Gone before the first day: not a start at all, so not in the outcome reports.
        check_day(on, "on")
        period.delete()
    else:
        check_day(on, "on", period)
        period.ended_on, period.end_reason = on, end
        period.save(update_fields=["ended_on", "end_reason"])
    # One by one rather than update(), so that each change is in the field history.
    for leave in LeaveOfAbsence.objects.filter(student=student, returned_on=None):
        leave.returned_on = on
        leave.save(update_fields=["returned_on"])
    for hook in ON_END:
        hook(student, on, end)
    student_set_stage(student=student, to_stage=end, actor=actor, reason=reason)
