"""apply_burst: a burst of applications against a small cohort, on a real server.

gunicorn with 4 sync workers on PostgreSQL; 300 applications from 50 concurrent clients to a
25-seat cohort (APPLY_RATE=off). Prints throughput, p50/p95 latency, the errors (any answer but
201) and the seat invariant, each against a baseline on the same server: `POST /bench/insert/`
(benchmarks/burst_urls.py), which parses the same body and does one plain INSERT. A second
throughput line compares with `POST /bench/validated-insert/`: the same DRF parsing and validation
as the application endpoint, then one INSERT, which isolates what seat-keeping costs. Targets:
zero errors, the invariant kept, throughput >= 0.45 of the validated insert's and p95 latency
<= 3x its p95. Beside them, the median time each application held the cohort lock
(benchmarks/lock_hold.py): the burst cannot go faster than one application per hold.

PostgreSQL comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL; the benchmark creates and drops
its own database `pathway_bench` there.
"""

import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from benchmarks import SECRET_KEY, BenchmarkError, metric
from benchmarks.burst_urls import CREATE_INSERT_TABLE
from enrollment.models import Application, Status

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
SCRATCH = "pathway_bench"
WORKERS = 4
CLIENTS = 50
REQUESTS = 300
CAPACITY = 25
WARMUP = 20
APPLY_PATH = "/api/v1/applications/"
INSERT_PATH = "/bench/insert/"
VALIDATED_INSERT_PATH = "/bench/validated-insert/"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

# Run by `manage.py shell` in the scratch database: the measured cohort and a warm-up one.
SETUP_CODE = f"""
import json
from datetime import timedelta
from django.utils import timezone
from enrollment.models import Cohort, Program
program = Program.objects.create(slug="bench", name="Bench", track="phlebotomy",
    duration_weeks=4, delivery="100% online, evening classes", credential="NHA CPT")
starts_on = timezone.localdate() + timedelta(days=60)
ids = [
    Cohort.objects.create(program=program, name=name, starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=4), capacity={CAPACITY}).pk
    for name in ("Burst", "Warm-up")
]
print(json.dumps(ids))
"""


@dataclass(frozen=True)
class Answer:
    status: int
    ms: float
    body: bytes


@dataclass(frozen=True)
class Burst:
    answers: list[Answer]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.answers) / self.seconds

    def percentile_ms(self, q: int) -> float:
        return statistics.quantiles([a.ms for a in self.answers], n=100, method="inclusive")[q - 1]

    @property
    def errors(self) -> int:
        return sum(answer.status != 201 for answer in self.answers)


def _database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def _drop(admin_url: str) -> None:
    with _connect(admin_url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(SCRATCH)))


def _create(admin_url: str) -> None:
    _drop(admin_url)
    with _connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH)))


def _server_env(database_url: str, lock_log: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.burst_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "APPLY_RATE": "off",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "BENCH_LOCK_LOG": lock_log,
    }


