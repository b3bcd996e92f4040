"""API tokens lapse after API_TOKEN_IDLE_DAYS (30) without use, can be revoked all at once (sign
out everywhere), and go with the password when it changes, whichever way it changes. Their last
use is recorded at most once an hour. Time passing is a token's `last_used_at` moved back.

Cast: the coach signs in for tokens; another coach's tokens must never be touched."""

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from tests.conftest import with_role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
RIGHT = "correct-horse-battery"  # UserFactory's password
LIST = "/api/v1/applications/"  # any operation the coach may read


def sign_in(email: str, password: str = RIGHT) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}  # CONTRACT.md: `{"token"}`
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def idle_for(elapsed: timedelta) -> None:
    """The (only) token was last used `elapsed` ago."""
    ApiToken.objects.update(last_used_at=timezone.now() - elapsed)


@pytest.fixture
def other_coach(db: None) -> User:
    return with_role("coach", email="other.coach@school.test")


def test_each_sign_in_gets_a_token_of_its_own_and_only_its_digest_is_kept(coach) -> None:
    first, second = sign_in(coach.email), sign_in(coach.email)

    assert first != second
    assert with_token(first).get(LIST).status_code == 200
    assert with_token(second).get(LIST).status_code == 200
    digests = set(ApiToken.objects.values_list("digest", flat=True))
    assert len(digests) == 2
    assert first not in digests
    assert second not in digests


def test_a_token_unused_for_30_days_answers_401_token_expired(coach) -> None:
    key = sign_in(coach.email)
    idle_for(timedelta(days=30, minutes=1))

    response = with_token(key).get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "This token expired after 30 days without use. Sign in again for a new one.",
        "code": "token_expired",
    }
    # Signing in again, with the expired token still in the header, gives a new one that works.
    renewed = with_token(key).post("/api/v1/auth/token/", {"email": coach.email, "password": RIGHT})
    assert renewed.status_code == 200
    assert with_token(renewed.json()["token"]).get(LIST).status_code == 200
    assert with_token(key).get(LIST).json()["code"] == "token_expired"


def test_a_token_used_within_the_period_keeps_working_and_its_use_restarts_the_count(
    coach,
) -> None:
    key = sign_in(coach.email)
    idle_for(timedelta(days=29, hours=23))
    asked_at = timezone.now()

    assert with_token(key).get(LIST).status_code == 200

    assert ApiToken.objects.get().last_used_at >= asked_at


def test_the_idle_period_is_a_setting(settings, coach) -> None:
    settings.API_TOKEN_IDLE_DAYS = 7
    key = sign_in(coach.email)
    idle_for(timedelta(days=7, minutes=1))

    response = with_token(key).get(LIST)

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token expired after 7 days without use.")


def test_its_use_is_written_at_most_once_an_hour(coach) -> None:
    key = sign_in(coach.email)
    idle_for(timedelta(minutes=30))
    before = ApiToken.objects.get().last_used_at

    with CaptureQueriesContext(connection) as recent:
        assert with_token(key).get(LIST).status_code == 200
    idle_for(timedelta(minutes=90))
    with CaptureQueriesContext(connection) as stale:
        assert with_token(key).get(LIST).status_code == 200

    token_writes = [
        [q["sql"] for q in queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]
        for queries in (recent.captured_queries, stale.captured_queries)
    ]
    assert [len(writes) for writes in token_writes] == [0, 1]
    assert ApiToken.objects.get().last_used_at > before


def test_signing_out_everywhere_revokes_every_token_of_that_person_only(coach, other_coach) -> None:
    phone, laptop = sign_in(coach.email), sign_in(coach.email)
    colleague = sign_in(other_coach.email)

    signed_out = with_token(phone).delete("/api/v1/auth/token/")

    assert signed_out.status_code == 204
    for key in (phone, laptop):
        refused = with_token(key).get(LIST)
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_invalid"
    assert with_token(colleague).get(LIST).status_code == 200
    assert with_token(sign_in(coach.email)).get(LIST).status_code == 200


def test_signing_out_everywhere_needs_credentials(api) -> None:
    response = api.delete("/api/v1/auth/token/")

    assert response.status_code == 401


def test_signing_out_everywhere_works_from_a_signed_in_session(coach) -> None:
    key = sign_in(coach.email)
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(coach)
    browser.get("/coach/")  # a page of the site, which sets the CSRF cookie

    signed_out = browser.delete(
        "/api/v1/auth/token/", headers={"X-CSRFToken": browser.cookies["csrftoken"].value}
    )

    assert signed_out.status_code == 204
    assert with_token(key).get(LIST).status_code == 401


def test_a_new_password_revokes_the_tokens_set_in_the_shell(coach, other_coach) -> None:
    key, colleague = sign_in(coach.email), sign_in(other_coach.email)

    coach.set_password("a-Brand-new-pass-77")
    coach.save()

    assert with_token(key).get(LIST).status_code == 401
    assert with_token(colleague).get(LIST).status_code == 200


