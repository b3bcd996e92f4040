from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Purpose(models.TextChoices):
    """Why a message goes out; it decides which rules apply (see messaging/services.py)."""

    PROGRAM = "program", "About the person's own application or studies"
    MARKETING = "marketing", "Marketing (news about programs, events)"
    ACCOUNT = "account", "Account access (login, password)"
    WORK = "work", "To staff or a supervisor about their work"
    REPLY = "reply", "Answer to an inbound keyword"


class MessageStatus(models.TextChoices):
    QUEUED = "queued"
    WAITING = "waiting_for_window", "Waiting for the 8 a.m.-9 p.m. window"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked_no_consent", "Blocked: no consent"


class Message(models.Model):
    """One email or text to one address, logged whatever became of it."""

    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    address = models.CharField(max_length=254, help_text="E.164 phone number or email address.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages_sent",
        help_text="The coach or admin who wrote it; empty for the school's automatic messages.",
    )
    kind = models.CharField(max_length=40, help_text="What it is about, e.g. offer_made.")
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.PROGRAM)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    html = models.TextField(
        blank=True, help_text="An email's HTML part; its text part is read out of it."
    )
    status = models.CharField(
        max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    reason = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField(null=True, blank=True)
    # A reminder's identity ("offer-expiring:42:..."): the database lets it be queued only once.
    once_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "send_after"]),
            models.Index(fields=["channel", "address"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["once_key", "channel"],
                condition=~Q(once_key=""),
                name="message_once_per_key_and_channel",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind} to {self.address}: {self.status}"


class InboundText(models.Model):
    """A text someone sent us, as the provider delivered it, and what it did."""

    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    keyword = models.CharField(max_length=12, blank=True, help_text="stop, start, help or empty.")
    provider_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    reply = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The provider retries a webhook it thinks failed; its message id makes that harmless.
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=~Q(provider_id=""),
                name="inbound_text_once_per_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"