def _manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command; its stdout, or a BenchmarkError with its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BenchmarkError(f"manage.py {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes | None = None) -> Answer:
    """One request on its own connection (sync workers close it anyway); status 0 when it failed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    try:
        conn.request(method, path, body, HEADERS)
        response = conn.getresponse()
        status, data = response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        status, data = 0, repr(exc).encode()
    finally:
        conn.close()
    return Answer(status, (time.perf_counter() - start) * 1000, data)


def _tail(log: IO[str]) -> str:
    log.seek(0)
    return log.read()[-2000:]


@contextmanager
def _gunicorn(env: dict[str, str]) -> Iterator[tuple[int, IO[str]]]:
    """gunicorn on a free port, answering; yields the port and its log, and stops it on exit."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "backend.wsgi"]
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [*command, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 30
            while _request(port, "GET", "/api/v1/programs/").status != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise BenchmarkError(f"gunicorn did not start: {_tail(log)}")
                time.sleep(0.2)
            yield port, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _applicant(n: int, cohort_id: int) -> bytes:
    """The JSON body of a qualified application from person number n."""
    return json.dumps(
        {
            "cohort": cohort_id,
            "first_name": "Jamie",
            "last_name": f"Burst{n}",
            "email": f"burst{n}@example.com",
            "phone": f"+1202555{n:04d}",
            "date_of_birth": "1995-01-01",
            "education": "hs_diploma",
            "consent": {"sms": True, "email": True, "phone": False},
        }
    ).encode()


def _burst(port: int, path: str, bodies: list[bytes]) -> Burst:
    """POST every body from CLIENTS concurrent clients; the answers keep the bodies' order."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        barrier = threading.Barrier(CLIENTS)
        list(pool.map(lambda _: barrier.wait(), range(CLIENTS)))  # every client thread is up
        start = time.perf_counter()
        answers = list(pool.map(partial(_request, port, "POST", path), bodies))
        seconds = time.perf_counter() - start
    return Burst(answers, seconds)


def _invariant(database_url: str, cohort_id: int, burst: Burst) -> dict[str, object]:
    """What the cohort holds after the burst, and whether it is exactly what it must be."""
    table = sql.Identifier(Application._meta.db_table)
    with _connect(database_url) as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT id, submitted_at, status, lower(email) FROM {} WHERE cohort_id = %s "
                "ORDER BY submitted_at, id"
            ).format(table),
            [cohort_id],
        ).fetchall()
    statuses = Counter(status for _, _, status, _ in rows)
    times = [submitted_at for _, submitted_at, _, _ in rows]
    answered = {c["id"]: c for c in (json.loads(a.body) for a in burst.answers if a.status == 201)}
    waiting = REQUESTS - CAPACITY
    counts: dict[str, object] = {
        "applications": len(rows),
        "offered": statuses[Status.OFFERED],
        "waitlisted": statuses[Status.WAITLISTED],
        "enrolled": statuses[Status.ENROLLED],
        "other": len(rows) - statuses[Status.OFFERED] - statuses[Status.WAITLISTED],
        "duplicate_emails": len(rows) - len({email for _, _, _, email in rows}),
        # First come, first served: each application's time in the queue was taken under the
        # cohort lock, so no two are equal; the offers are the queue's head, the waitlist its tail.
        "queue_order_ok": all(a < b for a, b in itertools.pairwise(times))
        and [status for _, _, status, _ in rows]
        == [Status.OFFERED] * CAPACITY + [Status.WAITLISTED] * waiting,
        # Each waitlisted applicant was told their own place in that queue.
        "positions_ok": [
            answered[row_id]["waitlist_position"]
            for row_id, _, status, _ in rows
            if status == Status.WAITLISTED and row_id in answered
        ]
        == list(range(1, waiting + 1)),
    }
    counts["ok"] = (
        counts["applications"] == REQUESTS
        and counts["offered"] == CAPACITY
        and counts["waitlisted"] == waiting
        and counts["duplicate_emails"] == 0
        and counts["queue_order_ok"]
        and counts["positions_ok"]
    )
    return counts


def _report_errors(name: str, burst: Burst, log: IO[str]) -> None:
    if not burst.errors:
        return
    statuses = Counter(a.status for a in burst.answers)
    sample = next(a.body for a in burst.answers if a.status != 201)[:300]
    print(f"{name}: answers {dict(statuses)}; first error body: {sample!r}", file=sys.stderr)
    print(f"gunicorn log tail:\n{_tail(log)}", file=sys.stderr)


def _bursts(
    env: dict[str, str], cohort_id: int, warmup_id: int, lock_log: IO[str]
) -> tuple[Burst, Burst, Burst, list[float]]:
    """On one server, after a warm-up: the applications, then the same bodies to the two
    baselines; and each application's lock hold (ms), read from the probe's log."""
    bodies = [_applicant(n, cohort_id) for n in range(REQUESTS)]
    with _gunicorn(env) as (port, log):
        warmup = [_applicant(9000 + n, warmup_id) for n in range(WARMUP)]
        for path in (APPLY_PATH, INSERT_PATH, VALIDATED_INSERT_PATH):
            _burst(port, path, warmup)
        lock_log.truncate(0)  # the warm-up's holds
        apply = _burst(port, APPLY_PATH, bodies)
        lock_log.seek(0)
        holds = [float(line) for line in lock_log.read().split()]
        _report_errors("apply", apply, log)
        insert = _burst(port, INSERT_PATH, bodies)
        _report_errors("insert", insert, log)
        validated = _burst(port, VALIDATED_INSERT_PATH, bodies)
        _report_errors("validated insert", validated, log)
    return apply, insert, validated, holds


def run() -> list[dict[str, object]]:
    """Set up the scratch database and server, run the bursts, check the cohort, clean up."""
    admin_url = (
        os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    )
    try:
        _create(admin_url)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchmarkError(f"PostgreSQL at {admin_url} does not answer: {reason}") from None
    database_url = _database_url(admin_url, SCRATCH)
    with tempfile.NamedTemporaryFile("w+", suffix=".lock-holds") as lock_log:
        env = _server_env(database_url, lock_log.name)
        try:
            _manage(env, "migrate", "--noinput")
            with _connect(database_url) as conn:
                conn.execute(CREATE_INSERT_TABLE)
            out = _manage(env, "shell", "--no-imports", "-v", "0", "-c", SETUP_CODE)
            cohort_id, warmup_id = json.loads(out.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            apply, insert, validated, holds = _bursts(env, cohort_id, warmup_id, lock_log)
            counts = _invariant(database_url, cohort_id, apply)
        finally:
            _drop(admin_url)
    params = {
        "server": f"gunicorn sync x{WORKERS}",
        "database": "postgresql",
        "clients": CLIENTS,
        "requests": REQUESTS,
        "capacity": CAPACITY,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "throughput",
            round(apply.throughput, 1),
            "req/s",
            baseline=round(insert.throughput, 1),
            params=params,
        ),
        metric(
            "throughput_vs_validated_insert",
            round(apply.throughput, 1),
            "req/s",
            baseline=round(validated.throughput, 1),
            params={**params, "baseline": "same DRF parsing and validation, then one INSERT"},
        ),
        metric(
            "latency_p50_ms",
            round(apply.percentile_ms(50), 1),
            "ms",
            baseline=round(insert.percentile_ms(50), 1),
            params=params,
        ),
        metric(
            "latency_p95_ms",
            round(apply.percentile_ms(95), 1),
            "ms",
            baseline=round(insert.percentile_ms(95), 1),
            params=params,
        ),
        metric(
            "latency_p95_vs_validated_insert_ms",
            round(apply.percentile_ms(95), 1),
            "ms",
            baseline=round(validated.percentile_ms(95), 1),
            params={**params, "baseline": "same DRF parsing and validation, then one INSERT"},
        ),
        metric(
            "lock_hold_median_ms",
            round(statistics.median(holds), 2),
            "ms",
            params={
                **params,
                "holds": len(holds),
                "p95_ms": round(statistics.quantiles(holds, n=20, method="inclusive")[-1], 2),
                "what": "cohort lock granted to COMMIT, per application",
            },
        ),
        metric("errors", apply.errors, "count", baseline=insert.errors, params=params),
        metric(
            "invariant_ok",
            int(bool(counts.pop("ok"))),
            "bool",
            params={**params, **counts},
        ),
    ]
