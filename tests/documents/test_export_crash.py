"""A worker killed in the middle of an export, for real: django-tasks' database worker (as `make
worker` runs it) takes a roster export, its renderer process starts laying the document out,
and the worker is killed (SIGKILL). The renderer dies with it, leaving no process behind; the job
reads as running until the heartbeat window has passed, then as failed with the reason (a read
writes nothing), the periodic job records it, and a new export starts afresh and finishes in a
new worker. On SQLite and on PostgreSQL.

To know that the kill lands mid-render, the test stops the renderer (SIGSTOP) as soon as it
appears, so the document cannot finish first; time is driven by EXPORT_HEARTBEAT_TIMEOUT, never
by sleeping through it."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.pdf_world import seed_cohort
from documents.models import ExportJob
from tests.conftest import client_for
from tests.documents.conftest import pdf_pages
from tests.processes import ROOT, child_environment, database_url, session_processes, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STUDENTS = 300


@contextmanager
def db_worker(log: Path, media: str, **env: str) -> Iterator[subprocess.Popen]:
    """`manage.py db_worker` on the test database, in a session of its own; whatever of it is
    left at the end is killed (its session's process group, nothing else)."""
    with log.open("a") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=child_environment(DATABASE_URL=database_url(), MEDIA_ROOT=media, **env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield worker
    finally:
        if worker.poll() is None or session_processes(worker.pid):
            with suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        print(log.read_text()[-4000:])  # shown when the test fails


def _renderer(session: int) -> int | None:
    """The worker's renderer process (multiprocessing's spawned child), once it exists."""
    for pid, command in session_processes(session).items():
        if "spawn_main" in command:
            return pid
    return None


def _status(client: object, job_id: int) -> dict:
    return client.get(f"/api/v1/exports/{job_id}/").json()


def test_a_worker_killed_mid_export_leaves_nothing_running_and_the_export_starts_again(
    admin_user, settings, tmp_path, capsys
) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding the worker's processes reads /proc (Linux)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cohort = seed_cohort(STUDENTS, graduated=False)
    client = client_for(admin_user)
    log = tmp_path / "workers.log"
    first = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk}).json()

    # A heartbeat window of 10 s in the worker: it beats every 2.5 s while the renderer works.
    with db_worker(log, settings.MEDIA_ROOT, EXPORT_HEARTBEAT_TIMEOUT="10") as worker:
        renderer = wait_until(lambda: _renderer(worker.pid), "the worker's renderer")
        os.kill(renderer, signal.SIGSTOP)  # the document cannot finish before the kill
        job = ExportJob.objects.get(pk=first["id"])
        assert job.status == "running"
        assert 0 < job.done < job.total  # the rows are gathered, the document not rendered
        wait_until(
            lambda: ExportJob.objects.get(pk=job.pk).heartbeat_at > job.heartbeat_at,
            "a heartbeat while the document renders",
        )
        worker.kill()
        worker.wait(timeout=30)
        with suppress(ProcessLookupError):
            os.kill(renderer, signal.SIGCONT)
        wait_until(
            lambda: not session_processes(worker.pid),
            f"the killed worker's processes to end: {session_processes(worker.pid)}",
        )

    # Within the heartbeat window the job still reads as running, and is handed back.
    settings.EXPORT_HEARTBEAT_TIMEOUT = 3600
    assert _status(client, job.pk)["status"] == "running"
    again = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk}).json()
    assert again["id"] == job.pk

    # Past the window (1 second here) it reads as failed, with the reason; reading wrote nothing.
    settings.EXPORT_HEARTBEAT_TIMEOUT = 1
    shown = wait_until(
        lambda: (answer := _status(client, job.pk))["status"] == "failed" and answer,
        "the job to read as failed",
    )
    assert "its worker gave no sign of life for 1 second" in shown["error"]
    assert ExportJob.objects.get(pk=job.pk).status == "running"

    call_command("periodic")
    assert "documents.tasks.fail_lost_exports: 1" in capsys.readouterr().out
    assert ExportJob.objects.get(pk=job.pk).status == "failed"

    settings.EXPORT_HEARTBEAT_TIMEOUT = 120
    fresh = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk}).json()
    assert fresh["id"] != job.pk
    assert fresh["status"] == "queued"
    with db_worker(log, settings.MEDIA_ROOT) as worker:
        wait_until(
            lambda: ExportJob.objects.get(pk=fresh["id"]).status in ("ready", "failed"),
            "the new export to finish",
            within=240,
        )
        done = _status(client, fresh["id"])
        assert (done["status"], done["percent"]) == ("ready", 100)
        worker.terminate()  # as a supervisor stops it
        worker.wait(timeout=60)
        wait_until(
            lambda: not session_processes(worker.pid),
            f"the stopped worker's processes to end: {session_processes(worker.pid)}",
        )
    text = "".join(pdf_pages(b"".join(client.get(done["download_url"]).streaming_content)))
    assert "student0000@bench.test" in text
    assert f"student{STUDENTS - 1:04d}@bench.test" in text
