from django_tasks import task

from backend.periodic import periodic
from messaging import delivery
from messaging.models import Message


@task()
def deliver_message(message_id: int) -> None:
    """Deliver one logged message; a refusal or provider failure is recorded on it."""
    message = Message.objects.filter(pk=message_id).first()
    if message is not None:
        delivery.deliver(message)


@periodic
def flush_messages() -> int:
    """Send texts whose 8 a.m. window has opened and retry failures; returns the messages sent."""
    return delivery.flush()
