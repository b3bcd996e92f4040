"""Messages to applicants. Services call `queue()` inside their transaction; the message's task
goes with the change (backend/outbox.py) and runs once it commits, so a rolled-back change never
sends anything.
The task hands each message to `messaging.services.send`, which checks consent and logs it: the
email always goes (it is about the applicant's own application), the text only with consent to
texts about the application. The offer-expiring reminder, a periodic job (enrollment/tasks.py),
queues its messages through `messaging.services.queue`."""

from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from backend.outbox import enqueue_with_change
from enrollment.models import Application, Status
from enrollment.selectors import applications_with_positions
from messaging import services as messaging
from messaging.emails import render_email
from messaging.invitations import invitation_link
from messaging.models import MessageChannel, Purpose
from messaging.texting_hours import recipient_zone

RECEIVED = "received"
OFFER_MADE = "offer_made"
OFFER_EXPIRED = "offer_expired"
ENROLLED = "enrolled"
COHORT_CLOSED = "cohort_closed"
STATUS_LINK = "status_link"
OFFER_EXPIRING = "offer_expiring"
# An offer is reminded once, this long before it lapses.
REMIND_AHEAD = timedelta(hours=24)


def queue(application: Application, kind: str) -> None:
    enqueue_with_change(send_application_message, application.pk, kind)


@task()
def send_application_message(application_id: int, kind: str) -> None:
    """Send the email of `kind`, worded for where the application stands when it goes (a late
    worker may find the offer it announces already accepted)."""
    application = applications_with_positions(Application.objects.select_related("user")).get(
        pk=application_id
    )
    status_url = settings.SITE_URL + reverse("status", args=[application.status_token])
    context = {
        "application": application,
        "status_url": status_url,
        "site_name": settings.SITE_NAME,
    }
    # Deadlines read in the applicant's own time zone.
    with timezone.override(recipient_zone(application.user, application.phone)):
        email = render_email(f"enrollment/email/{kind}.html", context)
        text = (
            render_to_string("enrollment/sms/offer_made.txt", context)
            if _is_offer(application, kind)
            else ""
        )
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=application.email,
        recipient=application.user,
        kind=kind,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )
    if text:
        messaging.send(
            channel=MessageChannel.SMS,
            address=application.phone,
            recipient=application.user,
            kind=OFFER_MADE,
            body=text.strip(),
        )


def _is_offer(application: Application, kind: str) -> bool:
    """An offer also goes as a short text (to those who ticked "Text me about my application"):
    a seat offered from the waitlist, or at once on applying, where the receipt carries the
    offer; not once the offer is settled (accepted, declined, lapsed) by the time it goes."""
    return application.status == Status.OFFERED and kind in (OFFER_MADE, RECEIVED)


def queue_offer_expiring_reminders(*, now: datetime | None = None) -> int:
    """Queue the offer-expiring reminder, by email and text, for offers that lapse within 24
    hours; returns how many offers were reminded now (each offer once, keyed by its deadline)."""
    now = now or timezone.now()
    due = Application.objects.filter(
        status=Status.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=now + REMIND_AHEAD
    ).select_related("cohort__program", "user")
    reminded = 0
    for application in due:
        key = f"offer-expiring:{application.pk}:{int(application.offer_expires_at.timestamp())}"
        context = {
            "application": application,
            "status_url": settings.SITE_URL + reverse("status", args=[application.status_token]),
            "site_name": settings.SITE_NAME,
        }
        with timezone.override(recipient_zone(application.user, application.phone)):
            email = render_email("enrollment/email/offer_expiring.html", context)
            text = render_to_string("enrollment/sms/offer_expiring.txt", context).strip()
        sent = messaging.queue(
            channel=MessageChannel.EMAIL,
            address=application.email,
            recipient=application.user,
            kind=OFFER_EXPIRING,
            subject=email.subject,
            body=email.text,
            html=email.html,
            once_key=key,
        )
        messaging.queue(
            channel=MessageChannel.SMS,
            address=application.phone,
            recipient=application.user,
            kind=OFFER_EXPIRING,
            body=text,
            once_key=key,
        )
        reminded += sent is not None
    return reminded


def queue_invitation(user: User) -> None:
    enqueue_with_change(send_student_invitation, user.pk)


@task()
def send_student_invitation(user_id: int) -> None:
    """Email a new student a one-time link to choose their password. Account access, not a
    program message: it goes without an email consent check (and is logged)."""
    user = User.objects.get(pk=user_id)
    email = render_email(
        "enrollment/email/invitation.html", {"user": user, "link": invitation_link(user)}
    )
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=user.email,
        recipient=user,
        kind="invitation",
        purpose=Purpose.ACCOUNT,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )
