"""Exam attempts, employers, job applications, placements and unavailability: every write, with
the rules of PRODUCT.md's certification and careers section.

Writes that depend on a student's other records (attempt numbers, one open booking, one
unavailability) lock the student row first, so two requests at once are taken one after the
other; the database's constraints are the last guard."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from backend.audit import attributed
from backend.errors import NotAllowed, RuleViolation
from careers.models import (
    SAT_RESULTS,
    Employer,
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
    JobPlacement,
    Unavailability,
)
from careers.selectors import exam_readiness, exam_student
from enrollment.models import Student, StudentStage
from externships.models import Site

MAX_HOURLY_WAGE_CENTS = 100_000
PLACEMENT_FACTS = (
    "employer",
    "title",
    "classification",
    "employment",
    "hourly_wage_cents",
    "start_date",
    "verification_method",
)


def _lock_student(student: Student) -> Student:
    """Lock the student's row for the rest of the transaction and read it again with what the
    careers rules need."""
    Student.objects.select_for_update().only("pk").get(pk=student.pk)
    return exam_student(student.pk)


def _not_in_future(day: date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise RuleViolation(f"{what} cannot be in the future.", field=field)


def _required_text(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise RuleViolation(message, field=field)
    return text.strip()


# -- exam attempts -----------------------------------------------------------------------------


def _check_result(*, result: str, sat_on: date, scaled_score: int | None) -> None:
    if result != ExamResult.SCHEDULED:
        _not_in_future(sat_on, "sat_on", "The date of a recorded result")
    if scaled_score is not None and result not in SAT_RESULTS:
        raise RuleViolation(
            "A scaled score goes only with a result of passed or failed.", field="scaled_score"
        )


def _refuse_unless_ready(student: Student, sat_on: date, override_reason: str, by: User) -> str:
    """The override reason to record: blank when the student is ready, staff's reason when they
    book anyway; refused with the reasons otherwise."""
    readiness = exam_readiness(student, on=sat_on)
    if readiness.ready:
        return ""
    if override_reason.strip() and by.is_school_staff:
        return override_reason.strip()
    raise RuleViolation("Not exam-ready: " + " ".join(readiness.reasons), field="student")


@attributed
def exam_attempt_create(
    *,
    student: Student,
    sat_on: date,
    result: str = ExamResult.SCHEDULED,
    scaled_score: int | None = None,
    override_reason: str = "",
    by: User,
) -> ExamAttempt:
    """Book (or record) the next attempt at the program's credential, numbered after the last.
    Refused after a pass, while another attempt is still scheduled, and for a student who is
    not exam-ready, unless staff give an override reason."""
    if override_reason.strip() and not by.is_school_staff:
        raise RuleViolation(
            "Only staff may book an exam before readiness.", field="override_reason"
        )
    _check_result(result=result, sat_on=sat_on, scaled_score=scaled_score)
    with transaction.atomic():
        student = _lock_student(student)
        credential = student.cohort.program.credential
        attempts = ExamAttempt.objects.filter(student=student)
        if attempts.filter(credential=credential, result=ExamResult.PASSED).exists():
            raise NotAllowed(f"{student} has already passed the {credential} exam.")
        if attempts.filter(result=ExamResult.SCHEDULED).exists():
            raise NotAllowed(
                f"{student} already has an attempt scheduled; record its result first."
            )
        override_reason = _refuse_unless_ready(student, sat_on, override_reason, by)
        last = attempts.filter(credential=credential).aggregate(last=Max("attempt_number"))
        return ExamAttempt.objects.create(
            student=student,
            credential=credential,
            attempt_number=(last["last"] or 0) + 1,
            sat_on=sat_on,
            result=result,
            scaled_score=scaled_score,
            override_reason=override_reason,
            recorded_by=by,
        )


@attributed
def exam_attempt_update(
    *,
    attempt: ExamAttempt,
    sat_on: date,
    result: str,
    scaled_score: int | None,
    by: User,
) -> ExamAttempt:
    """Record the result of an attempt, or correct its date or score (all three are the new
    values). An earlier attempt (one with a later attempt after it) can be neither scheduled
    nor passed; a scheduled attempt moved to another date is checked for readiness again."""
    _check_result(result=result, sat_on=sat_on, scaled_score=scaled_score)
    with transaction.atomic():
        student = _lock_student(attempt.student)
        attempt = ExamAttempt.objects.select_for_update().get(pk=attempt.pk)
        others = ExamAttempt.objects.filter(student=student).exclude(pk=attempt.pk)
        later = others.filter(
            credential=attempt.credential, attempt_number__gt=attempt.attempt_number
        )
        if result in (ExamResult.SCHEDULED, ExamResult.PASSED) and later.exists():
            raise RuleViolation(
                f"Attempt {attempt.attempt_number} has a later attempt; it cannot be "
                f"{ExamResult(result).label.lower()}.",
                field="result",
            )
        if result == ExamResult.SCHEDULED and others.filter(result=result).exists():
            raise NotAllowed(f"{student} already has another attempt scheduled.")
        rescheduled = result == ExamResult.SCHEDULED and sat_on != attempt.sat_on
        if rescheduled and not attempt.override_reason:
            _refuse_unless_ready(student, sat_on, "", by)
        attempt.sat_on = sat_on
        attempt.result = result
        attempt.scaled_score = scaled_score
        attempt.save(update_fields=["sat_on", "result", "scaled_score"])
        return attempt


def exam_attempt_delete(*, attempt: ExamAttempt) -> None:
    """Cancel a booking. A recorded result stays on record: it counts in the credential rate."""
    if attempt.result != ExamResult.SCHEDULED:
        raise NotAllowed("A recorded result stays on record; correct it instead of deleting it.")
    attempt.delete()


# -- employers ---------------------------------------------------------------------------------


def _refuse_same_name(name: str, exclude: Employer | None = None) -> None:
    same = Employer.objects.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    existing = same.first()
    if existing is not None:
        raise RuleViolation(
            f'An employer named "{existing.name}" already exists (id {existing.pk}).', field="name"
        )


def _save_employer(employer: Employer) -> Employer:
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError:
        # Another request saved the same name between our check and this write.
        _refuse_same_name(employer.name, exclude=employer if employer.pk else None)
        raise
    return employer


def employer_create(
    *,
    name: str,
    address: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Employer:
    """Keep an employer once: a name already on record (in any case) is refused."""
    name = _required_text(name, "name", "Name the employer.")
    _refuse_same_name(name)
    return _save_employer(
        Employer(
            name=name,
            address=address,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
        )
    )


def employer_update(*, employer: Employer, **fields: str) -> Employer:
    """Correct an employer's name or contacts; the name stays unique in any case."""
    if "name" in fields:
        fields["name"] = _required_text(fields["name"], "name", "Name the employer.")
        _refuse_same_name(fields["name"], exclude=employer)
    for name, value in fields.items():
        setattr(employer, name, value)
    return _save_employer(employer)


