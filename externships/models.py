from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from backend.audit import field_history
from backend.dates import short_day, time_of_day
from backend.errors import NotAllowed
from enrollment.models import Program, Student


class RequirementSet(models.Model):
    """One edition of a program's clinical requirements; students keep the one they started on."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="requirement_sets")
    edition = models.CharField(max_length=80, help_text="e.g. Core Curriculum 6th ed.")
    source = models.CharField(max_length=300, help_text="Where the numbers come from.")
    is_current = models.BooleanField(default=True, help_text="New students start on this edition.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "edition"], name="requirement_set_edition_unique"
            ),
            models.UniqueConstraint(
                fields=["program"], condition=Q(is_current=True), name="requirement_set_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name}: {self.edition}"


class RequirementKind(models.TextChoices):
    HOURS = "hours", "Approved externship hours"
    PROCEDURES = "procedures", "Successful procedures of one kind"
    COMPETENCIES = "competencies", "Competency checklist"
    SURGICAL_CASES = "surgical_cases", "Surgical case rules"


class Requirement(models.Model):
    """One rule of a requirement set. `params` holds the rule's numbers (see externships.rules)."""

    requirement_set = models.ForeignKey(
        RequirementSet, on_delete=models.CASCADE, related_name="requirements"
    )
    kind = models.CharField(max_length=16, choices=RequirementKind.choices)
    label = models.CharField(max_length=120)
    params = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class SiteKind(models.TextChoices):
    CLINIC = "clinic"
    HOSPITAL = "hospital"
    PHARMACY = "pharmacy"
    LAB = "lab"
    SURGERY_CENTER = "surgery_center", "Surgery center"


class Site(models.Model):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=SiteKind.choices)
    address = models.CharField(max_length=300)
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Students on externship here at one time."
    )
    agreement_valid_until = models.DateField(
        help_text="No placement starts after the affiliation agreement lapses."
    )
    programs = models.ManyToManyField(Program, related_name="sites")
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_sites"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    IMMUNIZATIONS = "immunizations"
    TB_TEST = "tb_test", "TB test"
    BACKGROUND_CHECK = "background_check"
    DRUG_SCREEN = "drug_screen"
    CPR_BLS = "cpr_bls", "CPR/BLS"
    FERPA_RELEASE = "ferpa_release", "Signed FERPA release"


