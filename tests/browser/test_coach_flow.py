"""The coach's day in a real Chromium: the flagged student comes first, the coach opens them,
adds a note and schedules a session, and both show on the student's record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from coaching.models import CoachingSession, CoachNote
from enrollment.models import Student
from tests.conftest import with_role
from tests.factories import ComplianceDocumentFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def caseload() -> tuple[User, Student, Student]:
    """`coach` has Avery (contacted today, nothing due) and Blair (a TB test expiring in 5 days,
    never contacted in the 20 days since enrolling), Avery first by name."""
    coach = with_role(Role.COACH, email="coach@school.test")
    now = timezone.now()
    avery = StudentFactory(
        coach=coach, user__first_name="Avery", user__last_name="Adams", enrolled_at=now
    )
    blair = StudentFactory(
        coach=coach,
        user__first_name="Blair",
        user__last_name="Brooks",
        enrolled_at=now - timedelta(days=20),
    )
    ComplianceDocumentFactory(
        student=blair, kind="tb_test", expires_on=timezone.localdate() + timedelta(days=5)
    )
    return coach, avery, blair


def test_a_coach_sees_the_flagged_student_first_adds_a_note_and_schedules_a_session(
    live_server, page, caseload
) -> None:
    coach, _avery, blair = caseload
    page.goto(f"{live_server.url}/login/?next=/coach/")
    page.locator("#id_username").fill(coach.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    rows = page.locator("tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert "Blair Brooks" in first
    assert "No contact for 14 days" in first
    assert "Document expiring within 30 days" in first
    assert "Nothing flagged" in rows.nth(1).inner_text()

    page.get_by_role("link", name="Blair Brooks").click()
    page.wait_for_load_state()
    page.get_by_label("Note (staff only)").fill("Called about the TB test; renewing Friday.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()
    assert "Note added." in page.locator(".messages").inner_text()
    assert "renewing Friday" in page.locator(".timeline").inner_text()

    when = (timezone.localtime() + timedelta(days=2)).replace(hour=10, minute=0)
    page.get_by_label("Kind").select_option("resume_review")
    page.get_by_label("Starts at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_load_state()
    assert "Session booked" in page.locator(".messages").inner_text()
    assert "Resume review (scheduled)" in page.inner_text("main")

    session = CoachingSession.objects.get(student=blair)
    assert (session.coach, timezone.localtime(session.starts_at).hour) == (coach, 10)
    assert CoachNote.objects.get(student=blair).author == coach

    # A note is contact: Blair is no longer flagged for it.
    page.goto(f"{live_server.url}/coach/")
    assert "No contact for 14 days" not in page.locator("tbody tr").nth(0).inner_text()
