from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enrollment.models import Student


class SessionKind(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    RESUME_REVIEW = "resume_review", "Resume review"
    MOCK_INTERVIEW = "mock_interview", "Mock interview"
    CAREER_PLANNING = "career_planning", "Career planning"


# Kinds that are career services (resume and interview help) in the student's career steps.
CAREER_SERVICE_KINDS = (SessionKind.RESUME_REVIEW, SessionKind.MOCK_INTERVIEW)

# The `kind` of a student's email to their coach in the message log (messaging.Message).
STUDENT_MESSAGE_KIND = "student_message"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show", "No show"


class OpenSlot(models.Model):
    """A time a coach keeps free for their students to book (coaching/booking.py). It is free
    while no scheduled session of the coach overlaps it; a coach's open times never overlap."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open_slots"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "starts_at"], name="open_slot_once_per_coach_and_start"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="open_slot_lasts_5_to_480_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} free at {self.starts_at:%Y-%m-%d %H:%M}"


class CoachingSession(models.Model):
    """A 1:1 meeting between a student and their coach, booked ahead and closed with an outcome."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="coaching_sessions")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_sessions"
    )
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    outcome = models.TextField(blank=True, max_length=4000)
    next_step = models.CharField(max_length=300, blank=True)
    slot = models.ForeignKey(
        OpenSlot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text="The coach's free time the student booked; empty when the coach booked it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Its calendar event's version (coaching/calendar.py): calendar apps apply a change only
    # with a higher SEQUENCE, and tell two versions apart by DTSTAMP.
    sequence = models.PositiveIntegerField(
        default=0, help_text="Raised by each change of its time or status (iCalendar SEQUENCE)."
    )
    changed_at = models.DateTimeField(
        default=timezone.now,
        help_text="When what its calendar event shows last changed (iCalendar DTSTAMP).",
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["coach", "starts_at"])]
        constraints = [
            # Two students never hold the same free time, whatever the service lets through.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status="scheduled"),
                name="coaching_session_one_booking_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.student} at {self.starts_at:%Y-%m-%d %H:%M}"


class CoachNote(models.Model):
    """A note about a student, private to staff: students never see it, through any door."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="coach_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coach_notes"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["student", "created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.student} by {self.author}"