class ComplianceDocumentQuerySet(models.QuerySet):
    """Which document of a kind counts: the one that lasts longest (one that never expires
    outlasts any dated one), so a renewal replaces the document it renews. `lasting()` gives the
    documents that count in SQL (the coach's flags, the reminders), `lasting_documents()` the
    same for one student's documents in hand."""

    def lasting(self) -> "ComplianceDocumentQuerySet":
        """The documents that count: none of the same student and kind outlasts them (one that
        never expires always counts)."""
        longer = ComplianceDocument.objects.filter(
            student=OuterRef("student"), kind=OuterRef("kind")
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
        return self.filter(Q(expires_on__isnull=True) | ~Exists(longer))


class ComplianceDocument(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    received_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty when it never expires.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Who recorded which document, and every correction; the reminder's bookkeeping aside.
    audit_trail = field_history(excluded_fields=["reminded_at"])

    objects = ComplianceDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["student", "kind", "-expires_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.student}"

    def clean(self) -> None:
        """The dates a document can have, for the admin's form and the API alike."""
        errors = {}
        if self.received_on and self.received_on > timezone.localdate():
            errors["received_on"] = "A document cannot be received after today."
        if self.received_on and self.expires_on and self.expires_on < self.received_on:
            errors["expires_on"] = "A document cannot expire before it was received."
        if errors:
            raise ValidationError(errors)

    @property
    def lasts(self) -> tuple[bool, date]:
        """How long it counts, to compare: never expiring outlasts any expiry day."""
        return (self.expires_on is None, self.expires_on or date.min)


def lasting_documents(documents: Iterable[ComplianceDocument]) -> dict[str, ComplianceDocument]:
    """Each kind's document that counts, by kind: the one that lasts longest."""
    lasting: dict[str, ComplianceDocument] = {}
    for document in documents:
        kept = lasting.get(document.kind)
        if kept is None or document.lasts > kept.lasts:
            lasting[document.kind] = document
    return lasting


class ExternshipStatus(models.TextChoices):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Externship(models.Model):
    """One student placed at one site, with a supervisor, for a date range."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="externships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="externships")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_externships"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ExternshipStatus.choices, default=ExternshipStatus.ACTIVE
    )
    audit_trail = field_history()

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="externship_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} at {self.site}"


class LogStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_INFO = "needs_info", "Sent back for more information"


class ProcedureKind(models.TextChoices):
    VENIPUNCTURE = "venipuncture"
    CAPILLARY_STICK = "capillary_stick", "Capillary or finger stick"
    SURGICAL_CASE = "surgical_case"
    COMPETENCY = "competency"


class ScrubRole(models.TextChoices):
    FIRST_SCRUB = "first_scrub"
    SECOND_SCRUB = "second_scrub"
    OBSERVATION = "observation"


# The database's own refusal (migration 0005's triggers) starts with these words.
FROZEN_IN_THE_DATABASE = "approved logs are frozen"


class ApprovedLogFrozen(NotAllowed):
    """An approved log was about to be changed or deleted: it never is; a correction is a new
    log that refers to it (`corrects`)."""

    code = "approved_log_frozen"

    def __init__(self, deleted: bool = False) -> None:
        action = "deleted" if deleted else "changed"
        super().__init__(
            f"This log is approved: an approved log is never {action}. To put it right, log a "
            "correction that refers to it."
        )


@contextmanager
def frozen_by_the_database(deleted: bool = False) -> Iterator[None]:
    """The triggers' refusal as the domain error: an instance read before another process
    approved its log gets past the checks in Python, never past the database."""
    try:
        yield
    except IntegrityError as exc:
        if FROZEN_IN_THE_DATABASE in str(exc):
            raise ApprovedLogFrozen(deleted) from exc
        raise


class ClinicalLogQuerySet(models.QuerySet):
    def counting(self) -> "ClinicalLogQuerySet":
        """Logs that count toward progress: approved, and not replaced by an approved correction.

        The replaced logs are one list, read once per query (`NOT IN`), rather than a search for a
        correction under every approved log."""
        approved = self.model.objects.filter(status=LogStatus.APPROVED)
        replaced = approved.filter(corrects__isnull=False).values("corrects")
        return self.filter(status=LogStatus.APPROVED).exclude(pk__in=replaced)

    def update(self, **kwargs: Any) -> int:
        """Refused when an approved log is among the rows (an update keeps no history either)."""
        if self.filter(status=LogStatus.APPROVED).exists():
            raise ApprovedLogFrozen()
        with frozen_by_the_database():
            return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused when an approved log is among the rows. SQLite has no trigger for this one
        (see migration 0005): its write lock, taken when the transaction begins, keeps the check
        true until the rows are gone."""
        with transaction.atomic(), frozen_by_the_database(deleted=True):
            if self.filter(status=LogStatus.APPROVED).exists():
                raise ApprovedLogFrozen(deleted=True)
            return super().delete()


class ClinicalLog(models.Model):
    """What hour and procedure logs share: the externship, the day, the supervisor's decision."""

    externship = models.ForeignKey(Externship, on_delete=models.PROTECT, related_name="%(class)ss")
    date = models.DateField()
    notes = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=12, choices=LogStatus.choices, default=LogStatus.PENDING)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The earlier log this one corrects (approved logs are never edited).",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    objects = ClinicalLogQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    # Approved logs are frozen here for the shell and scripts, and in the database by triggers
    # (migration 0005), which SQLite drops when a migration rebuilds the table: recreate them.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._approved_in_the_database():
            raise ApprovedLogFrozen()
        with frozen_by_the_database():
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic(), frozen_by_the_database(deleted=True):
            if self._approved_in_the_database():
                raise ApprovedLogFrozen(deleted=True)
            return super().delete(*args, **kwargs)

    def _approved_in_the_database(self) -> bool:
        return type(self)._base_manager.filter(pk=self.pk, status=LogStatus.APPROVED).exists()


class HourLog(ClinicalLog):
    start_time = models.TimeField()
    end_time = models.TimeField()
    # A database default too: the demo's bulk loader inserts rows without this column.
    ends_next_day = models.BooleanField(
        default=False,
        db_default=False,
        help_text="An overnight shift: the end time is on the day after `date`.",
    )
    break_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(8 * 60)]
    )
    minutes = models.PositiveIntegerField(
        editable=False, help_text="Worked minutes: end - start - break."
    )
    activities = models.TextField(max_length=2000)
    audit_trail = field_history()

    class Meta(ClinicalLog.Meta):
        constraints = [
            # Same day: the end after the start; overnight: the end, next morning, before it.
            models.CheckConstraint(
                condition=Q(ends_next_day=False, end_time__gt=F("start_time"))
                | Q(ends_next_day=True, end_time__lt=F("start_time")),
                name="hour_log_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=16 * 60), name="hour_log_at_most_16_hours"
            ),
        ]

    def __str__(self) -> str:
        next_day = " (next day)" if self.ends_next_day else ""
        return f"{self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}{next_day}"


