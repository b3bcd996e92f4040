"""An admin's day in a real Chromium, on a phone (390 x 844) and a desk (1280 x 800): sign in,
read the outcome report, choose another reporting year, open the students behind a figure with
their placements, then export a cohort's roster in the admin and download the PDF, from the
progress page and from the export's own page.

Each step keeps a screenshot under the test's tmp_path, and on a phone no page scrolls sideways,
the Django admin's included (its cohort list scrolls its own table inside the page). axe-core
finds no serious or critical violation on the report pages (the admin's pages are Django's). No
page logs a console error or throws, under the site's Content Security Policy (not bypassed here:
axe runs through the DevTools protocol, which the policy does not govern)."""

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from careers.models import Employer, JobPlacement
from enrollment.models import EnrollmentPeriod, PeriodEnd
from tests.browser.test_accessibility import AXE, BLOCKING
from tests.browser.test_roster_export import _worker
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's
SIZES = {"phone": (390, 844), "desk": (1280, 800)}


@pytest.fixture
def school() -> dict:
    """Two reporting years of a Medical Assistant program: 2023 (a withdrawal) and 2024 (Gale,
    graduated and placed in the field); and a cohort of three students for the roster."""
    program = ProgramFactory(slug="medical-assistant", name="Medical Assistant")
    spring = CohortFactory(program=program, name="March 2024", starts_on=date(2024, 3, 1))
    autumn = CohortFactory(program=program, name="September 2023", starts_on=date(2023, 9, 1))
    gale = StudentFactory(cohort=spring, user__first_name="Gale", user__last_name="Graduate")
    EnrollmentPeriod.objects.create(
        student=gale,
        cohort=spring,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 10, 1),
        end_reason=PeriodEnd.GRADUATED,
    )
    JobPlacement.objects.create(
        student=gale,
        employer=Employer.objects.create(name="Riverside Family Clinic"),
        title="Clinical Medical Assistant",
        classification="in_field",
        employment="full_time",
        hourly_wage_cents=2050,
        start_date=date(2024, 11, 4),
        verification_method="employer",
        evidence_note="HR confirmed by phone.",
    )
    EnrollmentPeriod.objects.create(
        student=StudentFactory(cohort=autumn),
        cohort=autumn,
        started_on=date(2023, 9, 1),
        ended_on=date(2023, 11, 1),
        end_reason=PeriodEnd.WITHDRAWN,
    )
    roster = CohortFactory(program=program, name="Roster Cohort")
    students = StudentFactory.create_batch(3, cohort=roster)
    return {"gale": gale, "roster": roster, "students": students}


def watch(page) -> list[str]:
    """Collects console errors, uncaught exceptions and failed answers. Chromium asks for
    /favicon.ico by itself and the site has none yet (base.html, not these pages): that one 404
    is left out, and every other failed resource is named by its address."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and errors.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and errors.append(f"{r.status} {r.url}")
        ),
    )
    return errors


def violations(page) -> list[str]:
    """Serious and critical axe-core violations (the accessibility test's rule), with axe loaded
    through the DevTools protocol so that the page's policy stays on."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact,
                        where: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return [
        f"{v['impact']}: {v['id']} at {v['where'][:5]}" for v in found if v["impact"] in BLOCKING
    ]


def sideways(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: not at all)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_an_admin_reads_the_outcomes_and_downloads_a_roster_export(
    live_server, browser, admin_user, school, settings, tmp_path, size
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PDF_SYNC_MAX_STUDENTS = 2  # the roster cohort's 3 students go to the background
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch(page)

    def admin_page(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{size}-{name}.png"), full_page=True)
        if size == "phone":
            assert sideways(page) <= 0, name

    def report_page(name: str) -> None:
        admin_page(name)
        assert violations(page) == [], name

    # Sign in, straight to the report.
    page.goto(f"{live_server.url}/login/?next=/reports/outcomes/")
    page.locator("#id_username").fill(admin_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Outcome reports: July 1, 2024 to June 30, 2025"  # the newest
    year = page.get_by_label("Reporting year")
    assert year.locator("option").all_inner_texts() == ["2024-25", "2023-24"]
    bars = page.locator("figure.chart").first.locator("li")
    assert bars.first.locator(".bar-label").inner_text() == "Medical Assistant · March 2024"
    assert bars.first.locator(".bar-value").inner_text() == "100% (1 of 1)"
    report_page("report-2024")

    # Another year.
    year.select_option(label="2023-24")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert heading.inner_text() == "Outcome reports: July 1, 2023 to June 30, 2024"
    assert "year=2023" in page.url
    retention = page.locator("figure.chart").first
    assert "September 2023" in retention.inner_text()
    assert "below benchmark" in retention.inner_text()
    report_page("report-2023")

    # Back to 2024, and the students behind the placement rate.
    page.get_by_label("Reporting year").select_option(label="2024-25")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    page.locator("#rates tr.level-cohort").first.get_by_title("Placement numerator").click()
    page.wait_for_load_state()
    assert heading.inner_text() == "Placement numerator: F + R"
    row = page.locator("#students tbody tr").first
    assert "Clinical Medical Assistant at Riverside Family Clinic" in row.inner_text()
    assert "In field · started November 4, 2024" in row.inner_text()
    report_page("drill-down")
    row.get_by_role("link", name="Gale Graduate").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/coach/students/{school['gale'].pk}/")
    assert "Gale Graduate" in page.get_by_role("heading", level=1).inner_text()

    # The roster export, in the admin: the action, the progress page, the worker, the file.
    roster = school["roster"]
    page.goto(f"{live_server.url}/admin/enrollment/cohort/")
    admin_page("cohorts")
    page.locator(f'input[name="_selected_action"][value="{roster.pk}"]').check()
    page.locator('select[name="action"]').select_option("export_roster")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "/progress/" in page.url
    worker = _worker()
    worker.start()
    download_link = page.locator("#export-download")
    download_link.wait_for(state="visible", timeout=60_000)
    worker.join(timeout=30)
    admin_page("export-progress")
    with page.expect_download() as download:
        download_link.click()
    assert_roster(Path(download.value.path()), school)

    # The export's own page in the admin links the same file (it used to link a 404).
    page.goto(f"{live_server.url}/admin/documents/exportjob/")
    page.get_by_role("link", name=str(roster)).first.click()
    page.wait_for_load_state()
    admin_page("export-job")
    with page.expect_download() as again:
        page.get_by_role("link", name=f"Download roster-{roster.pk}.pdf").click()
    assert_roster(Path(again.value.path()), school)

    assert errors == []
    context.close()


def assert_roster(path: Path, school: dict) -> None:
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Roster · Medical Assistant · Roster Cohort" in text
    assert all(student.user.email in text for student in school["students"])
