"""Throttles on everything anyone may call without an account, counted per client address in the
default cache, which separate processes share: a table in the database by default, Redis with
REDIS_URL."""

import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from backend.api import ApplyRateThrottle, LoginRateThrottle, TokenRateThrottle
from enrollment.applying import application_submit
from enrollment.models import Application
from tests.conftest import unavailable
from tests.factories import CohortFactory, ProgramFactory, applicant
from tests.messaging.conftest import SECRET
from tests.messaging.test_inbound import inbound

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def form(n: int, cohort_id: int) -> dict[str, str]:
    return {
        "cohort": str(cohort_id),
        "first_name": "Robin",
        "last_name": f"Okafor{n}",
        "email": f"robin{n}@example.com",
        "phone": f"(202) 555-01{n:02d}",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1999",
        "education": "hs_diploma",
    }


def api_body(n: int, cohort_id: int) -> dict:
    return {**applicant(n, date_of_birth="1998-05-17"), "cohort": cohort_id}


def test_it_counts_the_apply_form_and_the_api_against_one_allowance(monkeypatch) -> None:
    monkeypatch.setattr(ApplyRateThrottle, "THROTTLE_RATES", {"apply": "2/hour"})
    cohort = CohortFactory(program=ProgramFactory(), capacity=10)
    page, api = Client(), APIClient()

    assert page.post("/apply/phlebotomy/", form(1, cohort.pk)).status_code == 302
    assert api.post("/api/v1/applications/", api_body(2, cohort.pk)).status_code == 201
    refused = page.post("/apply/phlebotomy/", form(3, cohort.pk))

    assert refused.status_code == 429
    assert "Please wait 60 minutes and try again." in refused.content.decode()
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert api.post("/api/v1/applications/", api_body(4, cohort.pk)).status_code == 429
    assert Application.objects.count() == 2
    # Reading the form is free, and another address still applies.
    assert page.get("/apply/phlebotomy/").status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.9").post("/apply/phlebotomy/", form(5, cohort.pk))
    assert other.status_code == 302


def test_it_stops_guessing_status_tokens_on_the_pages_and_the_api(monkeypatch) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    application, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    page, api = Client(), APIClient()

    assert page.get("/status/guess-1/").status_code == 404
    assert page.post("/status/guess-2/withdraw/").status_code == 404
    assert api.get(f"/api/v1/applications/{application.pk}/?token=guess-3").status_code == 404
    # The right token now comes too late from this address.
    assert page.get(f"/status/{application.status_token}/").status_code == 429
    assert page.post(f"/status/{application.status_token}/accept/").status_code == 429
    path = f"/api/v1/applications/{application.pk}/accept/?token={application.status_token}"
    assert api.post(path).status_code == 429
    application.refresh_from_db()
    assert application.status == "offered"
    assert (
        Client(REMOTE_ADDR="10.0.0.9").get(f"/status/{application.status_token}/").status_code
        == 200
    )


def test_staff_signed_in_are_not_counted_on_the_api(monkeypatch, admin_user) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "1/minute"})
    application, _ = application_submit(cohort=CohortFactory(), **applicant(1))
    staff = APIClient()
    staff.force_authenticate(admin_user)

    codes = [staff.get(f"/api/v1/applications/{application.pk}/").status_code for _ in range(3)]

    assert codes == [200, 200, 200]


def test_it_stops_guessing_review_links(monkeypatch) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    client = Client()

    codes = [client.get(f"/review/link/forged-{n}/").status_code for n in range(2)]
    codes.append(client.post("/review/link/forged-3/", {"decision": "approved"}).status_code)

    assert codes == [403, 403, 429]


def test_it_slows_password_guessing_on_the_login_page_and_the_token_endpoint(
    monkeypatch, student
) -> None:
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "2/minute"})
    page, api = Client(), APIClient()
    wrong = {"username": student.email, "password": "guess"}

    assert page.post("/login/", wrong).status_code == 200  # the form again, with its error
    assert (
        api.post("/api/v1/auth/token/", {"email": student.email, "password": "x"}).status_code
        == 400
    )
    refused = page.post("/login/", {**wrong, "password": "correct-horse-battery"})

    assert refused.status_code == 429
    assert "_auth_user_id" not in page.session
    assert page.get("/login/").status_code == 200  # the form itself still shows


def test_it_turns_away_repeated_forged_texts_but_never_the_providers_own(
    client, monkeypatch, settings
) -> None:
    settings.SMS_BACKEND = "locmem"
    settings.SMS_WEBHOOK_SECRET = SECRET
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})

    forged = [inbound(client, "STOP", signature="Zm9yZ2Vk").status_code for _ in range(3)]
    signed = [inbound(client, "HELP").status_code for _ in range(3)]

    assert forged == [403, 403, 429]
    assert signed == [200, 200, 200]


def redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URL} does not answer ({exc})"
        unavailable(reason, "REQUIRE_REDIS", "shared-count test skipped")
    return connection