class ProcedureLog(ClinicalLog):
    kind = models.CharField(max_length=16, choices=ProcedureKind.choices)
    count = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    successful = models.BooleanField(default=True)
    specialty = models.CharField(
        max_length=60, blank=True, help_text="Surgical cases: general or a specialty."
    )
    role = models.CharField(max_length=16, choices=ScrubRole.choices, blank=True)
    competency = models.CharField(
        max_length=120, blank=True, help_text="Competency logs: the checklist item."
    )
    audit_trail = field_history()

    class Meta(ClinicalLog.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="procedure_log_count_positive"),
            models.CheckConstraint(
                condition=~Q(kind="surgical_case") | (~Q(role="") & ~Q(specialty="")),
                name="procedure_log_case_has_role_and_specialty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.count} x {self.get_kind_display()}"


def log_kind(log: HourLog | ProcedureLog) -> str:
    """ "hour" or "procedure": the word URLs, tokens and tasks use for a log's model."""
    return "hour" if isinstance(log, HourLog) else "procedure"


def log_in_words(log: HourLog | ProcedureLog) -> str:
    """A log in one line (the supervisor's summary, the student's messages, the coach's
    timeline): its day, then its times and hours ('Tue, Dec 1: 10:00 p.m. to 6:00 a.m. (next
    day), 8 hours') or its count and kind."""
    day = short_day(log.date, weekday=True)
    if isinstance(log, HourLog):
        next_day = " (next day)" if log.ends_next_day else ""
        hours = f"{log.minutes / 60:.2f}".rstrip("0").rstrip(".")
        times = f"{time_of_day(log.start_time)} to {time_of_day(log.end_time)}{next_day}"
        return f"{day}: {times}, {hours} hours"
    what = log.get_kind_display().lower()
    if log.competency:
        what = f"competency: {log.competency}"
    elif log.specialty:
        what = f"{what} ({log.specialty}, {log.get_role_display().lower()})"
    return f"{day}: {log.count} \u00d7 {what}"


class DecisionVia(models.TextChoices):
    LOGIN = "login"
    LINK = "link", "Signed email link"


class LogDecision(models.Model):
    """Every decision on a log (and each resubmission by the student, as `pending`): who, when,
    how (login or link), what and why. Never edited."""

    hour_log = models.ForeignKey(
        HourLog, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    procedure_log = models.ForeignKey(
        ProcedureLog, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(max_length=12, choices=LogStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=8, choices=DecisionVia.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hour_log__isnull=True) ^ Q(procedure_log__isnull=True),
                name="log_decision_names_one_log",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} by {self.decided_by} via {self.via}"
