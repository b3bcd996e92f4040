from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from backend.audit import field_history
from enrollment.models import Program, Student


class ExamResult(models.TextChoices):
    SCHEDULED = "scheduled"
    PASSED = "passed"
    FAILED = "failed"
    NO_SHOW = "no_show", "No show"


# Results that mean the student sat the exam (credential pass rate: passed / sat).
SAT_RESULTS = (ExamResult.PASSED, ExamResult.FAILED)


class ExamAttempt(models.Model):
    """One sitting (or booked sitting) of the program's national certification exam."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="exam_attempts")
    credential = models.CharField(
        max_length=120, help_text="Copied from the program, e.g. NHA CCMA"
    )
    attempt_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    sat_on = models.DateField(help_text="The exam date; a future date is a scheduled attempt.")
    result = models.CharField(
        max_length=12, choices=ExamResult.choices, default=ExamResult.SCHEDULED
    )
    scaled_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(999)]
    )
    override_reason = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Why staff booked this attempt before the student was exam-ready; blank when "
        "the student was ready.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    audit_trail = field_history()

    class Meta:
        ordering = ["student", "attempt_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "credential", "attempt_number"],
                name="exam_attempt_numbered_once",
            ),
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(result=ExamResult.SCHEDULED),
                name="exam_attempt_one_scheduled",
            ),
            models.UniqueConstraint(
                fields=["student", "credential"],
                condition=Q(result=ExamResult.PASSED),
                name="exam_attempt_passed_once",
            ),
            models.CheckConstraint(
                condition=Q(scaled_score__isnull=True) | Q(result__in=SAT_RESULTS),
                name="exam_attempt_score_only_when_sat",
            ),
        ]
        indexes = [models.Index(fields=["student", "result"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.credential} attempt {self.attempt_number}"


class Employer(models.Model):
    """An employer, kept once and reused across students; may have been an externship site."""

    name = models.CharField(max_length=150)
    address = models.CharField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    site = models.OneToOneField(
        "externships.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employer",
        help_text="The externship site this employer was made from, if any.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="employer_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class JobApplicationStatus(models.TextChoices):
    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    OFFERED = "offered"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JobApplication(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="job_applications")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="applications")
    role = models.CharField(max_length=150)
    status = models.CharField(
        max_length=16, choices=JobApplicationStatus.choices, default=JobApplicationStatus.APPLIED
    )
    applied_on = models.DateField()
    status_changed_on = models.DateField()
    respond_by = models.DateField(
        null=True, blank=True, help_text="For an offer: the day the student must answer by."
    )
    notes = models.TextField(blank=True, max_length=4000)
    audit_trail = field_history()

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status_changed_on__gte=models.F("applied_on")),
                name="job_application_changes_after_applying",
            ),
            models.CheckConstraint(
                condition=Q(respond_by__isnull=True) | Q(respond_by__gte=models.F("applied_on")),
                name="job_offer_answered_after_applying",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.role} at {self.employer}"


class Classification(models.TextChoices):
    IN_FIELD = "in_field", "In field"
    RELATED = "related", "Related field"
    OUT_OF_FIELD = "out_of_field", "Out of field"


# What the placement rate counts (ABHES F + R); out-of-field jobs do not count.
PLACED_CLASSIFICATIONS = (Classification.IN_FIELD, Classification.RELATED)


class Employment(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"


class Verification(models.TextChoices):
    EMPLOYER = "employer", "Confirmed by the employer"
    OFFER_LETTER = "offer_letter", "Offer letter"
    PAY_STUB = "pay_stub", "Pay stub"
    GRADUATE = "graduate", "Stated by the graduate in writing"
    PUBLIC_RECORD = "public_record", "Public record (e.g. a professional profile)"


class JobPlacement(models.Model):
    """A job a student or graduate took, with how the school verified it."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="placements")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="placements")
    title = models.CharField(max_length=150)
    classification = models.CharField(max_length=16, choices=Classification.choices)
    employment = models.CharField(max_length=16, choices=Employment.choices)
    hourly_wage_cents = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    start_date = models.DateField()
    verification_method = models.CharField(max_length=16, choices=Verification.choices)
    evidence_note = models.TextField(max_length=4000)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    audit_trail = field_history()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["student", "classification"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_wage_cents__gte=1), name="placement_wage_positive"
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verified_by__isnull=False),
                name="placement_verified_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.title} at {self.employer}"


class UnavailableReason(models.TextChoices):
    HEALTH = "health", "Health"
    DEATH = "death", "Death"
    MILITARY = "military", "Military obligation"
    INCARCERATION = "incarceration", "Incarceration"
    CONTINUING_EDUCATION = "continuing_education", "Continuing education"


class Unavailability(models.Model):
    """A graduate documented as unavailable for employment (ABHES U): leaves the placement
    denominator. Only the reasons ABHES accepts, and only with evidence."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="unavailability")
    reason = models.CharField(max_length=24, choices=UnavailableReason.choices)
    documented_on = models.DateField()
    evidence_note = models.TextField(max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audit_trail = field_history()

    class Meta:
        ordering = ["-documented_on", "-id"]
        verbose_name_plural = "unavailabilities"

    def __str__(self) -> str:
        return f"{self.student}: unavailable ({self.get_reason_display()})"


class ReferencePay(models.Model):
    """Published pay for the program's occupation, shown beside placements' wages."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="reference_pay")
    year = models.PositiveSmallIntegerField()
    annual_median_cents = models.PositiveIntegerField()
    hourly_median_cents = models.PositiveIntegerField()
    annual_p10_cents = models.PositiveIntegerField()
    annual_p90_cents = models.PositiveIntegerField()
    source = models.CharField(max_length=200)
    source_url = models.URLField(blank=True)

    class Meta:
        ordering = ["program", "-year"]
        verbose_name_plural = "reference pay"
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="reference_pay_once_a_year"),
            models.CheckConstraint(
                condition=Q(annual_p10_cents__lte=models.F("annual_median_cents"))
                & Q(annual_median_cents__lte=models.F("annual_p90_cents")),
                name="reference_pay_percentiles_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year}"
