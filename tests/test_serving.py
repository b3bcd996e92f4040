"""Production serving, end to end: gunicorn with DEBUG=0 on a scratch PostgreSQL database, static
files from WhiteNoise, and an applicant applying through the form over "HTTPS" (the proxy's
X-Forwarded-Proto header)."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.conftest import unavailable

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "serving-test-" + "s3cr3t-" * 8
SETUP_CODE = """
from datetime import timedelta
from django.utils import timezone
from enrollment.models import Cohort, Program
program = Program.objects.create(slug="phlebotomy", name="Phlebotomy Technician",
    track="phlebotomy", duration_weeks=8, delivery="Evenings", credential="NHA CPT")
starts_on = timezone.localdate() + timedelta(days=60)
Cohort.objects.create(program=program, name="Spring evening", starts_on=starts_on,
    ends_on=starts_on + timedelta(weeks=8), capacity=10)
"""

# collectstatic as in production, minus WhiteNoise's gzip and Brotli copies: Brotli on the API
# docs' bundles takes half a minute on two cores, and serving does not depend on them.
COLLECT_CODE = """
from django.core.management import call_command
from django.conf import settings
from django.test import override_settings
manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": manifest}):
    call_command("collectstatic", "--noinput", verbosity=0)
"""


def postgres_or_skip() -> str:
    """TEST_DATABASE_URL when PostgreSQL answers; else skip (fail with REQUIRE_POSTGRES=1)."""
    url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL at {url} does not answer ({str(exc).strip().splitlines()[0]})"
        unavailable(reason, "REQUIRE_POSTGRES", "gunicorn test skipped")
    return url


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A database of its own on the test server, dropped afterwards."""
    server_url = postgres_or_skip()
    name = f"pathway_serving_{os.getpid()}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(drop)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    text: str


class Browser:
    """A client that speaks to the server as if through a TLS-terminating proxy, keeping cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode())
        finally:
            conn.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer


@pytest.fixture
def server(scratch_database: str, tmp_path: Path) -> Iterator[tuple[Browser, Path]]:
    """gunicorn (backend/gunicorn.conf.py) with DEBUG=0 on a free loopback port."""
    port = free_port()
    static_root = tmp_path / "static"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": scratch_database,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "WEB_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "EMAIL_URL": "console://",
        "SMS_BACKEND": "console",
    }
    manage(env, "shell", "-c", COLLECT_CODE)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP_CODE)
    with tempfile.TemporaryFile("w+") as log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py", "backend.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            browser = Browser(port)
            deadline = time.monotonic() + 30
            while True:
                try:
                    browser.request("GET", "/api/v1/programs/")
                    break
                except OSError:
                    log.seek(0)
                    assert gunicorn.poll() is None, f"gunicorn stopped: {log.read()[-2000:]}"
                    assert time.monotonic() < deadline, f"gunicorn is silent: {log.read()[-2000:]}"
                    time.sleep(0.2)
            yield browser, static_root
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)


def test_it_serves_the_apply_flow_through_gunicorn_with_production_settings(server) -> None:
    browser, static_root = server

    home = browser.request("GET", "/")
    assert home.status == 200
    assert "Phlebotomy Technician" in home.text
    assert home.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert home.headers["X-Frame-Options"] == "DENY"
    csp = home.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # No inline style is allowed nor needed: the page's style is the site's stylesheet, a file.
    assert "'unsafe-inline'" not in csp
    assert "'nonce-" not in csp
    assert "<style" not in home.text
    stylesheet = re.search(r'rel="stylesheet" href="(/static/pathway\.[0-9a-f]+\.css)"', home.text)

    form_page = browser.request("GET", "/apply/phlebotomy/")
    assert form_page.status == 200
    csrf_cookie = next(
        h for h in form_page.headers.get_all("Set-Cookie") if h.startswith("csrftoken=")
    )
    assert "; Secure" in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.text).group(1)
    cohort = re.search(r'<option value="(\d+)" selected>', form_page.text).group(1)

    applied = browser.request(
        "POST",
        "/apply/phlebotomy/",
        {
            "csrfmiddlewaretoken": token,
            "cohort": cohort,
            "first_name": "Robin",
            "last_name": "Okafor",
            "email": "robin.okafor@example.com",
            "phone": "(202) 555-0142",
            "date_of_birth_day": "14",
            "date_of_birth_month": "3",
            "date_of_birth_year": "1999",
            "education": "hs_diploma",
            "prior_healthcare_experience": "",
        },
    )
    assert applied.status == 302, applied.text[:2000]
    status_path = applied.headers["Location"]
    assert re.fullmatch(r"/status/[\w-]+/", status_path)

    status = browser.request("GET", status_path)
    assert status.status == 200
    assert 'data-status="offered"' in status.text
    assert "Content-Security-Policy" in status.headers

    # Plain HTTP is sent to HTTPS.
    conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    conn.request("GET", "/", headers={"Host": f"127.0.0.1:{browser.port}"})
    redirect = conn.getresponse()
    conn.close()
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://127.0.0.1:{browser.port}/"

    # Static files come from WhiteNoise under their hashed names, cached for good: the admin's,
    # and the site's stylesheet at the address the home page links.
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    assert stylesheet.group(1) == f"/static/{manifest['paths']['pathway.css']}"
    for hashed in (manifest["paths"]["admin/css/base.css"], manifest["paths"]["pathway.css"]):
        css = browser.request("GET", f"/static/{hashed}")
        assert css.status == 200
        assert css.headers["Content-Type"].startswith("text/css")
        assert "immutable" in css.headers["Cache-Control"]
        assert (static_root / hashed).read_text() == css.text
