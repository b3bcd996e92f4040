from django.db import transaction
from django.utils import timezone

from backend.outbox import enqueue_with_change
from backend.periodic import periodic
from externships.digests import review_digests_queue
from externships.models import ComplianceDocument
from externships.notifications import send_compliance_reminder
from externships.services import compliance_reminders_due


@periodic
def remind_expiring_documents() -> int:
    """Remind students and coaches 30 days before a compliance document expires."""
    due = compliance_reminders_due(timezone.localdate())
    # Marked with the reminders' tasks, so that a slow worker never gets the same one twice.
    with transaction.atomic():
        ComplianceDocument.objects.filter(pk__in=[d.pk for d in due]).update(
            reminded_at=timezone.now()
        )
        for document in due:
            enqueue_with_change(send_compliance_reminder, document.pk)
    return len(due)


@periodic
def send_review_digests() -> int:
    """Each supervisor's daily summary of the logs waiting for them, once a day."""
    return review_digests_queue()
