import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from enrollment.models import Cohort, Student


def new_verification_code() -> str:
    """128 random bits, URL-safe: unguessable, and short enough for a QR code."""
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """A certificate of completion, issued once the student graduated; verifiable by its code at
    /verify/<code>/ until an admin revokes it."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(
        max_length=32, unique=True, default=new_verification_code, editable=False
    )
    completed_on = models.DateField(help_text="The graduation date.")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)
    # The QR code is made once (encoding picks the best of 8 masks, which is slow) and kept with
    # the address it encodes; a changed SITE_URL makes it again.
    qr = models.TextField(blank=True, editable=False, help_text="PNG data URI of the QR code.")
    qr_url = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_student",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.code} for {self.student}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ExportKind(models.TextChoices):
    ROSTER = "roster", "Cohort roster"
    CERTIFICATES = "certificates", "Certificates"


class ExportStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


# A queued export that no worker took up in this long is given up: no worker is running.
QUEUED_AT_MOST = timedelta(minutes=30)


def heartbeat_timeout() -> timedelta:
    """How long a running export may go without a heartbeat before it counts as lost."""
    return timedelta(seconds=settings.EXPORT_HEARTBEAT_TIMEOUT)


def _in_words(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60 or not seconds:
        return f"{seconds} second{'s' * (seconds != 1)}"
    return f"{seconds // 60} minute{'s' * (seconds != 60)}"


class ExportJobQuerySet(models.QuerySet):
    def under_way(self) -> "ExportJobQuerySet":
        """Queued or running, as recorded (lost ones included until they are failed)."""
        return self.filter(status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))

    def lost(self, now: datetime | None = None) -> "ExportJobQuerySet":
        """Exports whose worker is gone: running with no heartbeat for EXPORT_HEARTBEAT_TIMEOUT
        seconds, or queued for QUEUED_AT_MOST with no worker taking them up."""
        now = now or timezone.now()
        return self.alias(last_sign=Coalesce("heartbeat_at", "started_at", "created_at")).filter(
            Q(status=ExportStatus.RUNNING, last_sign__lt=now - heartbeat_timeout())
            | Q(status=ExportStatus.QUEUED, created_at__lt=now - QUEUED_AT_MOST)
        )


class ExportJob(models.Model):
    """One background PDF export of a cohort, with its progress; the file it makes replaces the
    previous export of the same kind and cohort. The worker running it beats `heartbeat_at`;
    a running job whose heartbeat stopped reads as failed at once (`current_status`), and the
    periodic job (or the next export of the same kind and cohort) records it."""

    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0, help_text="Steps done.")
    total = models.PositiveIntegerField(default=1, help_text="Steps in all.")
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The last sign of life of the worker running it."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="export_done_le_total"
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | ~Q(file=""), name="export_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.cohort} ({self.status})"

    @property
    def lost_reason(self) -> str:
        """Why the job's worker counts as gone, or "" while it is not (see `lost()`)."""
        now = timezone.now()
        if self.status == ExportStatus.QUEUED and self.created_at < now - QUEUED_AT_MOST:
            return (
                f"No background worker took this export up within {_in_words(QUEUED_AT_MOST)}; "
                "start it again once the worker runs."
            )
        last_sign = self.heartbeat_at or self.started_at or self.created_at
        if self.status == ExportStatus.RUNNING and last_sign < now - heartbeat_timeout():
            return (
                "The export stopped without finishing: its worker gave no sign of life for "
                f"{_in_words(heartbeat_timeout())} (it was stopped or crashed). Start it again."
            )
        return ""

    @property
    def current_status(self) -> str:
        """The status as every reader sees it: a lost job is failed at once, before the periodic
        job records it (like Application.current_status)."""
        return ExportStatus.FAILED if self.lost_reason else self.status

    @property
    def current_error(self) -> str:
        return self.lost_reason or self.error

    @property
    def percent(self) -> int:
        return 100 if self.status == ExportStatus.READY else (100 * self.done) // max(self.total, 1)

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.cohort_id}.pdf"
