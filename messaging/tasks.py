from django_tasks import task

from backend.periodic import periodic
from messaging import reminders, services
from messaging.models import Message


@task()
def deliver_message(message_id: int) -> None:
    """Deliver one logged message; a refusal or provider failure is recorded on it."""
    message = Message.objects.filter(pk=message_id).first()
    if message is not None:
        services.deliver(message)


@periodic
def flush_messages() -> int:
    """Send texts whose 8 a.m. window has opened and retry failures; returns the messages sent."""
    return services.flush()


@periodic
def remind_offers_expiring() -> int:
    """Remind applicants, once per offer, that their offer lapses within 24 hours."""
    return reminders.offers_expiring()


@periodic
def remind_coaching_sessions() -> int:
    """Remind students, once per session, of a coaching session within 24 hours."""
    return reminders.coaching_sessions()
