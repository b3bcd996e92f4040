"""The clinical logs' day in a real Chromium, on a phone (390 x 844) and a desk (1280 x 800):
a supervisor approves 30 logs of 3 students, grouped by student, with "select all", in at most
3 actions, and sees each student's running total move; a student logs an overnight shift and a
competency chosen from their checklist. Each step: a screenshot under the test's folder, no
sideways scroll on the phone, no console error, and no serious or critical axe violation.

The pages run under the site's Content Security Policy; axe is evaluated through the browser's
debugging protocol, which the policy does not govern, so nothing of the page is relaxed."""

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role, User
from enrollment.models import Student
from externships.models import HourLog, LogStatus, ProcedureLog, Requirement, RequirementSet
from externships.services import hour_log_create, procedure_log_create
from tests.browser.test_accessibility import AXE, BLOCKING
from tests.conftest import with_role
from tests.externships.test_pages import placed_student, site_for
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's
SIZES = {"phone": (390, 844), "desk": (1280, 800)}
CHECKLIST = ["Vital signs", "Injections", "Specimen collection", "EHR entry"]


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def page(browser: object, size: str):
    """A page of the given size whose console errors and uncaught exceptions are kept."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda m: console_error(page, m))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def console_error(page, message) -> None:
    # Chromium's own look for /favicon.ico is not the page's doing (the site has no icon yet).
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        page.errors.append(f"{message.text} at {message.location['url']}")


def looked_at(page, size: str, folder: Path, name: str) -> None:
    """The checks every step ends with: a full-page screenshot, no sideways scroll on a phone,
    no console error, and axe."""
    page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
    if size == "phone":
        scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= width, f"{name}: {scroll}px wide in a {width}px window"
    assert page.errors == []
    assert axe_violations(page) == [], name


def axe_violations(page) -> list[str]:
    """The serious and critical axe violations (as tests/browser/test_accessibility.py's
    `violations`, with axe evaluated rather than added as a script tag the policy refuses)."""
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        where: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['where']}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def sign_in(page, base_url: str, user: User, then: str) -> None:
    page.goto(f"{base_url}/login/?next={then}")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def clinic(supervisor: User) -> list[Student]:
    """Three Medical Assistant students at one clinic (160 hours and a checklist), each with
    nine day shifts and one competency waiting for the supervisor: 30 logs."""
    program = ProgramFactory()
    edition = RequirementSet.objects.create(
        program=program, edition="CAAHEP 2022", source="CAAHEP III.C.3"
    )
    Requirement.objects.create(
        requirement_set=edition, kind="hours", label="Externship hours", params={"hours": 160}
    )
    Requirement.objects.create(
        requirement_set=edition,
        kind="competencies",
        label="Competency checklist",
        params={"items": CHECKLIST},
        position=1,
    )
    site = site_for(program, "Eastside Clinic", supervisor)
    coach = with_role(Role.COACH, email="coach@school.test")
    students = []
    for first, last in [("Avery", "Lee"), ("Blake", "Ng"), ("Casey", "Diaz")]:
        user = with_role(
            Role.STUDENT, email=f"{first.lower()}@school.test", first_name=first, last_name=last
        )
        student = placed_student(user, program, site, supervisor, coach)
        externship = student.externships.get()
        for day in range(1, 10):
            hour_log_create(
                student=student,
                externship=externship,
                date=timezone.localdate() - timedelta(days=day),
                start_time=time(8),
                end_time=time(16),
                activities="Rooming patients, vital signs and charting",
            )
        procedure_log_create(
            student=student,
            externship=externship,
            date=timezone.localdate() - timedelta(days=1),
            kind="competency",
            competency="Vital signs",
        )
        students.append(student)
    return students


def test_a_supervisor_approves_30_logs_of_3_students_with_select_all_in_2_actions(
    live_server, page, size, tmp_path, clinic, supervisor
) -> None:
    sign_in(page, live_server.url, supervisor, "/review/")
    assert page.url.endswith("/review/")
    groups = page.locator("section.student-group")
    assert groups.count() == 3
    assert [groups.nth(i).locator("h2").inner_text() for i in range(3)] == [
        "Avery Lee",
        "Blake Ng",
        "Casey Diaz",
    ]
    for i in range(3):
        totals = groups.nth(i).locator(".totals").inner_text()
        assert totals == "Approved so far: 0 of 160 hours · 0 of 4 competencies"
        assert groups.nth(i).locator(".log-card").count() == 10
    looked_at(page, size, tmp_path, "review-30-waiting")

    # While scrolling through Blake's logs, his name and total stay in view.
    groups.nth(1).locator(".log-card").nth(6).scroll_into_view_if_needed()
    head = groups.nth(1).locator(".group-head").bounding_box()
    assert 0 <= head["y"] <= 1

    actions = 0
    page.get_by_label("Select all 30 logs").check()
    actions += 1
    assert page.locator('input[form="bulk"]:checked').count() == 30
    for i in range(3):
        assert groups.nth(i).locator(".select-all input").is_checked()
    approve = page.get_by_role("button", name="Approve selected (30)")
    looked_at(page, size, tmp_path, "review-all-selected")
    approve.click()
    actions += 1
    page.wait_for_load_state()

    assert actions <= 3
    assert set(HourLog.objects.values_list("status", flat=True)) == {LogStatus.APPROVED}
    assert set(ProcedureLog.objects.values_list("status", flat=True)) == {LogStatus.APPROVED}
    assert page.url.endswith(f"/review/#student-{clinic[0].pk}")  # back where the groups are
    groups = page.locator("section.student-group")
    for i, student in enumerate(clinic):
        group = groups.nth(i)
        assert group.locator(".totals").inner_text() == (
            "Approved so far: 72 of 160 hours · 1 of 4 competencies"
        )
        assert group.locator(".message").inner_text() == f"Approved 10 logs of {student}."
        assert "Nothing else waits" in group.inner_text()
    looked_at(page, size, tmp_path, "review-approved")


def test_without_script_each_students_logs_are_approved_with_one_button(
    live_server, browser, size, tmp_path, clinic, supervisor
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=False
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: console_error(page, m))
    sign_in(page, live_server.url, supervisor, "/review/")
    assert not page.get_by_label("Select all 30 logs").is_visible()

    for student in clinic:
        page.get_by_role(
            "button", name=f"Approve all 10 of {student.user.first_name}'s logs"
        ).click()
        page.wait_for_load_state()
        assert page.url.endswith(f"#student-{student.pk}")
        group = page.locator(f"#student-{student.pk}")
        assert "72 of 160 hours" in group.locator(".totals").inner_text()

    assert not HourLog.objects.exclude(status=LogStatus.APPROVED).exists()
    page.screenshot(path=str(tmp_path / f"review-no-script-{size}.png"), full_page=True)
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.errors == []
    context.close()


@pytest.fixture
def assistant(student: User, supervisor: User) -> Student:
    """A Medical Assistant student on externship at a clinic, nothing logged yet."""
    program = ProgramFactory()
    edition = RequirementSet.objects.create(
        program=program, edition="CAAHEP 2022", source="CAAHEP III.C.3"
    )
    Requirement.objects.create(
        requirement_set=edition, kind="hours", label="Externship hours", params={"hours": 160}
    )
    Requirement.objects.create(
        requirement_set=edition,
        kind="competencies",
        label="Competency checklist",
        params={"items": CHECKLIST},
        position=1,
    )
    student.first_name, student.last_name = "Alex", "Rivera"
    student.save()
    coach = with_role(Role.COACH, email="coach@school.test")
    return placed_student(
        student, program, site_for(program, "Eastside Clinic", supervisor), supervisor, coach
    )


def test_a_student_logs_a_night_shift_and_a_competency_from_the_checklist(
    live_server, page, size, tmp_path, assistant
) -> None:
    sign_in(page, live_server.url, assistant.user, "/me/")
    assert "4 competencies to go: Vital signs, Injections, Specimen collection, EHR entry" in (
        page.locator("main").inner_text()
    )
    looked_at(page, size, tmp_path, "me")

    night = timezone.localdate() - timedelta(days=2)
    hours = page.get_by_role("group", name="Hours")
    hours.get_by_label("Date").fill(night.isoformat())
    hours.get_by_label("Start").fill("22:00")
    hours.get_by_label("End", exact=True).fill("06:00")
    hours.get_by_label("Ends the next day").check()
    hours.get_by_label("Break (minutes)").fill("0")
    hours.get_by_label("Activities").fill("Night shift at urgent care")
    page.get_by_role("button", name="Log hours").click()
    page.wait_for_load_state()

    assert page.url.endswith("/me/#log-hours")
    message = page.locator("#log-hours .message")
    assert "10:00 p.m. to 6:00 a.m. (next day), 8 hours" in message.inner_text()
    assert message.is_visible()
    box = message.bounding_box()
    assert 0 <= box["y"] < SIZES[size][1]  # in view where the page landed
    log = HourLog.objects.get()
    assert (log.minutes, log.ends_next_day, log.status) == (480, True, LogStatus.PENDING)
    looked_at(page, size, tmp_path, "me-night-shift-logged")

    procedures = page.get_by_role("group", name="Procedures")
    kinds = procedures.get_by_label("Kind").locator("option").all_inner_texts()
    assert kinds == ["Competency"]  # what this edition counts, nothing else
    checklist = procedures.get_by_label("Competency", exact=True)
    assert checklist.locator("option").all_inner_texts() == ["Choose a competency", *CHECKLIST]
    procedures.get_by_label("Date").fill((night + timedelta(days=1)).isoformat())
    checklist.select_option("Injections")
    page.get_by_role("button", name="Log procedures").click()
    page.wait_for_load_state()

    assert page.url.endswith("/me/#log-procedures")
    message = page.locator("#log-procedures .message")
    assert "competency: Injections" in message.inner_text()
    assert 0 <= message.bounding_box()["y"] < SIZES[size][1]
    assert ProcedureLog.objects.get().competency == "Injections"
    logs = page.get_by_role("region", name="Logs", exact=True).inner_text()
    assert "10:00 p.m. to 6:00 a.m. (next day): 8 hours." in logs
    assert "Competency: Injections" in logs or "competency: Injections" in logs
    looked_at(page, size, tmp_path, "me-competency-logged")
