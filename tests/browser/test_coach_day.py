"""The coach's day in a real Chromium, on a phone (390 x 844) and a desk (1280 x 800): the coach
finds a student by name in a caseload of 28, opens them, acts on the failed-exam flag by booking
the retake (the flag clears), and records a job offer with its answer date (the offer's deadline
flag appears). Every page: no sideways scroll on the phone, no console error, no serious or
critical axe-core violation, and a screenshot under the test's temporary folder."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, User
from backend.dates import short_day
from careers.models import ExamAttempt, ExamResult, JobApplication
from enrollment.models import Student, Track
from externships.defaults import install_default_requirements
from tests.browser.test_accessibility import violations
from tests.conftest import with_role
from tests.factories import (
    CohortFactory,
    ComplianceDocumentFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    ProgramFactory,
    StudentFactory,
    exam_ready_student,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return request.param


def _is_error(message: object) -> bool:
    # The site has no icon yet: Chromium's own request for /favicon.ico is not the page's error.
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


@pytest.fixture
def screen(browser: object, size: str):
    """A page of the given size, with every console error and page error collected. axe-core is
    injected as a script, which the site's policy forbids: this context bypasses it (the pages'
    policy is checked by `test_the_coach_pages_work_under_the_content_security_policy`)."""
    context = browser.new_context(bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda m: _is_error(m) and page.errors.append(m.text))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def caseload() -> tuple[User, Student]:
    """`coach` has Jordan Reyes, exam-ready, who failed the exam a week ago, and 27 others
    (one with a TB test expiring, so a named document flag shows on the first page)."""
    coach = with_role(Role.COACH, email="coach@school.test")
    jordan = exam_ready_student(coach=coach, user__first_name="Jordan", user__last_name="Reyes")
    ExamAttemptFactory(student=jordan, result=ExamResult.FAILED, scaled_score=341)
    assistants = CohortFactory(
        name="Spring evening",
        program=ProgramFactory(
            slug="medical-assistant",
            name="Medical Assistant",
            track=Track.MEDICAL_ASSISTANT,
            credential="NHA CCMA",
        ),
    )
    edition = install_default_requirements(assistants.program)
    others = [
        StudentFactory(coach=coach, cohort=assistants, requirement_set=edition) for _ in range(27)
    ]
    placed = ExternshipFactory(student=others[1])
    for day in range(1, 9):  # 64 of the 160 hours
        HourLogFactory(externship=placed, date=timezone.localdate() - timedelta(days=day))
    ComplianceDocumentFactory(
        student=others[0], kind="tb_test", expires_on=timezone.localdate() + timedelta(days=5)
    )
    return coach, jordan


def look(page, tmp_path: Path, name: str, size: str) -> None:
    """The checks every page of the day passes, and its screenshot."""
    page.screenshot(path=tmp_path / f"{name}-{size}.png", full_page=True)
    if size == "phone":
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= page.evaluate("window.innerWidth"), f"{name}: {wide}px wide"
    assert violations(page) == [], name
    assert page.errors == [], name


def test_a_coach_finds_a_student_books_the_retake_and_records_an_offer(
    live_server, screen, caseload, size, tmp_path
) -> None:
    coach, jordan = caseload
    page = screen
    page.goto(f"{live_server.url}/login/?next=/coach/")
    page.get_by_label("Email").fill(coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "28 students, 1 to 25 shown" in page.inner_text("main")
    look(page, tmp_path, "caseload", size)

    page.get_by_label("Name").fill("reyes")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rows = page.locator("table.caseload tbody tr")
    expect(rows).to_have_count(1)
    assert "Failed exam, no retake scheduled" in rows.first.inner_text()
    look(page, tmp_path, "caseload-search", size)

    page.get_by_role("link", name="Jordan Reyes").click()
    page.wait_for_load_state()
    attention = page.locator("section[aria-labelledby=attention-title]")
    expect(attention).to_contain_text("Failed the exam; no retake is booked.")
    look(page, tmp_path, "student", size)
    attention.get_by_role("link", name="Book the retake").click()
    retake_on = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Exam date").fill(retake_on.isoformat())
    page.get_by_role("button", name="Book the retake").click()
    page.wait_for_load_state()

    notice = page.locator("#exam .notice")
    expect(notice).to_contain_text(f"Retake booked: attempt 2 on {retake_on:%A, %B %-d, %Y}.")
    expect(notice).to_be_in_viewport()
    expect(page.get_by_text("Failed exam, no retake scheduled")).to_have_count(0)
    look(page, tmp_path, "retake-booked", size)

    page.get_by_text("Record a job application or an offer").click()
    form = page.get_by_role("group", name="A job application")
    form.get_by_label("Employer").fill("Eastside Family Clinic")
    form.get_by_label("Role").fill("Medical assistant")
    form.get_by_label("Status").select_option("offered")
    yesterday = timezone.localdate() - timedelta(days=1)  # before the application: refused
    form.get_by_label("Offer to be answered by").fill(yesterday.isoformat())
    look(page, tmp_path, "offer-form", size)
    form.get_by_role("button", name="Record the application").click()
    page.wait_for_load_state()

    problem = page.locator("#jobs .problem")
    expect(problem).to_contain_text("An offer is answered after the application was sent.")
    expect(problem).to_be_in_viewport()
    # The refused form answers 400, which Chromium logs; nothing else may be logged.
    assert page.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.errors.clear()
    look(page, tmp_path, "offer-refused", size)
    form = page.get_by_role("group", name="A job application")
    answer_by = timezone.localdate() + timedelta(days=2)
    form.get_by_label("Offer to be answered by").fill(answer_by.isoformat())
    form.get_by_role("button", name="Record the application").click()
    page.wait_for_load_state()

    notice = page.locator("#jobs .notice")
    expect(notice).to_contain_text(
        f"Offer recorded: Medical assistant at Eastside Family Clinic, to be answered by "
        f"{answer_by:%A, %B %-d, %Y}."
    )
    expect(notice).to_be_in_viewport()
    expect(page.locator("section[aria-labelledby=attention-title]")).to_contain_text(
        f"The answer to a job offer is due on {short_day(answer_by, weekday=True)}."
    )
    look(page, tmp_path, "offer-recorded", size)

    retake = ExamAttempt.objects.get(student=jordan, attempt_number=2)
    assert (retake.result, retake.sat_on, retake.recorded_by) == ("scheduled", retake_on, coach)
    offer = JobApplication.objects.get(student=jordan)
    assert (offer.status, offer.respond_by, offer.employer.name) == (
        "offered",
        answer_by,
        "Eastside Family Clinic",
    )


def test_the_coach_pages_work_under_the_content_security_policy(
    live_server, page, caseload
) -> None:
    coach, jordan = caseload
    refused: list[str] = []
    page.on("console", lambda m: _is_error(m) and refused.append(m.text))
    page.goto(f"{live_server.url}/login/?next=/coach/")
    page.get_by_label("Email").fill(coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # The stylesheet's coaching rules applied: the caseload's filters are a grid.
    assert page.locator("form.filters").evaluate("e => getComputedStyle(e).display") == "grid"
    page.goto(f"{live_server.url}/coach/students/{jordan.pk}/")
    assert page.locator(".problem, section#exam").first.is_visible()
    assert refused == []
