import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from backend.audit import field_history
from messaging.consent import ConsentChannel


class Track(models.TextChoices):
    MEDICAL_ASSISTANT = "medical_assistant", "Medical Assistant"
    PHARMACY_TECHNICIAN = "pharmacy_technician", "Pharmacy Technician"
    PHLEBOTOMY = "phlebotomy", "Phlebotomy"
    SURGICAL_TECHNOLOGIST = "surgical_technologist", "Surgical Technologist"


class SeatStatus(models.TextChoices):
    OPEN = "open"
    FEW_LEFT = "few_left"
    WAITLIST_ONLY = "waitlist_only"
    CLOSED = "closed"


class Program(models.Model):
    """A career program; every fact here is data the school may edit."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    track = models.CharField(max_length=32, choices=Track.choices)
    duration_weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    delivery = models.CharField(max_length=200)
    credential = models.CharField(max_length=120, help_text="e.g. NHA CCMA")
    clinical_requirement = models.TextField(blank=True)
    description = models.TextField(blank=True)
    offer_hold_hours = models.PositiveSmallIntegerField(
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text="How long an offered seat is held before it goes to the next applicant.",
    )
    waitlist_only = models.BooleanField(
        default=False,
        help_text="Enrollment is closed: applicants join the waitlist and no seat is offered "
        "until this is turned off; then free seats go to the waitlist in order.",
    )
    few_left_at = models.PositiveSmallIntegerField(
        default=3, help_text="Seats left at or below which the program shows 'few left'."
    )
    is_active = models.BooleanField(default=True)
    # What an applicant reads on the program's page; each is shown only when set.
    length = models.CharField(
        "length in words",
        max_length=60,
        blank=True,
        help_text='As the school says it, e.g. "4 months". Left blank, the page shows the weeks.',
    )
    schedule = models.CharField(
        max_length=300,
        blank=True,
        help_text='Days and times, e.g. "Evening classes, Monday to Thursday, 6 to 9 pm".',
    )
    tuition_cents = models.PositiveIntegerField(
        "tuition (cents)",
        null=True,
        blank=True,
        help_text="In cents: 340000 is $3,400. Left blank, no tuition is shown.",
    )
    tuition_includes = models.TextField(
        blank=True, help_text="What the tuition pays for, one item a line."
    )
    fees = models.TextField(
        blank=True,
        help_text='Costs on top of tuition, one a line, e.g. "Registration fee: $100".',
    )
    payment_options = models.TextField(blank=True, help_text="One option a line.")
    requirements_to_apply = models.TextField(
        blank=True, help_text="What an applicant needs, one requirement a line."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offer_hold_hours__gte=1), name="program_offer_hold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def length_in_words(self) -> str:
        """The length as the school says it, else its weeks ("4 weeks")."""
        if self.length:
            return self.length
        return f"{self.duration_weeks} week{'s' if self.duration_weeks != 1 else ''}"


class Cohort(models.Model):
    """One class of a program with a fixed number of seats."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveIntegerField(
        help_text="Change it through 'Change capacity', which shows the offers it will send."
    )
    enrollment_cutoff = models.DateField(
        blank=True, help_text="No offers are made from this date on. Defaults to the start date."
    )
    coaches = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coached_cohorts"
    )
    cutoff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Waitlist-only programs: seats given back while nobody waited, owed to the next in line.
    released_seats = models.PositiveIntegerField(default=0, editable=False)
    audit_trail = field_history()

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=0), name="cohort_capacity_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} · {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.enrollment_cutoff is None:
            self.enrollment_cutoff = self.starts_on
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The database's `cohort_ends_after_start`, said on the field it is about.
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "A cohort ends on or after the day it starts."})

    def is_past_cutoff(self, today: "timezone.datetime.date | None" = None) -> bool:
        return (today or timezone.localdate()) >= self.enrollment_cutoff


class Education(models.TextChoices):
    HS_DIPLOMA = "hs_diploma", "High-school diploma"
    GED = "ged", "GED"
    SOME_COLLEGE = "some_college", "Some college"
    DEGREE = "degree", "College degree"
    NONE = "none", "None of these"


class Status(models.TextChoices):
    SUBMITTED = "submitted"
    INELIGIBLE = "ineligible"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    ENROLLED = "enrolled"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


# An application that holds or waits for a seat. A submitted one is still being placed, in its
# own transaction, and has no place yet: one person stands once per cohort from the moment the
# cohort lock places them.
PLACED_STATUSES = (Status.OFFERED, Status.WAITLISTED, Status.ENROLLED)


def new_status_token() -> str:
    return secrets.token_urlsafe(24)


