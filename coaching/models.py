from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from enrollment.models import Student


class SessionKind(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    RESUME_REVIEW = "resume_review", "Resume review"
    MOCK_INTERVIEW = "mock_interview", "Mock interview"
    CAREER_PLANNING = "career_planning", "Career planning"


# Kinds that are career services (resume and interview help) in the student's career steps.
CAREER_SERVICE_KINDS = (SessionKind.RESUME_REVIEW, SessionKind.MOCK_INTERVIEW)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show", "No show"


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
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["coach", "starts_at"])]

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