def employer_from_site(*, site: Site) -> tuple[Employer, bool]:
    """The employer an externship site is, made in one step; True when it was created now.

    Idempotent: the site's employer if it has one, else an employer of the same name with no
    site is linked to it, else a new one is made from the site's name and address."""
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        existing = Employer.objects.filter(site=site).first()
        if existing is not None:
            return existing, False
        namesake = Employer.objects.filter(name__iexact=site.name).first()
        if namesake is not None:
            if namesake.site_id is not None:
                raise RuleViolation(
                    f'The employer "{namesake.name}" was made from another site; rename one of '
                    "them first.",
                    field="site",
                )
            namesake.site = site
            namesake.save(update_fields=["site"])
            return namesake, False
        employer = Employer.objects.create(name=site.name, address=site.address, site=site)
        return employer, True


# -- job applications --------------------------------------------------------------------------


def _check_respond_by(respond_by: date | None, applied_on: date) -> None:
    if respond_by is not None and respond_by < applied_on:
        raise RuleViolation(
            "An offer is answered after the application was sent.", field="respond_by"
        )


def job_application_create(
    *,
    student: Student,
    employer: Employer,
    role: str,
    applied_on: date,
    status: str = JobApplicationStatus.APPLIED,
    respond_by: date | None = None,
    notes: str = "",
) -> JobApplication:
    """Record a job the student applied for; an application recorded later than it was sent
    has its status dated today, unless it is still just 'applied'."""
    _not_in_future(applied_on, "applied_on", "The application date")
    _check_respond_by(respond_by, applied_on)
    changed_on = applied_on if status == JobApplicationStatus.APPLIED else timezone.localdate()
    return JobApplication.objects.create(
        student=student,
        employer=employer,
        role=_required_text(role, "role", "Name the role applied for."),
        status=status,
        applied_on=applied_on,
        status_changed_on=changed_on,
        respond_by=respond_by,
        notes=notes,
    )


def job_application_update(*, application: JobApplication, **changes: object) -> JobApplication:
    """Change an application; a new status is dated today."""
    with transaction.atomic():
        application = JobApplication.objects.select_for_update().get(pk=application.pk)
        if "role" in changes:
            changes["role"] = _required_text(changes["role"], "role", "Name the role applied for.")
        if "applied_on" in changes:
            _not_in_future(changes["applied_on"], "applied_on", "The application date")
        status = changes.get("status", application.status)
        if status != application.status:
            application.status_changed_on = timezone.localdate()
        for name, value in changes.items():
            setattr(application, name, value)
        _check_respond_by(application.respond_by, application.applied_on)
        # A corrected, later application date moves the status date with it.
        application.status_changed_on = max(application.status_changed_on, application.applied_on)
        application.save()
        return application


# -- job placements ----------------------------------------------------------------------------


def _check_wage(cents: int) -> None:
    if not 1 <= cents <= MAX_HOURLY_WAGE_CENTS:
        raise RuleViolation(
            f"The hourly wage is in cents, from 1 to {MAX_HOURLY_WAGE_CENTS}.",
            field="hourly_wage_cents",
        )


@attributed
def placement_create(
    *,
    student: Student,
    employer: Employer,
    title: str,
    classification: str,
    employment: str,
    hourly_wage_cents: int,
    start_date: date,
    verification_method: str,
    evidence_note: str,
    by: User,
) -> JobPlacement:
    """Record a job a student or graduate took, with the evidence; it is verified separately."""
    _check_wage(hourly_wage_cents)
    return JobPlacement.objects.create(
        student=student,
        employer=employer,
        title=_required_text(title, "title", "Give the job title."),
        classification=classification,
        employment=employment,
        hourly_wage_cents=hourly_wage_cents,
        start_date=start_date,
        verification_method=verification_method,
        evidence_note=_required_text(
            evidence_note, "evidence_note", "Describe the evidence of this job."
        ),
        recorded_by=by,
    )


def placement_update(*, placement: JobPlacement, **changes: object) -> JobPlacement:
    """Correct a placement. A change to its facts clears the verification: the changed record
    has to be verified again."""
    if "hourly_wage_cents" in changes:
        _check_wage(changes["hourly_wage_cents"])
    if "title" in changes:
        changes["title"] = _required_text(changes["title"], "title", "Give the job title.")
    if "evidence_note" in changes:
        changes["evidence_note"] = _required_text(
            changes["evidence_note"], "evidence_note", "Describe the evidence of this job."
        )
    with transaction.atomic():
        placement = JobPlacement.objects.select_for_update().get(pk=placement.pk)
        facts_changed = any(
            getattr(placement, name) != value
            for name, value in changes.items()
            if name in PLACEMENT_FACTS
        )
        for name, value in changes.items():
            setattr(placement, name, value)
        if facts_changed:
            placement.verified_by = None
            placement.verified_at = None
        placement.save()
        return placement


@attributed
def placement_verify(*, placement: JobPlacement, by: User) -> JobPlacement:
    """Staff confirm a placement on the evidence recorded; a student never verifies."""
    if not by.is_school_staff:
        raise NotAllowed("Only the school's staff verify placements.")
    with transaction.atomic():
        placement = JobPlacement.objects.select_for_update().get(pk=placement.pk)
        if placement.verified_at is not None:
            raise NotAllowed(
                f"This placement was already verified on {placement.verified_at:%Y-%m-%d}."
            )
        placement.verified_by = by
        placement.verified_at = timezone.now()
        placement.save(update_fields=["verified_by", "verified_at"])
        return placement


@attributed
def placements_verify(*, ids: list[int], by: User) -> int:
    """Verify the unverified placements among `ids`; the number verified."""
    pending = list(JobPlacement.objects.filter(pk__in=ids, verified_at__isnull=True))
    for placement in pending:
        placement_verify(placement=placement, by=by)
    return len(pending)


# -- unavailability ----------------------------------------------------------------------------


def _check_unavailability(documented_on: date, evidence_note: str) -> str:
    _not_in_future(documented_on, "documented_on", "The documentation date")
    return _required_text(
        evidence_note, "evidence_note", "Describe the evidence (ABHES requires documentation)."
    )


@attributed
def unavailability_record(
    *, student: Student, reason: str, documented_on: date, evidence_note: str, by: User
) -> Unavailability:
    """Record a graduate as unavailable for employment (ABHES U), with the evidence; once per
    graduate."""
    evidence_note = _check_unavailability(documented_on, evidence_note)
    with transaction.atomic():
        student = _lock_student(student)
        if student.stage != StudentStage.GRADUATED:
            raise RuleViolation(
                "Only a graduate can be recorded as unavailable for employment.", field="student"
            )
        if Unavailability.objects.filter(student=student).exists():
            raise RuleViolation(
                f"{student} is already recorded as unavailable; change that record.",
                field="student",
            )
        return Unavailability.objects.create(
            student=student,
            reason=reason,
            documented_on=documented_on,
            evidence_note=evidence_note,
            recorded_by=by,
        )


def unavailability_update(*, record: Unavailability, **changes: object) -> Unavailability:
    """Correct the reason, date or evidence of an unavailability."""
    documented_on = changes.get("documented_on", record.documented_on)
    evidence_note = changes.get("evidence_note", record.evidence_note)
    changes["evidence_note"] = _check_unavailability(documented_on, evidence_note)
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    return record
