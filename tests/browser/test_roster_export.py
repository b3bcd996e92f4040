"""A large roster export in a real Chromium: an admin picks the roster action for a cohort over
PDF_SYNC_MAX_STUDENTS, lands on the progress page, a background worker (django-tasks' database
worker, as `make worker` runs it) renders the PDF, the bar reaches 100% and the download is a
valid PDF with every student."""

import io
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.factories import CohortFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's


def _worker() -> threading.Thread:
    """One run of the database worker in a thread: it takes the export task and exits."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    return threading.Thread(target=worker.run, daemon=True)


def test_an_admin_watches_a_large_roster_export_reach_100_percent_and_downloads_it(
    live_server, page, admin_user, settings, tmp_path
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_SYNC_MAX_STUDENTS = 10
    cohort = CohortFactory(name="Autumn Large")
    students = StudentFactory.create_batch(150, cohort=cohort)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/enrollment/cohort/")
    page.locator("#id_username").fill(admin_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.locator(f'input[name="_selected_action"][value="{cohort.pk}"]').check()
    page.locator('select[name="action"]').select_option("export_roster")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()

    bar = page.locator("#export-progress")
    assert bar.get_attribute("value") == "0"  # queued: no worker has taken it yet
    assert not page.locator("#export-download").is_visible()
    seen = page.evaluate(
        """() => { window.seen = []; const bar = document.getElementById("export-progress");
        new MutationObserver(() => window.seen.push(bar.value))
          .observe(bar, {attributes: true, childList: true}); return window.seen; }"""
    )
    worker = _worker()
    worker.start()
    page.locator("#export-download").wait_for(state="visible", timeout=60_000)
    worker.join(timeout=30)
    seen = page.evaluate("() => window.seen")
    assert page.locator("#export-percent").inner_text() == "100%"
    assert seen[-1] == 100
    assert seen == sorted(seen), seen  # it only ever moves forward
    assert bar.evaluate("bar => bar.value") == 100

    with page.expect_download() as download:
        page.locator("#export-download").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Roster · Phlebotomy · Autumn Large" in text
    assert all(student.user.email in text for student in students)
