"""A background export whose worker died: the worker beats the job's heartbeat as it works; a
running job without one for EXPORT_HEARTBEAT_TIMEOUT seconds (default 2 minutes) reads as failed
at once, with the reason, in the API and the admin, without any GET writing it; the periodic job
records the failure, and a new export starts afresh instead of handing back the stuck one. (With
a real worker killed mid-export: test_export_crash.py.)"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import ExportJob
from tests.conftest import client_for
from tests.documents.conftest import pdf_pages
from tests.factories import CohortFactory, StudentFactory
from tests.hardening.test_bad_input import WRITE_SQL

pytestmark = pytest.mark.django_db

LOST = "its worker gave no sign of life for 2 minutes"


def _running(cohort: object, beat_ago: timedelta) -> ExportJob:
    """A roster export a worker took up 10 minutes ago and last beat `beat_ago` ago."""
    now = timezone.now()
    return ExportJob.objects.create(
        kind="roster",
        cohort=cohort,
        status="running",
        total=3,
        done=2,
        created_at=now - timedelta(minutes=10),
        started_at=now - timedelta(minutes=10),
        heartbeat_at=now - beat_ago,
    )


def _writes(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if WRITE_SQL.match(q["sql"] or "")]


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_export_without_a_heartbeat_for_2_minutes_reads_as_failed_with_the_reason(
    admin_user,
) -> None:
    job = _running(CohortFactory(), beat_ago=timedelta(minutes=2, seconds=5))
    client = client_for(admin_user)

    with CaptureQueriesContext(connection) as queries:
        shown = client.get(f"/api/v1/exports/{job.pk}/").json()
        download = client.get(f"/api/v1/exports/{job.pk}/download/")

    assert shown["status"] == "failed"
    assert LOST in shown["error"]
    assert "Start it again" in shown["error"]
    assert shown["download_url"] is None
    assert download.status_code == 409
    assert LOST in download.json()["detail"]
    assert _writes(queries.captured_queries) == []  # the periodic job records it, not a read
    job.refresh_from_db()
    assert (job.status, job.error) == ("running", "")


def test_the_admin_shows_a_lost_export_as_failed_without_writing(signed_in) -> None:
    job = _running(CohortFactory(), beat_ago=timedelta(minutes=3))

    with CaptureQueriesContext(connection) as queries:
        page = signed_in.get(reverse("admin:documents_exportjob_progress", args=[job.pk]))
        listing = signed_in.get(reverse("admin:documents_exportjob_changelist"))
        detail = signed_in.get(reverse("admin:documents_exportjob_change", args=[job.pk]))

    text = page.content.decode()
    assert '<span id="export-status">failed</span>' in text
    assert LOST in text
    assert "Start the export again" in text
    assert "export_progress.js" not in text  # nothing left to wait for
    assert 'http-equiv="refresh"' not in text
    assert "failed" in listing.content.decode()
    assert LOST in detail.content.decode()
    assert _writes(queries.captured_queries) == []
    job.refresh_from_db()
    assert job.status == "running"


def test_an_export_with_a_recent_heartbeat_is_still_running_and_is_handed_back(
    admin_user,
) -> None:
    cohort = CohortFactory()
    StudentFactory(cohort=cohort)
    job = _running(cohort, beat_ago=timedelta(seconds=20))
    client = client_for(admin_user)

    shown = client.get(f"/api/v1/exports/{job.pk}/").json()
    again = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk})

    assert (shown["status"], shown["error"]) == ("running", "")
    assert again.status_code == 202
    assert again.json()["id"] == job.pk  # still under way: no second export


def test_the_heartbeat_window_is_a_setting(admin_user, settings) -> None:
    settings.EXPORT_HEARTBEAT_TIMEOUT = 600
    job = _running(CohortFactory(), beat_ago=timedelta(minutes=3))
    client = client_for(admin_user)

    assert client.get(f"/api/v1/exports/{job.pk}/").json()["status"] == "running"

    settings.EXPORT_HEARTBEAT_TIMEOUT = 90
    shown = client.get(f"/api/v1/exports/{job.pk}/").json()
    assert shown["status"] == "failed"
    assert "no sign of life for 90 seconds" in shown["error"]


def test_the_periodic_job_records_lost_exports_as_failed(capsys) -> None:
    cohort = CohortFactory()
    lost = _running(cohort, beat_ago=timedelta(minutes=5))
    alive = _running(CohortFactory(), beat_ago=timedelta(seconds=10))
    never_taken = ExportJob.objects.create(
        kind="certificates", cohort=cohort, created_at=timezone.now() - timedelta(minutes=31)
    )
    waiting = ExportJob.objects.create(kind="roster", cohort=CohortFactory())

    call_command("periodic")

    assert "documents.tasks.fail_lost_exports: 2" in capsys.readouterr().out
    for job in (lost, alive, never_taken, waiting):
        job.refresh_from_db()
    assert lost.status == "failed"
    assert LOST in lost.error
    assert lost.finished_at is not None
    assert never_taken.status == "failed"
    assert "No background worker took this export up" in never_taken.error
    assert (alive.status, waiting.status) == ("running", "queued")


def test_a_new_export_starts_afresh_instead_of_handing_back_a_lost_one(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory()
    student = StudentFactory(cohort=cohort)
    lost = _running(cohort, beat_ago=timedelta(minutes=2, seconds=1))
    client = client_for(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk})

    assert response.status_code == 202
    fresh = response.json()
    assert fresh["id"] != lost.pk
    job = client.get(f"/api/v1/exports/{fresh['id']}/").json()
    assert job["status"] == "ready"
    download = client.get(job["download_url"])
    assert student.user.email in pdf_pages(b"".join(download.streaming_content))[0]
    # The lost one was recorded as failed, then replaced by the finished export.
    assert not ExportJob.objects.filter(pk=lost.pk).exists()


def test_the_worker_beats_the_heartbeat_as_it_works(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory()
    StudentFactory(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            "/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk}
        )
    job = ExportJob.objects.get(pk=response.json()["id"])

    assert job.status == "ready"
    assert job.started_at <= job.heartbeat_at <= job.finished_at
