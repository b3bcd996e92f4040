""" "Forgot your password?": Django's password reset, with its email sent like every other
account email (logged, then delivered by the task worker) and its link on SITE_URL, never on
whatever host the request named."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.urls import reverse

from accounts.models import User
from messaging import services
from messaging.emails import render_email
from messaging.models import MessageChannel, Purpose

PASSWORD_RESET = "password_reset"


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str) -> Iterable[User]:
        # Also those who never chose a password: a student whose invitation link lapsed gets a
        # fresh one this way (Django's own form skips them).
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        link = settings.SITE_URL + reverse(
            "password_reset_confirm", args=[context["uid"], context["token"]]
        )
        # One template gives the subject, text and HTML (messaging.emails), not Django's three.
        email = render_email(email_template_name, {**context, "link": link})
        services.queue(
            channel=MessageChannel.EMAIL,
            address=to_email,
            recipient=context["user"],
            kind=PASSWORD_RESET,
            purpose=Purpose.ACCOUNT,
            subject=email.subject,
            body=email.text,
            html=email.html,
        )