def test_two_processes_sharing_redis_share_the_count(monkeypatch, settings) -> None:
    connection = redis_or_skip()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    monkeypatch.setattr(ApplyRateThrottle, "THROTTLE_RATES", {"apply": "3/hour"})
    # An address of its own, so that other test runs on the same Redis count elsewhere.
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    key = f":1:throttle_apply_{address}"
    cohort = CohortFactory(capacity=10)
    try:
        # Another process, with its own connection, spends two of the three applications.
        spent = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                SPEND_TWO.format(address=address),
            ],
            cwd=ROOT,
            env={**os.environ, "REDIS_URL": REDIS_URL, "APPLY_RATE": "3/hour"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert spent.stdout.split() == ["True", "True"], spent.stderr

        client = APIClient(REMOTE_ADDR=address)
        codes = [
            client.post("/api/v1/applications/", api_body(n, cohort.pk)).status_code
            for n in range(2)
        ]

        assert codes == [201, 429]
        assert connection.exists(key)
    finally:
        connection.delete(key)
        caches["default"].close()


SPEND_TWO = """
from rest_framework.test import APIRequestFactory
from backend.api import ApplyRateThrottle
request = APIRequestFactory().post("/api/v1/applications/", REMOTE_ADDR="{address}")
request.user = None
for _ in range(2):
    print(ApplyRateThrottle().allow_request(request, None))
"""


def test_a_made_up_forwarded_address_does_not_buy_a_new_allowance(monkeypatch, student) -> None:
    # With no trusted proxy (TRUSTED_PROXIES=0), X-Forwarded-For is the client's own claim.
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "2/minute"})
    api = APIClient()
    codes = [
        api.post(
            "/api/v1/auth/token/",
            {"email": student.email, "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(3)
    ]
    assert codes == [400, 400, 429]


def test_a_head_request_counts_like_a_get_on_a_status_page(monkeypatch) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    client = Client()
    codes = [
        client.head("/status/forged-1/").status_code,
        client.head("/status/forged-2/").status_code,
    ]
    codes.append(client.get("/status/forged-3/").status_code)
    assert codes == [404, 404, 429]


def _database_url() -> str:
    """The URL of the database this test runs on (the test database), for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _another_process(code: str) -> list[str]:
    """Run `code` in a process of its own (`manage.py shell`) on this test's database, with
    the default settings: no REDIS_URL, so its cache is the database's table."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env={**env, "DATABASE_URL": _database_url()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


# The windows are a day and an hour here (a minute in production), so that a busy machine
# starting three processes one after another cannot outlast them.
SIGN_IN = """
from django.test import Client
from accounts import failed_sign_ins
from backend.api import LoginRateThrottle
LoginRateThrottle.THROTTLE_RATES = {{"login": "10/day"}}
failed_sign_ins.FIRST_WAIT = 3600
for email, password in {attempts!r}:
    answer = Client(REMOTE_ADDR="{address}").post(
        "/api/v1/auth/token/", {{"email": email, "password": password}},
        content_type="application/json")
    print(answer.status_code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_counts_in_the_database_without_redis(
    monkeypatch, settings, student
) -> None:
    """Two other processes and this one, over the database's cache table: the address's
    allowance (10) and the account's wrong passwords (5 before it waits) add up."""
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "10/day"})
    shared = {k: v for k, v in settings.CACHES["default"].items() if k != "KEY_PREFIX"}
    settings.CACHES = {"default": shared}  # the other processes' keys, with no test prefix
    assert shared["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    nobody = [(f"nobody{n}@school.test", "x") for n in range(6)]
    try:
        # One process: 6 wrong passwords from one address, each for an account of no one.
        first = _another_process(SIGN_IN.format(address=address, attempts=nobody))
        # Another: 3 wrong passwords for the student, from another address.
        second = _another_process(
            SIGN_IN.format(address="10.0.0.2", attempts=[(student.email, "x")] * 3)
        )
        # A third, from the first address, which has 4 requests left: the student's 2 more
        # wrong passwords make 5, then the account waits, then the address is spent.
        attempts = [(student.email, "y")] * 4 + [("nobody9@school.test", "z")]
        third = _another_process(SIGN_IN.format(address=address, attempts=attempts))

        assert first == ["400"] * 6
        assert second == ["400"] * 3
        assert third == ["400", "400", "429", "429", "429"]
        # And here, a fourth: the account waits, from any address, for its owner too.
        owner = APIClient(REMOTE_ADDR="10.0.0.3").post(
            "/api/v1/auth/token/", {"email": student.email, "password": "correct-horse-battery"}
        )
        assert owner.status_code == 429
        assert owner.json()["code"] == "too_many_failed_sign_ins"
        spent = APIClient(REMOTE_ADDR=address).post(
            "/api/v1/auth/token/", {"email": "nobody10@school.test", "password": "x"}
        )
        assert spent.status_code == 429
        assert "code" not in spent.json()  # the address's limit, not an account's
    finally:
        cache.clear()  # the table outlives a transactional test


def test_migrate_makes_the_cache_table_on_a_fresh_database_even_with_redis_set(tmp_path) -> None:
    """So that `make run`, a fresh clone's tests and a deployment that later drops REDIS_URL
    all find it."""
    database = tmp_path / "fresh.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr

    with sqlite3.connect(database) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(pathway_cache)")]
    assert columns == ["cache_key", "value", "expires"]
