import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.env import email_settings, envbool, envint, envrate

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SITE_URL", "SMS_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_a_warning() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-real-random-secret-of-fifty-or-more-chars-9f3a",
        ALLOWED_HOSTS="school.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_a_bad_boolean_is_refused_with_the_variable_named() -> None:
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-a-real-random-secret-of-fifty-or-more-chars-9f3a",
    "ALLOWED_HOSTS": "school.example",
}


@pytest.mark.parametrize(
    "site_url",
    [
        None,
        "http://127.0.0.1:8000/",
        "http://localhost:8001",
        "http://0.0.0.0:8000",
        "http://app.localhost",
    ],
)
def test_twilio_refuses_to_start_until_site_url_is_the_public_address(site_url) -> None:
    # Twilio signs over the URL it called; checked against SITE_URL, every text would be forged.
    env = {**PRODUCTION, "SMS_BACKEND": "twilio"}
    if site_url:
        env["SITE_URL"] = site_url
    result = manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SMS_BACKEND=twilio needs SITE_URL set" in result.stderr
    assert "/api/v1/messaging/sms/inbound/" in result.stderr


def test_twilio_starts_with_the_public_site_url() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        SMS_BACKEND="twilio",
        SITE_URL="https://school.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("site_url", ["school.example", "https:///pathway", "ftp://school.example"])
def test_a_site_url_without_scheme_or_host_is_refused(site_url) -> None:
    result = manage("check", SITE_URL=site_url)
    assert result.returncode != 0
    assert f"SITE_URL={site_url!r}: expected an address like https://school.example" in (
        result.stderr
    )


def test_envbool_reads_the_usual_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert envbool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert envbool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert envbool("FLAG", True) is True


def test_envint_refuses_words_and_values_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        envint("N", 1, minimum=0)


def test_apply_rate_accepts_a_rate_or_off_and_refuses_nonsense(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APPLY_RATE", "5/minute")
    assert envrate("APPLY_RATE", "20/hour") == "5/minute"
    monkeypatch.setenv("APPLY_RATE", "off")
    assert envrate("APPLY_RATE", "20/hour") is None
    monkeypatch.setenv("APPLY_RATE", "lots")
    with pytest.raises(ImproperlyConfigured, match="N/hour"):
        envrate("APPLY_RATE", "20/hour")


def test_email_url_gives_smtp_settings() -> None:
    email = email_settings("smtp+tls://mailer%40school.edu:s3cret@smtp.school.edu:2525")
    assert email.host == "smtp.school.edu"
    assert email.port == 2525
    assert email.user == "mailer@school.edu"
    assert email.password == "s3cret"
    assert email.use_tls
    assert not email.use_ssl


def test_email_url_with_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="scheme 'pop3'"):
        email_settings("pop3://mail.school.edu")


def test_sqlite_queues_writers_instead_of_failing(settings: object) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only apply on the SQLite pass")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_an_idempotency_claim_outlives_its_request_after_the_worker_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # gunicorn and the settings read one WEB_TIMEOUT; a claim older than it is taken over.
    show = "from django.conf import settings; print(settings.IDEMPOTENCY_CLAIM_TIMEOUT)"
    assert manage("shell", "-c", show, WEB_TIMEOUT="45").stdout.split()[-1] == "45"
    monkeypatch.setenv("WEB_TIMEOUT", "45")
    assert runpy.run_path(str(ROOT / "backend" / "gunicorn.conf.py"))["timeout"] == 45