def test_a_new_password_from_the_reset_or_invitation_link_revokes_the_tokens(coach) -> None:
    key = sign_in(coach.email)
    uid = urlsafe_base64_encode(force_bytes(coach.pk))
    browser = Client()

    opened = browser.get(f"/reset/{uid}/{default_token_generator.make_token(coach)}/")
    done = browser.post(
        opened["Location"],
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
    )

    assert done.status_code == 302
    assert with_token(key).get(LIST).status_code == 401
    assert with_token(sign_in(coach.email, "a-Long-new-pass-42")).get(LIST).status_code == 200


def test_a_new_password_set_by_an_admin_revokes_the_tokens(admin_user, coach) -> None:
    key = sign_in(coach.email)
    admin = Client()
    admin.force_login(admin_user)

    changed = admin.post(
        f"/admin/accounts/user/{coach.pk}/password/",
        {"password1": "a-Long-new-pass-42", "password2": "a-Long-new-pass-42"},
    )

    assert changed.status_code == 302
    assert with_token(key).get(LIST).status_code == 401


def test_saving_anything_but_the_password_keeps_the_tokens(coach) -> None:
    key = sign_in(coach.email)

    coach.first_name = "Ann"
    coach.save()

    assert with_token(key).get(LIST).status_code == 200


def test_a_stronger_hash_of_the_same_password_at_sign_in_keeps_the_tokens(settings, coach) -> None:
    """Django rehashes a password at sign-in when its hasher changed (an upgrade): not a change."""
    key = sign_in(coach.email)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = coach.password

    sign_in(coach.email)

    coach.refresh_from_db()
    assert coach.password != old_hash
    assert coach.password.startswith("pbkdf2_sha256$")
    assert with_token(key).get(LIST).status_code == 200


def test_an_admin_signs_someone_out_of_the_api_from_their_page(admin_user, coach) -> None:
    key = sign_in(coach.email)
    admin = Client()
    admin.force_login(admin_user)

    page = admin.get(f"/admin/accounts/user/{coach.pk}/change/")
    done = admin.post(
        "/admin/accounts/user/",
        {"action": "sign_out_of_the_api", "_selected_action": [coach.pk]},
        follow=True,
    )

    assert "API tokens (last use recorded to the hour)" in page.content.decode()
    assert "Revoked 1 API token of 1 person." in done.content.decode()
    assert with_token(key).get(LIST).status_code == 401


def test_the_periodic_job_forgets_tokens_30_days_after_they_lapse(coach, capsys) -> None:
    lapsed_long_ago = sign_in(coach.email)
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(days=61))
    lapsed_lately = sign_in(coach.email)
    ApiToken.objects.filter(last_used_at__gt=timezone.now() - timedelta(days=1)).update(
        last_used_at=timezone.now() - timedelta(days=59)
    )

    call_command("periodic")

    assert "forget_expired_api_tokens: 1" in capsys.readouterr().out
    assert ApiToken.objects.count() == 1
    assert with_token(lapsed_long_ago).get(LIST).json()["code"] == "token_invalid"
    assert with_token(lapsed_lately).get(LIST).json()["code"] == "token_expired"


DRF_TOKEN_TABLE = """
CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY,
    "created" datetime NOT NULL, "user_id" bigint NOT NULL UNIQUE);
INSERT INTO "accounts_user" ("password", "is_superuser", "email", "first_name", "last_name",
    "phone", "time_zone", "is_active", "is_staff", "date_joined")
    VALUES ('!', 1, 'director@school.test', '', '', '', '', 1, 1, '2026-01-05 09:00:00');
INSERT INTO "authtoken_token" VALUES ('0123456789abcdef0123456789abcdef01234567',
    '2026-01-05 09:00:00', 1);
INSERT INTO "django_migrations" ("app", "name", "applied")
    VALUES ('authtoken', '0001_initial', '2026-01-05 09:00:00');
"""
USE_OLD_TOKEN = """
from rest_framework.test import APIClient
client = APIClient()
client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
print(client.get("/api/v1/applications/").status_code)
"""


def test_a_database_with_drf_tokens_keeps_its_clients_signed_in_and_drops_the_clear_keys(
    tmp_path,
) -> None:
    database = tmp_path / "before.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{database}"

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "accounts", "0004", "--noinput", "-v", "0")
    with sqlite3.connect(database) as db:
        db.executescript(DRF_TOKEN_TABLE)
    manage("migrate", "--noinput", "-v", "0")

    assert manage("shell", "-v", "0", "-c", USE_OLD_TOKEN).split() == ["200"]
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        records = db.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert "authtoken_token" not in tables
        assert records.fetchone() == (0,)
