"""Faults with real processes: gunicorn workers (backend/gunicorn.conf.py, DEBUG=0) on a PostgreSQL
cluster of the test's own. During a burst of applications, each with its `Idempotency-Key`, a
worker is killed in the middle of a request and PostgreSQL is stopped dead and started again;
then every client whose request failed sends it again with its key, as README "Operating" tells
clients to. Every client ends with exactly one application and its token, the seats hold, and no
claim is left running.

To know that the faults land mid-request, the test holds the cohort's row lock while a wave of
applications arrives, and acts once every worker waits on it (each has claimed its key and is
inside its transaction). The cluster is initdb'd into a temporary folder and listens on a port of
its own; the machine's PostgreSQL server is never touched. Without the server binaries the test
is skipped with the reason, unless REQUIRE_POSTGRES=1. It runs in the SQLite pass of `make test`
(the database of the pass plays no part) and is skipped in the PostgreSQL pass."""

import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import Message
from glob import glob
from pathlib import Path
from typing import IO

import psycopg
import pytest
from django.db import connection

from tests.conftest import unavailable
from tests.test_serving import COLLECT_CODE

pytestmark = [pytest.mark.postgres, pytest.mark.faults]

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
CAPACITY = 8
WAVE = 12  # applications per wave; two waves
DEADLINE = 90  # seconds for anything the test waits for (a busy machine is slow, not wrong)
SERVER_OPTIONS = (
    "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
    # A throwaway cluster: durability against a machine crash is not what is tested here.
    "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
)
SETUP_CODE = f"""
from datetime import timedelta
from django.utils import timezone
from enrollment.models import Cohort, Program
program = Program.objects.create(slug="phlebotomy", name="Phlebotomy Technician",
    track="phlebotomy", duration_weeks=4, delivery="Evenings", credential="NHA CPT")
starts_on = timezone.localdate() + timedelta(days=60)
print(Cohort.objects.create(program=program, name="Burst", starts_on=starts_on,
    ends_on=starts_on + timedelta(weeks=4), capacity={CAPACITY}).pk)
"""
# What the database holds afterwards, read through the app's own selectors.
CHECK_CODE = """
import json
from backend.models import IdempotencyKey
from enrollment.models import Cohort, Status
from enrollment.selectors import waitlist
cohort = Cohort.objects.get(pk=COHORT)
rows = list(cohort.applications.order_by("submitted_at", "id").values(
    "id", "email", "status", "status_token"))
print(json.dumps({
    "applications": rows,
    "positions": {a.id: a.position for a in waitlist(cohort)},
    "running_claims": IdempotencyKey.objects.filter(status_code__isnull=True).count(),
    "answered_claims": IdempotencyKey.objects.filter(status_code=201).count(),
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not ready():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def server_binaries() -> Path:
    found = sorted(
        (Path(p).parent for p in glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found or not (found[-1] / "pg_ctl").exists():
        unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin",
            "REQUIRE_POSTGRES",
            "fault test skipped",
        )
    return found[-1]


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own, run as `postgres` when the test runs as root
    (initdb refuses root)."""

    binaries: Path
    folder: Path
    run_as: list[str]
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/pathway"

    def run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.run_as, str(self.binaries / program), *args],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        log = self.folder / "server.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}{tail}"

    def start(self) -> None:
        data, log = str(self.folder / "data"), str(self.folder / "server.log")
        options = SERVER_OPTIONS.format(port=self.port)
        self.run("pg_ctl", "-D", data, "-l", log, "-w", "-t", str(DEADLINE), "-o", options, "start")

    def crash(self) -> None:
        """Stop it dead, as a power cut or an OOM kill would: no shutdown checkpoint, every
        connection cut mid-transaction; the next start recovers from the WAL."""
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def connect(self, database: str = "pathway") -> psycopg.Connection:
        url = f"postgres://postgres@127.0.0.1:{self.port}/{database}"
        return psycopg.connect(url, autocommit=True, connect_timeout=5)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if connection.vendor == "postgresql":
        # It brings its own PostgreSQL whatever the pass: once per `make test` is enough.
        pytest.skip("runs in the SQLite pass, with a PostgreSQL cluster of its own")
    binaries = server_binaries()
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            owner = None
        if runuser is None or owner is None:
            unavailable(
                "running as root, without runuser or a postgres user to run the cluster as",
                "REQUIRE_POSTGRES",
                "fault test skipped",
            )
        # pytest's tmp_path is root's alone; the cluster needs a folder postgres can write.
        folder = Path(tempfile.mkdtemp(prefix="pathway-faults-"))
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = [runuser, "-u", "postgres", "--"]
    else:
        folder, run_as = tmp_path, []
    cluster = Cluster(binaries, folder, run_as)
    try:
        data = str(folder / "data")
        cluster.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N")
        cluster.start()
        with cluster.connect("postgres") as conn:
            conn.execute("CREATE DATABASE pathway")
        yield cluster
    finally:
        with suppress(AssertionError, subprocess.SubprocessError):
            cluster.crash()
        if folder != tmp_path:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer at all (the connection dropped)
    headers: Message | None
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Applicant:
    n: int
    cohort: int

    @property
    def key(self) -> str:
        return f"fault-test-{self.n}"

    @property
    def email(self) -> str:
        return f"burst{self.n}@example.com"

    @property
    def body(self) -> bytes:
        return json.dumps(
            {
                "cohort": self.cohort,
                "first_name": "Jamie",
                "last_name": f"Burst{self.n}",
                "email": self.email,
                "phone": f"+1202555{self.n:04d}",
                "date_of_birth": "1995-01-01",
                "education": "hs_diploma",
            }
        ).encode()


