"""A student's externship in a real Chromium: log an urgent shift on /me/, the supervisor approves
it from the emailed link without signing in, and the student's progress moves; errors by their
fields."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from enrollment.models import Student
from externships.models import (
    ComplianceDocument,
    DocumentKind,
    HourLog,
    LogDecision,
    LogStatus,
    Requirement,
    RequirementSet,
    Site,
)
from externships.services import externship_create, hour_log_create
from tests.conftest import with_role
from tests.factories import CohortFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def placed(student: User, supervisor: User) -> Student:
    """A phlebotomy student (160 hours required) on externship at a clinic since 30 days ago."""
    program = ProgramFactory()
    requirements = RequirementSet.objects.create(
        program=program, edition="NHA CPT 2024", source="NHA CPT candidate handbook"
    )
    Requirement.objects.create(
        requirement_set=requirements, kind="hours", label="Externship hours", params={"hours": 160}
    )
    today = timezone.localdate()
    site = Site.objects.create(
        name="Eastside Clinic",
        kind="clinic",
        address="1 Main St",
        capacity=4,
        agreement_valid_until=today + timedelta(days=365),
    )
    site.programs.add(program)
    site.supervisors.add(supervisor)
    student.first_name, student.last_name = "Alex", "Rivera"
    student.save()
    enrolled = Student.objects.create(
        user=student,
        cohort=CohortFactory(program=program),
        coach=with_role(Role.COACH, email="coach@school.test"),
        requirement_set=requirements,
    )
    for kind in DocumentKind:
        ComplianceDocument.objects.create(
            student=enrolled, kind=kind, received_on=today - timedelta(days=40)
        )
    externship_create(
        student=enrolled,
        site=site,
        supervisor=supervisor,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
    )
    return enrolled


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/?next=/me/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def newest_log(page):
    return page.get_by_role("region", name="Logs", exact=True).locator("tbody tr").first


def hours_line(page) -> str:
    return page.locator('label[for="progress-1-1"]').inner_text()


def test_a_logged_shift_approved_from_the_emailed_link_moves_the_students_progress(
    live_server, page, browser, placed: Student, supervisor: User
) -> None:
    sign_in(page, live_server.url, placed.user.email)
    assert page.url.endswith("/me/")
    assert "160 hours to go" in hours_line(page)
    assert page.locator("#progress-1-1").get_attribute("value") == "0.0"

    yesterday = timezone.localdate() - timedelta(days=1)
    hours = page.get_by_role("group", name="Hours")
    hours.get_by_label("Date").fill(yesterday.isoformat())
    hours.get_by_label("Start").fill("08:00")
    hours.get_by_label("End", exact=True).fill("16:30")
    hours.get_by_label("Break (minutes)").fill("30")
    hours.get_by_label("Activities").fill("Vitals, intake and twelve venipunctures")
    hours.get_by_label("Urgent").check()  # emailed now, not in tomorrow's summary
    page.get_by_role("button", name="Log hours").click()
    page.wait_for_load_state()

    assert "Logged" in page.locator("#log-hours .message").inner_text()
    row = newest_log(page)
    assert "Vitals, intake and twelve venipunctures" in row.inner_text()
    assert row.locator(".badge").inner_text() == "Pending"
    assert "160 hours to go" in hours_line(page)  # pending work does not count yet

    # The supervisor's email about the urgent log holds a link that works without an account.
    (email,) = mail.outbox
    assert email.to == [supervisor.email]
    path = re.search(r"https?://[^/\s]+(/review/link/\S+/)", email.body).group(1)
    supervisor_page = browser.new_context().new_page()
    supervisor_page.goto(live_server.url + path)
    assert "Alex Rivera logged this at Eastside Clinic" in supervisor_page.inner_text("main")
    supervisor_page.get_by_role("button", name="Approve").click()
    supervisor_page.wait_for_load_state()
    assert supervisor_page.get_by_role("heading", name="Decided: approved").is_visible()
    assert supervisor_page.get_by_role("button", name="Approve").count() == 0
    supervisor_page.context.close()

    decision = LogDecision.objects.get()
    assert (decision.decided_by, decision.via, decision.decision) == (
        supervisor,
        "link",
        "approved",
    )

    page.reload()
    assert "152 hours to go" in hours_line(page)
    assert "8 of 160 hours" in hours_line(page)
    assert page.locator("#progress-1-1").get_attribute("value") == "8.0"
    row = newest_log(page)
    assert row.locator(".badge").inner_text() == "Approved"


def test_an_overlapping_shift_is_refused_with_the_error_announced_by_the_start_time(
    live_server, page, placed: Student
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    hour_log_create(
        student=placed,
        externship=placed.externships.get(),
        date=yesterday,
        start_time=time(8),
        end_time=time(16),
        activities="Morning shift",
    )
    sign_in(page, live_server.url, placed.user.email)

    page.locator("#id_hours_date").fill(yesterday.isoformat())
    page.locator("#id_hours_start_time").fill("15:00")
    page.locator("#id_hours_end_time").fill("19:00")
    page.locator("#id_hours_activities").fill("Evening shift")
    page.get_by_role("button", name="Log hours").click()
    page.wait_for_load_state()

    field = page.locator("#id_hours_start_time")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_hours_start_time_error" in field.get_attribute("aria-describedby").split()
    error = page.locator("#id_hours_start_time_error")
    assert error.inner_text().strip() == "This overlaps a shift you already logged that day."
    label_box = page.locator('label[for="id_hours_start_time"]').bounding_box()
    error_box, field_box = error.bounding_box(), field.bounding_box()
    assert label_box["y"] + label_box["height"] <= error_box["y"] + 1
    assert error_box["y"] + error_box["height"] <= field_box["y"] + 1
    assert page.locator("#id_hours_end_time").input_value() == "19:00"  # what was typed stays
    assert HourLog.objects.filter(status=LogStatus.PENDING).count() == 1
