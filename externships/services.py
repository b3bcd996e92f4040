"""Placements and clinical logs: every write, with the rules of PRODUCT.md's externship section."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from backend import dates
from backend.audit import attributed
from backend.errors import NotAllowed, RuleViolation
from enrollment.models import Student, StudentStage
from enrollment.stages import student_set_stage
from externships import notifications
from externships.deciders import can_decide
from externships.models import (
    ComplianceDocument,
    DecisionVia,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    ScrubRole,
    Site,
    lasting_documents,
    log_kind,
)
from externships.rules import SPECIALTIES, Loggable, specialty_name
from externships.selectors import loggable_for

MAX_MINUTES_A_DAY = 16 * 60
ClinicalLog = HourLog | ProcedureLog


# -- placements --------------------------------------------------------------------------------


def missing_documents(student: Student, on: date) -> list[str]:
    """The required compliance documents that are missing or expired on `on` (judged by the
    document of each kind that counts), in words."""
    lasting = lasting_documents(student.documents.all())
    return [
        kind.label
        for kind in DocumentKind
        if (document := lasting.get(kind.value)) is None
        or (document.expires_on is not None and document.expires_on < on)
    ]


@attributed
def externship_create(
    *,
    student: Student,
    site: Site,
    supervisor: User,
    starts_on: date,
    ends_on: date,
    by: User | None = None,
) -> Externship:
    """Place a student at a site. Refused while a document is missing or expired, after the
    site's agreement lapses, beyond the site's capacity, or with someone not supervising there."""
    if ends_on < starts_on:
        raise RuleViolation("The externship must end on or after its start.", field="ends_on")
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)  # capacity is counted under lock
        if not site.programs.filter(pk=student.cohort.program_id).exists():
            raise RuleViolation(
                f"{site} does not take {student.cohort.program} students.", field="site"
            )
        if site.agreement_valid_until < starts_on:
            raise RuleViolation(
                f"The affiliation agreement with {site} lapses on {site.agreement_valid_until}.",
                field="site",
            )
        if not site.supervisors.filter(pk=supervisor.pk).exists():
            raise RuleViolation(f"{supervisor} does not supervise at {site}.", field="supervisor")
        missing = missing_documents(student, starts_on)
        if missing:
            raise RuleViolation(
                "Missing or expired on the start date: " + ", ".join(missing) + ".", field="student"
            )
        if student.stage == StudentStage.WITHDRAWN:
            raise RuleViolation("The student has withdrawn.", field="student")
        overlapping = site.externships.filter(
            status=ExternshipStatus.ACTIVE, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).count()
        if overlapping >= site.capacity:
            raise RuleViolation(f"{site} has no free place for those dates.", field="site")
        externship = Externship.objects.create(
            student=student, site=site, supervisor=supervisor, starts_on=starts_on, ends_on=ends_on
        )
        student_set_stage(
            student=Student.objects.select_for_update().get(pk=student.pk),
            to_stage=StudentStage.EXTERNSHIP,
            actor=by,
            reason=f"Placed at {site.name}, {dates.day(starts_on)} to {dates.day(ends_on)}.",
        )
        return externship


@attributed
def externship_close(*, externship: Externship, status: str, by: User | None = None) -> Externship:
    """End a placement as completed or cancelled; a student left with no active placement goes
    back to the enrolled stage (cancelled) or stays on record as having finished one."""
    if status not in (ExternshipStatus.COMPLETED, ExternshipStatus.CANCELLED):
        raise RuleViolation("Close a placement as completed or cancelled.", field="status")
    with transaction.atomic():
        externship = Externship.objects.select_for_update().get(pk=externship.pk)
        if externship.status != ExternshipStatus.ACTIVE:
            raise NotAllowed(
                f"This placement is already {externship.get_status_display().lower()}."
            )
        externship.status = status
        externship.save(update_fields=["status"])
        others = externship.student.externships.filter(status=ExternshipStatus.ACTIVE)
        if status == ExternshipStatus.CANCELLED and not others.exists():
            student = Student.objects.select_for_update().get(pk=externship.student_id)
            if student.stage == StudentStage.EXTERNSHIP:
                student_set_stage(
                    student=student,
                    to_stage=StudentStage.ENROLLED,
                    actor=by,
                    reason=f"The placement at {externship.site.name} was cancelled.",
                )
        return externship


# -- logging -----------------------------------------------------------------------------------


def _check_day(externship: Externship, day: date, student: Student) -> None:
    if externship.student_id != student.pk:
        raise RuleViolation("This is not your externship.", field="externship")
    if externship.status != ExternshipStatus.ACTIVE:
        raise RuleViolation("Logs need an active externship.", field="externship")
    if day > timezone.localdate():
        raise RuleViolation("The date cannot be in the future.", field="date")
    if not externship.starts_on <= day <= externship.ends_on:
        raise RuleViolation(
            f"The date must fall within the externship ({dates.day(externship.starts_on)} to "
            f"{dates.day(externship.ends_on)}).",
            field="date",
        )


def _check_correction(corrects: ClinicalLog | None, externship: Externship) -> None:
    """A correction replaces one log of the same externship; once approved, progress counts it
    instead of the original (see externships.selectors)."""
    if corrects is None:
        return
    if corrects.externship_id != externship.pk:
        raise RuleViolation(
            "A correction must refer to a log of the same externship.", field="corrects"
        )
    if corrects.corrections.exclude(status=LogStatus.REJECTED).exists():
        raise RuleViolation("That log already has a correction.", field="corrects")


def shift_span(
    day: date, start: time, end: time, ends_next_day: bool = False
) -> tuple[datetime, datetime]:
    """A shift's start and end as datetimes; an overnight shift ends on the day after `day`."""
    return datetime.combine(day, start), datetime.combine(day + timedelta(days=ends_next_day), end)


