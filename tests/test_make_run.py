"""`make run`'s launcher (backend/launcher.py): the whole product in one process group.

The slow test starts it for real, as `make run` does, on a scratch SQLite database in a temporary
folder (never the repository's var/): the worker prints the demo's queued emails, the site
answers with debugging off (the branded 404, static files, signing in over plain HTTP), and
stopping the launcher leaves no process behind. The other tests are quick."""

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from backend.launcher import demo_environment, secret_key

ROOT = Path(__file__).resolve().parent.parent
# Generous: the machine is shared; the launcher migrates and seeds a new database first.
FIRST_EMAIL_WITHIN = 180
STOPPED_WITHIN = 30


def test_the_secret_key_is_made_once_and_kept_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"

    first = secret_key(path)

    assert len(first) >= 50
    assert secret_key(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def test_debugging_is_off_unless_the_developer_says_otherwise(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"

    demo = demo_environment({"PORT": "8001"}, secret)
    chosen = demo_environment({"DEBUG": "1", "SECRET_KEY": "mine"}, secret)

    assert (demo["DEBUG"], demo["DEMO"], demo["SECRET_KEY"]) == ("0", "1", secret_key(secret))
    assert demo["SITE_URL"] == "http://127.0.0.1:8001"
    assert (chosen["DEBUG"], chosen["SECRET_KEY"], chosen["PORT"]) == ("1", "mine", "8000")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_in_session(session: int) -> list[str]:
    """The processes still in the launcher's session (children keep it, whatever their group)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended while we looked
        # "pid (command) state ppid pgrp session ...": the command may hold spaces.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(text[: text.rindex(")") + 1])
    return found


class Site:
    """Plain HTTP to the demo, keeping cookies, as a browser on the same machine would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            answer = (response.status, response.headers, response.read().decode())
        finally:
            conn.close()
        for header in answer[1].get_all("Set-Cookie") or []:
            assert "Secure" not in header, "the demo is plain HTTP: a Secure cookie would be lost"
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer


def serving(site: Site) -> bool:
    try:
        site.request("GET", "/")
    except OSError:
        return False
    return True


def wait_for(condition, what: str, log: Path, launcher: subprocess.Popen, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert launcher.poll() is None, f"the launcher stopped: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} yet: {log.read_text()[-3000:]}"
        time.sleep(0.5)


@pytest.mark.slow
def test_make_run_sends_the_demos_emails_and_stops_as_one_group(tmp_path: Path) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("`make run` serves SQLite; the SQLite pass runs this test")
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding leftover processes reads /proc (Linux)")
    port = free_port()
    database = tmp_path / "db.sqlite3"
    secret_file = tmp_path / "secret_key"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "DEMO", "SECRET_KEY", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
        "SECRET_KEY_FILE": str(secret_file),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_URL": "console://",
        "SMS_BACKEND": "console",
    }
    log = tmp_path / "make-run.log"
    with log.open("w") as output:
        # Its own session, as a terminal gives a job: every process it starts stays in it.
        launcher = subprocess.Popen(
            [sys.executable, "-m", "backend.launcher"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: "\nSubject: " in log.read_text().partition("Pathway runs at")[2],
            "email printed by the worker",
            log,
            launcher,
            FIRST_EMAIL_WITHIN,
        )
        assert "Debugging is off" in log.read_text()
        assert secret_file.exists()
        with sqlite3.connect(database) as db:
            [(sent,)] = db.execute(
                "SELECT count(*) FROM messaging_message WHERE channel = 'email' AND status = 'sent'"
            )
        assert sent > 0

        site = Site(port)
        wait_for(lambda: serving(site), "answer from the web server", log, launcher, 60)
        status, _, missing = site.request("GET", "/no-such-page/")
        assert status == 404
        assert "<h1>Page not found</h1>" in missing
        assert "Traceback" not in missing
        assert "URLconf" not in missing
        assert site.request("GET", "/static/documents/export_progress.js")[0] == 200
        _, _, sign_in = site.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in).group(1)
        status, headers, _ = site.request(
            "POST",
            "/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": "student@demo.pathway",
                "password": "demo-pass-2026",
            },
        )
        assert (status, headers["Location"]) == (302, "/start/")
    finally:
        # `kill <launcher>` alone: it must stop the web server, the worker and the jobs itself.
        launcher.send_signal(signal.SIGTERM)
        try:
            launcher.wait(timeout=STOPPED_WITHIN)
        finally:
            leftovers = processes_in_session(launcher.pid)
            if leftovers:
                os.killpg(launcher.pid, signal.SIGKILL)
    assert leftovers == []
    assert "Pathway has stopped" in log.read_text()