class Application(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="applications")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = PhoneNumberField()
    date_of_birth = models.DateField()
    education = models.CharField(max_length=16, choices=Education.choices)
    prior_healthcare_experience = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # Queue order: the moment the cohort lock let the complete application in, kept on a move.
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_token = models.CharField(
        max_length=64, unique=True, default=new_status_token, editable=False
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    ineligibility_reason = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    # The one-time key of the form that sent it: a double click finds this application again.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    # When a repeat application last emailed this one's status link (at most one an hour).
    status_link_resent_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    audit_trail = field_history(
        excluded_fields=["status_token", "submission_key", "status_link_resent_at", "updated_at"]
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["cohort", "status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "email"],
                condition=Q(status__in=PLACED_STATUSES),
                name="application_one_active_per_email",
            ),
            models.UniqueConstraint(
                fields=["cohort", "phone"],
                condition=Q(status__in=PLACED_STATUSES),
                name="application_one_active_per_phone",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~Q(submission_key=""),
                name="application_one_per_submission_key",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.OFFERED) | Q(offer_expires_at__isnull=False),
                name="application_offer_has_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.INELIGIBLE) | ~Q(ineligibility_reason=""),
                name="application_ineligible_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} → {self.cohort}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def current_status(self) -> str:
        """The status as every reader sees it: an offer past its deadline is expired at once,
        before the periodic job or the next write to the cohort records it."""
        if self.status == Status.OFFERED and self.offer_expires_at <= timezone.now():
            return Status.EXPIRED
        return self.status

    def get_current_status_display(self) -> str:
        return Status(self.current_status).label


class ApplicationEvent(models.Model):
    """One status change of an application: who, when, from, to, why. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=120, help_text="applicant, system, or the staff email"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} by {self.actor_label}"


class ConsentRecord(models.Model):
    """Evidence of one consent given or revoked, with the exact words the person saw.

    Kept 5 years."""

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents"
    )
    channel = models.CharField(max_length=16, choices=ConsentChannel.choices)
    address = models.CharField(
        max_length=254, help_text="The phone number (E.164) or email address."
    )
    granted = models.BooleanField(help_text="True for consent given, False for a revocation.")
    disclosure_text = models.TextField()
    disclosure_version = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    source_page = models.CharField(max_length=500, blank=True)
    audit_trail = field_history()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["channel", "address", "at"])]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "revoked"
        return f"{self.get_channel_display()} {verb} for {self.address}"


class StudentStage(models.TextChoices):
    ENROLLED = "enrolled"
    EXTERNSHIP = "externship"
    ON_LEAVE = "on_leave", "On leave"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


# Stages in which a student is still enrolled: outcome reports count all three as enrolled.
ENROLLED_STAGES = (StudentStage.ENROLLED, StudentStage.EXTERNSHIP, StudentStage.ON_LEAVE)


class Student(models.Model):
    """An enrolled applicant: their login, cohort, coach and the requirement edition they keep."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="student"
    )
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="student"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="students")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
    )
    requirement_set = models.ForeignKey(
        "externships.RequirementSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="students",
        help_text="The edition of the clinical requirements this student started on.",
    )
    stage = models.CharField(
        max_length=16, choices=StudentStage.choices, default=StudentStage.ENROLLED
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    audit_trail = field_history()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]

    def __str__(self) -> str:
        return str(self.user)


class StudentEvent(models.Model):
    """One stage change of an enrolled student: who, when, from, to, why. Never edited."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    from_stage = models.CharField(max_length=16, choices=StudentStage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=StudentStage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class PeriodEnd(models.TextChoices):
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


class EnrollmentPeriod(models.Model):
    """One continuous enrollment of a student in a cohort, from start to graduation or withdrawal.

    A withdrawn student who comes back starts a new period marked as a re-entry. Leave of absence
    does not end a period: students on leave count as enrolled. Outcome reports count periods."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="periods")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="periods")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=PeriodEnd.choices, blank=True)
    reentry_after = models.DateField(
        null=True,
        blank=True,
        help_text="For a re-entry: the day the student's previous period ended in withdrawal.",
    )
    audit_trail = field_history()

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["cohort", "started_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(ended_on__isnull=True),
                name="enrollment_period_one_open_per_student",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="enrollment_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="enrollment_period_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(reentry_after__isnull=True)
                | Q(reentry_after__lte=models.F("started_on")),
                name="enrollment_period_reentry_after_earlier_end",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.ended_on} ({self.end_reason})" if self.ended_on else "open"
        return f"{self.student} · {self.cohort} · {self.started_on} → {end}"


class LeaveOfAbsence(models.Model):
    """An approved leave; the student stays enrolled (and counted as enrolled) throughout."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="leaves")
    starts_on = models.DateField()
    expected_return_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audit_trail = field_history()

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(returned_on__isnull=True),
                name="leave_one_open_per_student",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=models.F("starts_on")),
                name="leave_returns_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} on leave from {self.starts_on}"
