"""Real processes beside the test: the test database's URL for them, the processes of a session,
and waiting for something to happen (never for a fixed time: the machine is shared and slow)."""

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url(name: str | None = None) -> str:
    """DATABASE_URL of the database this test uses (the test database, not the configured one),
    for a process started by the test; needs `django_db(transaction=True)` to see its rows.
    With `name`, another database (a file for SQLite) on the same server."""
    params = {**connection.settings_dict, **({"NAME": name} if name else {})}
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def child_environment(**changes: str) -> dict[str, str]:
    """This environment for a child process, without what only the test process needs."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return {**env, **changes}


def session_processes(session: int) -> dict[int, str]:
    """The live processes of a session (a process started with `start_new_session=True` and
    every process it started, whatever became of it), by pid, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # it ended while we looked
        # "pid (command) state ppid pgrp session ...": the command may hold spaces.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] not in ("Z", "X"):
            found[int(text.split()[0])] = command.strip()
    return found


def wait_until(condition: Callable[[], object], what: str, within: float = 90) -> object:
    """Poll `condition` until it gives something true, and return that; fail after `within`
    seconds (generous: a busy machine is slow, not wrong)."""
    deadline = time.monotonic() + within
    while not (result := condition()):
        assert time.monotonic() < deadline, f"still waiting for {what} after {within} s"
        time.sleep(0.05)
    return result
