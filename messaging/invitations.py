"""The invitation to a new account: a one-time link to choose a password, the very link that
"Forgot your password?" sends (Django's password-reset confirmation), on SITE_URL. It lapses
after PASSWORD_RESET_TIMEOUT; "Forgot your password?" then gives a fresh one, also to someone
who never chose a password (messaging/password_reset.py). Account mail: no consent check."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from messaging import services
from messaging.emails import render_email
from messaging.models import Message, MessageChannel, Purpose

INVITATION = "invitation"


def invitation_link(user: User) -> str:
    """The link to choose a password; it works once, until PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


def queue_staff_invitation(person: User, *, role: str, work: str) -> Message | None:
    """Invite a new member of staff, after the caller's transaction commits: `role` as they are
    called ("coach"), `work` one sentence on what they will do here."""
    email = render_email(
        "messaging/email/staff_invitation.html",
        {
            "user": person,
            "role": role,
            "work": work,
            "link": invitation_link(person),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "reset_url": settings.SITE_URL + reverse("password_reset"),
        },
    )
    return services.queue(
        channel=MessageChannel.EMAIL,
        address=person.email,
        recipient=person,
        kind=INVITATION,
        purpose=Purpose.ACCOUNT,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )
