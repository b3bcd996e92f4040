"""Employers, job applications, placements and unavailability: every write, with the rules of
PRODUCT.md's certification and careers section (exam attempts: careers.exams).

Writes that depend on a student's other records (attempt numbers, one open booking, one
unavailability) lock the student row first, so two requests at once are taken one after the
other; the database's constraints are the last guard."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from backend.audit import attributed
from backend.dates import day
from backend.errors import NotAllowed, RuleViolation
from careers.models import (
    Employer,
    JobApplication,
    JobApplicationStatus,
    JobPlacement,
    Unavailability,
)
from careers.selectors import exam_student
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


def lock_student(student: Student) -> Student:
    """Lock the student's row for the rest of the transaction and read it again with what the
    careers rules need."""
    Student.objects.select_for_update().only("pk").get(pk=student.pk)
    return exam_student(student.pk)


def not_in_future(day: date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise RuleViolation(f"{what} cannot be in the future.", field=field)


def required_text(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise RuleViolation(message, field=field)
    return text.strip()


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
    name = required_text(name, "name", "Name the employer.")
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
        fields["name"] = required_text(fields["name"], "name", "Name the employer.")
        _refuse_same_name(fields["name"], exclude=employer)
    for name, value in fields.items():
        setattr(employer, name, value)
    return _save_employer(employer)


def employer_named(*, name: str) -> Employer:
    """The employer of this name in any case, made now when there is none (a coach typing the
    name of a job's employer)."""
    name = required_text(name, "name", "Name the employer.")
    existing = Employer.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        return employer_create(name=name)
    except RuleViolation:
        # Another request made the same employer between our read and our write.
        return Employer.objects.get(name__iexact=name)


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
    not_in_future(applied_on, "applied_on", "The application date")
    _check_respond_by(respond_by, applied_on)
    changed_on = applied_on if status == JobApplicationStatus.APPLIED else timezone.localdate()
    return JobApplication.objects.create(
        student=student,
        employer=employer,
        role=required_text(role, "role", "Name the role applied for."),
        status=status,
        applied_on=applied_on,
        status_changed_on=changed_on,
        respond_by=respond_by,
        notes=notes,
    )


def job_application_record(*, employer_name: str, **fields: object) -> JobApplication:
    """`job_application_create` with the employer named in words: a new name becomes an employer
    in the same transaction, so a refused application leaves no employer behind."""
    with transaction.atomic():
        return job_application_create(employer=employer_named(name=employer_name), **fields)


def job_application_update(*, application: JobApplication, **changes: object) -> JobApplication:
    """Change an application; a new status is dated today."""
    with transaction.atomic():
        application = JobApplication.objects.select_for_update().get(pk=application.pk)
        if "role" in changes:
            changes["role"] = required_text(changes["role"], "role", "Name the role applied for.")
        if "applied_on" in changes:
            not_in_future(changes["applied_on"], "applied_on", "The application date")
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
        title=required_text(title, "title", "Give the job title."),
        classification=classification,
        employment=employment,
        hourly_wage_cents=hourly_wage_cents,
        start_date=start_date,
        verification_method=verification_method,
        evidence_note=required_text(
            evidence_note, "evidence_note", "Describe the evidence of this job."
        ),
        recorded_by=by,
    )


def placement_record(*, employer_name: str, **fields: object) -> JobPlacement:
    """`placement_create` with the employer named in words, made in the same transaction when
    new."""
    with transaction.atomic():
        return placement_create(employer=employer_named(name=employer_name), **fields)


def placement_update(*, placement: JobPlacement, **changes: object) -> JobPlacement:
    """Correct a placement. A change to its facts clears the verification: the changed record
    has to be verified again."""
    if "hourly_wage_cents" in changes:
        _check_wage(changes["hourly_wage_cents"])
    if "title" in changes:
        changes["title"] = required_text(changes["title"], "title", "Give the job title.")
    if "evidence_note" in changes:
        changes["evidence_note"] = required_text(
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
                f"This placement was already verified on {day(placement.verified_at)}."
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
    not_in_future(documented_on, "documented_on", "The documentation date")
    return required_text(
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
        student = lock_student(student)
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