def request(port: int, method: str, path: str, body: bytes | None = None, **headers: str) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        conn.request(method, path, body, {"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    except (OSError, http.client.HTTPException) as exc:
        return Answer(0, None, repr(exc).encode())
    finally:
        conn.close()


def apply(port: int, applicant: Applicant) -> Answer:
    headers = {"Idempotency-Key": applicant.key}
    return request(port, "POST", "/api/v1/applications/", applicant.body, **headers)


def worth_retrying(answer: Answer) -> bool:
    """README "Operating": no answer, a 5xx, or 409 while the first request with the key runs."""
    if answer.status == 0 or answer.status >= 500:
        return True
    return answer.status == 409 and "Idempotency-Key" in answer.json()


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in glob("/proc/[0-9]*/stat"):
        with suppress(OSError):
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                pids.append(int(Path(stat).parent.name))
    return pids


def workers_waiting_on_a_lock(cluster: Cluster) -> int:
    with cluster.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = 'pathway' AND wait_event_type = 'Lock'"
        ).fetchone()[0]


@contextmanager
def cohort_locked(cluster: Cluster, cohort: int) -> Iterator[None]:
    """Hold the cohort's row lock, as a long application would: every application waits on it
    inside its transaction, after claiming its key."""
    conn = psycopg.connect(cluster.url, connect_timeout=5)
    try:
        conn.execute("SELECT id FROM enrollment_cohort WHERE id = %s FOR UPDATE", [cohort])
        yield
    finally:
        with suppress(psycopg.Error):
            conn.rollback()
        with suppress(psycopg.Error):
            conn.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: IO[str]

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()


@pytest.fixture
def server(cluster: Cluster, tmp_path: Path) -> Iterator[tuple[Server, Cluster, int]]:
    port = free_port()
    (tmp_path / "static").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": cluster.url,
        "DEBUG": "0",
        "SECRET_KEY": "fault-test-" + "s3cr3t-" * 8,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WORKERS),
        # Workers wait on the test's lock while it acts: far from gunicorn's own restarts.
        "WEB_TIMEOUT": "120",
        "CONN_MAX_AGE": "60",  # kept connections, found broken after the restart
        "APPLY_RATE": "off",
        "EMAIL_URL": "console://",
        "SMS_BACKEND": "console",
    }
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", COLLECT_CODE)  # as deployed: the pages name hashed static files
    cohort = int(manage(env, "shell", "-c", SETUP_CODE).split()[-1])
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py", "backend.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        server = Server(port, process, log)
        try:
            wait_for(
                "gunicorn to answer",
                lambda: (
                    process.poll() is None
                    and request(port, "GET", "/api/v1/programs/").status == 200
                ),
            )
            yield server, cluster, cohort
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            print(f"gunicorn's log, last lines:\n{server.output()[-3000:]}")  # shown on failure


