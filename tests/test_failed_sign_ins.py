"""Repeated wrong passwords on one account slow that account down, whatever the address they come
from: after 5 in a row it waits 1 minute, then 2, 4, 8, and at most 15 before each further
attempt (429 with Retry-After, on the API token endpoint, /login/ and the admin's sign-in). Once
the wait is over the right password works and the count starts again.

The clock the waits are measured on is moved forward instead of sleeping."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import failed_sign_ins
from accounts.models import User
from backend.api import LoginRateThrottle

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery"  # UserFactory's password


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def forward(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(failed_sign_ins, "now", clock)
    return clock


def token(email: str, password: str, address: str) -> object:
    """`POST /api/v1/auth/token/` from a client address of its own."""
    client = APIClient(REMOTE_ADDR=address)
    return client.post("/api/v1/auth/token/", {"email": email, "password": password})


def wrong_passwords(email: str, count: int, first_address: int = 1) -> list[int]:
    """`count` wrong passwords, each from another address (no address meets its own limit)."""
    return [
        token(email, f"guess-{n}", f"10.1.0.{first_address + n}").status_code for n in range(count)
    ]


def test_five_wrong_passwords_from_five_addresses_make_the_account_wait(clock, student) -> None:
    assert wrong_passwords(student.email, 5) == [400] * 5

    refused = token(student.email, RIGHT, "10.9.9.9")  # the owner, from home

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "detail": "Too many failed sign-ins for this account. Try again in 1 minute.",
        "code": "too_many_failed_sign_ins",
    }
    # The same wait on the sign-in page, in any case of the email, from yet another address.
    browser = Client(REMOTE_ADDR="10.9.9.10")
    page = browser.post("/login/", {"username": student.email.upper(), "password": RIGHT})
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "Too many failed sign-ins for this account. Try again in 1 minute." in (
        page.content.decode()
    )
    assert "_auth_user_id" not in browser.session
    # Another account is not slowed down.
    assert token("someone.else@school.test", "guess", "10.9.9.9").status_code == 400


def test_the_wait_doubles_after_each_further_failure_up_to_15_minutes(clock, student) -> None:
    wrong_passwords(student.email, 5)
    waits = []
    for n in range(6):
        refused = token(student.email, "guess", "10.2.0.1")
        waits.append(int(refused["Retry-After"]))
        clock.forward(waits[-1])  # the wait is over: one more wrong password
        assert token(student.email, f"again-{n}", f"10.2.1.{n}").status_code == 400

    assert waits == [60, 120, 240, 480, 900, 900]


def test_after_the_wait_the_right_password_signs_in_and_the_count_starts_again(
    clock, student
) -> None:
    wrong_passwords(student.email, 5)
    assert token(student.email, RIGHT, "10.9.9.9").status_code == 429

    clock.forward(60)
    signed_in = token(student.email, RIGHT, "10.9.9.9")

    assert signed_in.status_code == 200
    assert signed_in.json()["token"]
    # Four wrong passwords later the account still signs in at once: the count was cleared.
    assert wrong_passwords(student.email, 4) == [400] * 4
    assert token(student.email, RIGHT, "10.9.9.9").status_code == 200


def test_failures_are_forgotten_an_hour_after_the_last_one(clock, student) -> None:
    wrong_passwords(student.email, 4)
    clock.forward(60 * 60)

    assert wrong_passwords(student.email, 4) == [400] * 4
    assert token(student.email, RIGHT, "10.9.9.9").status_code == 200


def test_the_web_form_and_the_admin_sign_in_count_with_the_api(clock, admin_user) -> None:
    for n in range(2):
        page = Client(REMOTE_ADDR=f"10.3.0.{n}").post(
            "/login/", {"username": admin_user.email, "password": "guess"}
        )
        assert page.status_code == 200  # the form again, with its error
    for n in range(2):
        admin = Client(REMOTE_ADDR=f"10.3.1.{n}").post(
            "/admin/login/", {"username": admin_user.email, "password": "guess"}
        )
        assert admin.status_code == 200
    assert token(admin_user.email, "guess", "10.3.2.1").status_code == 400

    admin = Client(REMOTE_ADDR="10.3.3.1").post(
        "/admin/login/", {"username": admin_user.email, "password": RIGHT}
    )

    assert admin.status_code == 429
    assert "Try again in 1 minute" in admin.content.decode()
    clock.forward(60)
    admin = Client(REMOTE_ADDR="10.3.3.1")
    signed_in = admin.post("/admin/login/", {"username": admin_user.email, "password": RIGHT})
    assert signed_in.status_code == 302
    assert admin.get("/admin/").status_code == 200


def test_an_email_with_no_account_waits_the_same_way(clock) -> None:
    """The answer never tells whether an account has that email."""
    assert User.objects.filter(email="nobody@school.test").count() == 0

    assert wrong_passwords("nobody@school.test", 5) == [400] * 5
    assert token("nobody@school.test", "guess", "10.9.9.9").status_code == 429


def test_the_admin_sign_in_counts_against_the_address_like_the_login_page(
    monkeypatch, admin_user
) -> None:
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "2/hour"})
    client = Client(REMOTE_ADDR="10.4.0.1")
    codes = [
        client.post("/admin/login/", {"username": f"x{n}@school.test", "password": "guess"})
        for n in range(3)
    ]

    assert [response.status_code for response in codes] == [200, 200, 429]
    assert client.get("/admin/login/").status_code == 200  # the form itself still shows