def worked_minutes(start: time, end: time, break_minutes: int, ends_next_day: bool = False) -> int:
    begin, finish = shift_span(date(2000, 1, 1), start, end, ends_next_day)
    return int((finish - begin).total_seconds() // 60) - break_minutes


def _notify(log: ClinicalLog, urgent: bool) -> None:
    """An urgent log is emailed to its supervisor at once, alone; every other waits for the
    supervisor's daily summary (externships.digests)."""
    if urgent:
        notifications.queue_review_request(log)


def hour_log_create(
    *,
    student: Student,
    externship: Externship,
    date: date,
    start_time: time,
    end_time: time,
    ends_next_day: bool = False,
    break_minutes: int = 0,
    activities: str,
    notes: str = "",
    corrects: HourLog | None = None,
    urgent: bool = False,
) -> HourLog:
    """Log a shift, overnight ones ending the next morning included. Refused: future dates,
    outside the externship, end before start, overlapping another log of the student, or more
    than 16 hours on one day (a shift counts on the day it starts)."""
    with transaction.atomic():
        # One student's logs are written one at a time, so two racing logs cannot both fit.
        externship = Externship.objects.select_for_update().get(pk=externship.pk)
        _check_day(externship, date, student)
        _check_correction(corrects, externship)
        if ends_next_day and end_time >= start_time:
            raise RuleViolation(
                "A shift that ends the next day ends before its start time (10:00 p.m. to "
                "6:00 a.m.).",
                field="end_time",
            )
        if not ends_next_day and end_time <= start_time:
            raise RuleViolation(
                "The end time must be after the start time. A night shift that ends the next "
                "morning is marked as ending the next day.",
                field="end_time",
            )
        minutes = worked_minutes(start_time, end_time, break_minutes, ends_next_day)
        if minutes <= 0:
            raise RuleViolation("The break is as long as the shift.", field="break_minutes")
        # The days either side too: an overnight shift reaches into the next morning.
        nearby = HourLog.objects.filter(
            externship__student=student,
            date__gte=date - timedelta(days=1),
            date__lte=date + timedelta(days=1),
        ).exclude(status=LogStatus.REJECTED)
        if corrects is not None:
            nearby = nearby.exclude(pk=corrects.pk)
        begin, finish = shift_span(date, start_time, end_time, ends_next_day)
        for other in nearby.only("date", "start_time", "end_time", "ends_next_day"):
            other_begin, other_finish = shift_span(
                other.date, other.start_time, other.end_time, other.ends_next_day
            )
            if other_begin < finish and begin < other_finish:
                raise RuleViolation(
                    "This overlaps a shift you already logged that day.", field="start_time"
                )
        logged = nearby.filter(date=date).aggregate(total=Sum("minutes"))["total"] or 0
        if logged + minutes > MAX_MINUTES_A_DAY:
            raise RuleViolation(
                f"That makes more than 16 hours on {dates.day(date)} "
                f"({(logged + minutes) / 60:g} hours).",
                field="end_time",
            )
        log = HourLog.objects.create(
            externship=externship,
            date=date,
            start_time=start_time,
            end_time=end_time,
            ends_next_day=ends_next_day,
            break_minutes=break_minutes,
            minutes=minutes,
            activities=activities,
            notes=notes,
            corrects=corrects,
        )
        _notify(log, urgent)
        return log


def _check_kind(loggable: Loggable, kind: str, competency: str, edition: str) -> str:
    """Refuse a kind the student's edition does not count, or a competency off its checklist;
    returns the competency as the checklist names it."""
    if kind not in loggable.kinds:
        whose = f"Your requirements ({edition})" if edition else "Your program's requirements"
        if not loggable.kinds:
            message = f"{whose} count hours only: there is no procedure to log."
        else:
            counted = ", ".join(ProcedureKind(k).label.lower() for k in loggable.kinds)
            message = f"{whose} count these procedures only: {counted}."
        raise RuleViolation(message, field="kind")
    if kind != ProcedureKind.COMPETENCY:
        if competency.strip():
            raise RuleViolation("Only competency logs name a competency.", field="competency")
        return ""
    item = loggable.checklist_item(competency)
    if item is None:
        raise RuleViolation(
            "Choose the competency from your checklist: " + ", ".join(loggable.competencies) + ".",
            field="competency",
        )
    return item


def procedure_log_create(
    *,
    student: Student,
    externship: Externship,
    date: date,
    kind: str,
    count: int = 1,
    successful: bool = True,
    specialty: str = "",
    role: str = "",
    competency: str = "",
    notes: str = "",
    corrects: ProcedureLog | None = None,
    urgent: bool = False,
) -> ProcedureLog:
    """Log procedures, a surgical case (with specialty and scrub role) or a competency from the
    checklist: only the kinds the student's edition of the requirements counts."""
    edition = str(student.requirement_set.edition) if student.requirement_set_id else ""
    competency = _check_kind(loggable_for(student), kind, competency, edition)
    if not 1 <= count <= 100:
        raise RuleViolation("Log between 1 and 100 at a time.", field="count")
    if kind == ProcedureKind.SURGICAL_CASE:
        if role not in ScrubRole.values:
            raise RuleViolation(
                "A surgical case needs the role: first_scrub, second_scrub or observation.",
                field="role",
            )
        if specialty_name(specialty) is None:
            raise RuleViolation(
                "Choose the specialty from the Core Curriculum's list: "
                + ", ".join(SPECIALTIES)
                + ".",
                field="specialty",
            )
        specialty = specialty_name(specialty)
    elif role or specialty:
        raise RuleViolation(
            "Only surgical cases have a specialty and a role.",
            field="role" if role else "specialty",
        )
    with transaction.atomic():
        externship = Externship.objects.select_for_update().get(pk=externship.pk)
        _check_day(externship, date, student)
        _check_correction(corrects, externship)
        log = ProcedureLog.objects.create(
            externship=externship,
            date=date,
            kind=kind,
            count=count,
            successful=successful,
            specialty=specialty,
            role=role,
            competency=competency,
            notes=notes,
            corrects=corrects,
        )
        _notify(log, urgent)
        return log


# -- decisions ---------------------------------------------------------------------------------


@attributed
def log_decide(
    *, log: ClinicalLog, decision: str, reason: str = "", by: User, via: str = DecisionVia.LOGIN
) -> ClinicalLog:
    """Approve, reject (with a reason) or send back for more information. Approved logs are
    frozen and a rejected one stays rejected: a correction is a new log referring to it."""
    if decision not in (LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.NEEDS_INFO):
        raise RuleViolation("Decide approved, rejected or needs_info.", field="decision")
    if decision != LogStatus.APPROVED and not reason.strip():
        raise RuleViolation("Say why, so the student can put it right.", field="reason")
    with transaction.atomic():
        log = (
            type(log)
            .objects.select_for_update()
            .select_related("externship__site", "externship__student")
            .get(pk=log.pk)
        )
        if not can_decide(by, log):
            raise NotAllowed("Only the site's supervisor or the school's staff decide this log.")
        if log.status not in (LogStatus.PENDING, LogStatus.NEEDS_INFO):
            raise NotAllowed(
                f"This log is already {log.get_status_display().lower()}; it cannot change."
            )
        log.status = decision
        log.decided_at = timezone.now()
        log.decision_reason = reason.strip()
        log.save(update_fields=["status", "decided_at", "decision_reason"])
        LogDecision.objects.create(
            **{f"{log_kind(log)}_log": log},
            decision=decision,
            reason=reason.strip(),
            decided_by=by,
            via=via,
            at=log.decided_at,
        )
        if decision != LogStatus.APPROVED:
            notifications.queue_decision_notice(log)
        return log


@attributed
def logs_bulk_approve(
    *,
    model: type[HourLog] | type[ProcedureLog],
    ids: list[int],
    by: User,
    via: str = DecisionVia.LOGIN,
) -> list[ClinicalLog]:
    """Approve several logs at once: all of them, or none when one cannot be approved."""
    with transaction.atomic():
        logs = list(
            model.objects.filter(pk__in=ids)
            .select_related("externship__site", "externship__student")
            .order_by("id")
        )
        found = {log.pk for log in logs}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise RuleViolation(f"No such logs: {', '.join(map(str, unknown))}.", field="ids")
        return [log_decide(log=log, decision=LogStatus.APPROVED, by=by, via=via) for log in logs]


def log_resubmit(*, log: ClinicalLog, student: Student, notes: str) -> ClinicalLog:
    """Answer a supervisor's request for more information; the log goes back for review."""
    with transaction.atomic():
        log = type(log).objects.select_for_update().select_related("externship").get(pk=log.pk)
        if log.externship.student_id != student.pk:
            raise NotAllowed("This is not your log.")
        if log.status != LogStatus.NEEDS_INFO:
            raise NotAllowed("Only a log sent back for more information can be answered.")
        log.notes = (log.notes + "\n" + notes).strip()
        log.status = LogStatus.PENDING
        log.save(update_fields=["notes", "status"])
        LogDecision.objects.create(
            **{f"{log_kind(log)}_log": log},
            decision=LogStatus.PENDING,
            reason=notes.strip(),
            decided_by=student.user,
            via=DecisionVia.LOGIN,
        )
        return log


def compliance_reminders_due(today: date, days: int = 30) -> list[ComplianceDocument]:
    """Documents expiring within `days` whose student has not been reminded yet; not one that
    a renewal already outlasts."""
    return list(
        ComplianceDocument.objects.lasting()
        .filter(
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
            reminded_at__isnull=True,
        )
        .select_related("student__user", "student__coach")
    )
