""" "Forgot your password?" from the sign-in page: a link by email (through the task queue, like
every account email), the same answer whether or not an account uses the address, throttled per
client address and per address asked for, and a set-password page in the site's layout.

Cast: Robin, a student with a password; Jamie, an invited student who never chose one; and
nobody@example.com, which no account uses."""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import Role
from messaging.models import Message, Purpose
from tests.conftest import with_role

pytestmark = pytest.mark.django_db
PASSWORD = "an-Old-pass-2026"


@pytest.fixture
def robin() -> object:
    return with_role(Role.STUDENT, email="robin@example.com", password=PASSWORD)


def ask(client: Client, email: str, address: str = "203.0.113.7", *, capture) -> object:
    with capture(execute=True):
        return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def link_in(email: mail.EmailMessage) -> str:
    return re.search(r"https?://\S+/reset/\S+", email.body).group(0)


def test_the_sign_in_page_names_the_school_and_offers_a_reset(client) -> None:
    page = client.get("/login/").content.decode()

    assert f"Sign in to {settings.SITE_NAME}" in page
    assert '<a href="/password-reset/">Forgot your password?</a>' in page


def test_it_emails_a_link_to_a_known_address_through_the_queue(
    client, robin, django_capture_on_commit_callbacks
) -> None:
    response = ask(client, "Robin@Example.com ", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    [email] = mail.outbox
    assert email.to == ["robin@example.com"]
    assert email.subject == f"Choose a new password for {settings.SITE_NAME}"
    assert link_in(email).startswith(settings.SITE_URL + "/reset/")
    logged = Message.objects.get()
    assert (logged.kind, logged.purpose, logged.recipient) == (
        "password_reset",
        Purpose.ACCOUNT,
        robin,
    )


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, robin, django_capture_on_commit_callbacks
) -> None:
    known = ask(client, "robin@example.com", capture=django_capture_on_commit_callbacks)
    unknown = ask(client, "nobody@example.com", capture=django_capture_on_commit_callbacks)

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [email.to for email in mail.outbox] == [["robin@example.com"]]
    assert Message.objects.count() == 1
    sent = client.get("/password-reset/sent/").content.decode()
    assert "If an account uses that address, we have sent it a link" in sent


def test_the_link_sets_a_new_password_and_signing_in_works(
    client, robin, django_capture_on_commit_callbacks
) -> None:
    ask(client, "robin@example.com", capture=django_capture_on_commit_callbacks)
    # Django swaps the token in the link for one kept in the session, then asks for the password.
    form_url = client.get(urlparse(link_in(mail.outbox[0])).path)["Location"]
    form = client.get(form_url).content.decode()
    assert "Choose your password" in form
    assert "as <strong>robin@example.com</strong>" in form  # the login the password goes with
    assert settings.SITE_NAME in form
    assert "Django administration" not in form

    done = client.post(
        form_url, {"new_password1": "a-New-pass-2027", "new_password2": "a-New-pass-2027"}
    )
    assert done["Location"] == "/reset/done/"
    assert "Your password is saved" in client.get("/reset/done/").content.decode()
    signed_in = Client().post(
        "/login/", {"username": "robin@example.com", "password": "a-New-pass-2027"}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/start/"
    used_again = client.get(urlparse(link_in(mail.outbox[0])).path, follow=True)
    assert "This link no longer works" in used_again.content.decode()


def test_an_invited_student_who_never_chose_a_password_gets_a_link(
    client, django_capture_on_commit_callbacks
) -> None:
    jamie = with_role(Role.STUDENT, email="jamie@example.com")
    jamie.set_unusable_password()
    jamie.save()

    ask(client, "jamie@example.com", capture=django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [["jamie@example.com"]]


def test_one_address_asked_for_too_often_gets_no_more_emails_and_the_same_answer(
    client, robin, django_capture_on_commit_callbacks
) -> None:
    # From five different networks: the count is per address asked for, not per client. Past
    # it, no 429 (anyone could then keep the owner from resetting): no more emails, and the
    # links already sent still work.
    for n in range(5):
        response = ask(
            client,
            "robin@example.com",
            f"198.51.100.{n}",
            capture=django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302
    refused = ask(
        client, "robin@example.com", "198.51.100.9", capture=django_capture_on_commit_callbacks
    )

    assert refused.status_code == 302
    assert refused["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 5
    # Someone else's address is not held up by it.
    assert (
        ask(
            client, "nobody@example.com", "198.51.100.9", capture=django_capture_on_commit_callbacks
        ).status_code
        == 302
    )


def test_one_client_asking_for_many_addresses_is_throttled_with_sign_ins(
    client, django_capture_on_commit_callbacks
) -> None:
    for n in range(10):
        ask(client, f"someone{n}@example.com", capture=django_capture_on_commit_callbacks)
    refused = ask(client, "robin@example.com", capture=django_capture_on_commit_callbacks)

    assert refused.status_code == 429
    sign_in = client.post("/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="203.0.113.7")
    assert sign_in.status_code == 429


def test_a_link_that_does_not_work_offers_a_new_one(client) -> None:
    page = client.get("/reset/MQ/forged-token/", follow=True).content.decode()

    assert "This link no longer works" in page
    assert 'href="/password-reset/"' in page
    assert "Django administration" not in page
