"""The outcome report in a real Chromium: an admin signs in to the report, filters it by
program, follows a number to the students behind it, and downloads the CSV."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from careers.models import ExamAttempt
from enrollment.models import EnrollmentPeriod, PeriodEnd
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def two_programs() -> None:
    """Reporting year 2024: a Medical Assistant graduate who passed, a phlebotomy withdrawal."""
    ma = CohortFactory(
        program=ProgramFactory(slug="medical-assistant", name="Medical Assistant"),
        name="March 2024",
        starts_on=date(2024, 3, 1),
    )
    phlebotomy = CohortFactory(name="August 2024", starts_on=date(2024, 8, 1))
    graduate = StudentFactory(cohort=ma, user__first_name="Gale", user__last_name="Graduate")
    EnrollmentPeriod.objects.create(
        student=graduate,
        cohort=ma,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 10, 1),
        end_reason=PeriodEnd.GRADUATED,
    )
    ExamAttempt.objects.create(
        student=graduate,
        credential="NHA CCMA",
        attempt_number=1,
        sat_on=date(2024, 11, 1),
        result="passed",
    )
    EnrollmentPeriod.objects.create(
        student=StudentFactory(cohort=phlebotomy),
        cohort=phlebotomy,
        started_on=date(2024, 8, 1),
        ended_on=date(2024, 9, 1),
        end_reason=PeriodEnd.WITHDRAWN,
    )


def test_an_admin_filters_the_outcomes_by_program_and_downloads_the_csv(
    live_server, page, admin_user, two_programs
) -> None:
    page.goto(f"{live_server.url}/login/?next=/reports/outcomes/")
    page.locator("#id_username").fill(admin_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Outcome reports").is_visible()
    assert page.get_by_role("link", name="Outcomes").is_visible()  # in the menu for admins

    page.get_by_label("Reporting year").select_option(label="2024-25")
    page.get_by_label("Program").select_option(label="Medical Assistant")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rates = page.locator("#rates").inner_text()
    assert "March 2024" in rates
    assert "August 2024" not in rates
    assert "program=medical-assistant" in page.url

    page.get_by_title("Credential numerator").first.click()
    page.wait_for_load_state()
    assert "Gale Graduate" in page.locator("#students").inner_text()
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["level"], r["program"], r["cohort"]) for r in rows] == [
        ("cohort", "medical-assistant", "March 2024"),
        ("program", "medical-assistant", ""),
        ("overall", "", ""),
    ]
    assert rows[0]["credential_rate"] == "100"