def test_a_killed_worker_and_a_restarted_database_lose_no_application_and_no_token(
    server: tuple[Server, Cluster, int],
) -> None:
    web, cluster, cohort = server
    applicants = [Applicant(n, cohort) for n in range(2 * WAVE)]
    answers: dict[Applicant, Answer] = {}  # each client's latest answer
    answers_seen: list[Answer] = []  # every answer, for the log
    all_workers_mid_request = (
        f"all {WORKERS} workers to wait inside an application",
        lambda: workers_waiting_on_a_lock(cluster) >= WORKERS,
    )

    with ThreadPoolExecutor(WAVE) as clients:
        # A worker is killed while every worker is inside an application's transaction.
        with cohort_locked(cluster, cohort):
            wave = {a: clients.submit(apply, web.port, a) for a in applicants[:WAVE]}
            wait_for(*all_workers_mid_request)
            os.kill(worker_pids(web.process.pid)[0], signal.SIGKILL)
        answers |= {a: future.result() for a, future in wave.items()}
        answers_seen += answers.values()
        assert [a.status for a in answers.values()].count(0) >= 1, "the kill cut no request"

        # PostgreSQL stops dead while every worker is inside an application's transaction; the
        # rest of the wave arrives while it is down.
        with cohort_locked(cluster, cohort):
            wave = {a: clients.submit(apply, web.port, a) for a in applicants[WAVE:]}
            wait_for(*all_workers_mid_request)
            cluster.crash()
        answers |= {a: future.result() for a, future in wave.items()}
        answers_seen += [answers[a] for a in wave]
        page = request(web.port, "GET", "/", Accept="text/html")
    for applicant in applicants[WAVE:]:
        answer = answers[applicant]
        assert answer.status == 503, answer
        assert answer.json()["code"] == "unavailable"
        assert int(answer.headers["Retry-After"]) > 0
    assert page.status == 503
    assert "Try again in a moment" in page.body.decode()
    cluster.start()

    # Every failed request again, with its key, until it has its answer.
    failed = [a for a in applicants if answers[a].status != 201]
    deadline = time.monotonic() + DEADLINE
    while failed:
        for applicant in list(failed):
            answer = answers[applicant] = apply(web.port, applicant)
            answers_seen.append(answer)
            if answer.status == 201:
                failed.remove(applicant)
            else:
                assert worth_retrying(answer), (applicant, answer)
        assert time.monotonic() < deadline, f"still failing: {[answers[a] for a in failed]}"
        if failed:
            time.sleep(0.5)

    # The log said each 503 once, in a line, with no traceback.
    said = web.output()
    assert "Traceback" not in said
    answered_503 = sum(a.status == 503 for a in [*answers_seen, page])
    assert said.count("Database unavailable, answered 503 to ") == answered_503

    # Each answer is the one kept for its key.
    for applicant in applicants:
        again = apply(web.port, applicant)
        assert again.status == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == answers[applicant].json()

    env = {**os.environ, "DATABASE_URL": cluster.url, "DJANGO_SETTINGS_MODULE": "backend.settings"}
    check = CHECK_CODE.replace("COHORT", str(cohort))
    held = json.loads(manage(env, "shell", "-c", check).splitlines()[-1])
    rows = held["applications"]
    # Exactly one application per client, and the token its client holds.
    assert sorted(row["email"] for row in rows) == sorted(a.email for a in applicants)
    by_email = {row["email"]: row for row in rows}
    for applicant in applicants:
        answer, row = answers[applicant].json(), by_email[applicant.email]
        assert (answer["id"], answer["status_token"]) == (row["id"], row["status_token"])
    # The seats: capacity offered, the rest waitlisted in the order they arrived, nobody skipped.
    statuses = [row["status"] for row in rows]  # in the order they reached the server
    assert statuses == ["offered"] * CAPACITY + ["waitlisted"] * (len(rows) - CAPACITY)
    positions = {int(id_): position for id_, position in held["positions"].items()}
    assert sorted(positions.values()) == list(range(1, len(rows) - CAPACITY + 1))
    for applicant in applicants:
        answer = answers[applicant].json()
        assert answer["waitlist_position"] == positions.get(answer["id"])
    # No claim is left running; every key holds its answer.
    assert held["running_claims"] == 0
    assert held["answered_claims"] == len(applicants)
