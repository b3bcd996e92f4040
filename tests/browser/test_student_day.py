"""A student's day in a real Chromium, on a phone (390 x 844) and a desk (1280 x 800): sign in,
see the home, log a shift, book a coaching session from the coach's free times (its calendar
file opens), move it, look at cancelling, and read an exam result. The coach's free-times page
on both sizes too.

On every page: no sideways scroll on the phone, nothing in the console (the Content Security
Policy refuses nothing either), and axe-core finds no serious or critical violation. A
screenshot of each page is kept under the test's temporary folder."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role, User
from coaching.booking import slots_add
from coaching.models import CoachingSession, OpenSlot
from enrollment.models import Student
from externships.models import HourLog
from tests.conftest import with_role
from tests.factories import (
    ApplicationFactory,
    ComplianceDocumentFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    RequirementFactory,
    StudentFactory,
    complete_documents,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}


class Visit:
    """One browser context at one size that watches the console and checks each page."""

    def __init__(self, browser: object, size: str, folder: Path) -> None:
        self.size, self.folder = size, folder
        phone = size == "phone"
        self.context = browser.new_context(viewport=SIZES[size], is_mobile=phone, has_touch=phone)
        # axe comes in as an init script: the site's policy forbids inline script elements.
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}")
        )

    def check(self, name: str) -> None:
        """The page as it is now: screenshot, no sideways scroll, no console error, no
        serious or critical axe violation."""
        page = self.page
        page.screenshot(path=str(self.folder / f"{name}-{self.size}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{name}: {width}px wide"
        assert self.errors == [], f"{name}: {self.errors}"
        found = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            where: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
        )
        serious = [v for v in found if v["impact"] in BLOCKING]
        assert serious == [], f"{name}: {serious}"

    def in_view(self, selector: str) -> bool:
        box = self.page.locator(selector).first.bounding_box()
        height = SIZES[self.size]["height"]
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.fixture(params=list(SIZES))
def visit(request: pytest.FixtureRequest, browser: object, tmp_path: Path) -> Visit:
    visit = Visit(browser, request.param, tmp_path)
    yield visit
    visit.context.close()


def at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def sam(ann: User) -> Student:
    """Sam, on a phlebotomy externship: 8 of 16 hours approved, a failed first exam attempt, a
    CPR card expiring in 12 days and a job offer to answer; Ann offers four free times."""
    hours = RequirementFactory(params={"hours": 16}, label="Externship hours")
    student = StudentFactory(
        coach=ann,
        stage="externship",
        requirement_set=hours.requirement_set,
        user__email="sam@school.test",
        user__first_name="Sam",
        user__last_name="Rivera",
    )
    student.application = ApplicationFactory(cohort=student.cohort)
    student.save()
    complete_documents(student)
    student.documents.filter(kind="cpr_bls").delete()
    ComplianceDocumentFactory(
        student=student, kind="cpr_bls", expires_on=timezone.localdate() + timedelta(days=12)
    )
    HourLogFactory(externship=ExternshipFactory(student=student))
    ExamAttemptFactory(student=student, scaled_score=371)
    JobApplicationFactory(
        student=student,
        role="Phlebotomist",
        status="offered",
        respond_by=timezone.localdate() + timedelta(days=5),
    )
    slots_add(coach=ann, starts_at=at(2, 10), count=2)
    slots_add(coach=ann, starts_at=at(3, 14))
    slots_add(coach=ann, starts_at=at(6, 9, 30), duration_minutes=45)
    return student


def sign_in(visit: Visit, base_url: str, email: str, then: str) -> None:
    page = visit.page
    page.goto(f"{base_url}/login/?next={then}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_students_day(live_server, visit: Visit, sam: Student, ann: User) -> None:
    page = visit.page
    sign_in(visit, live_server.url, sam.user.email, "/me/")
    assert page.url.endswith("/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Sam"
    coming_up = page.locator("#attention").inner_text()
    assert "CPR/BLS: expires in 12 days" in coming_up
    assert "Answer the offer from" in coming_up
    assert "8 hours to go" in page.locator("#progress").inner_text()
    visit.check("home")

    # The exam result of the first attempt, and why Sam is not ready for another yet.
    exam = page.locator("#exam").inner_text()
    assert "Attempt 1" in exam
    assert "Failed, score 371." in exam
    assert "Not ready for the exam yet" in exam

    # A shift, with today's form.
    yesterday = timezone.localdate() - timedelta(days=2)
    page.locator("#id_hours_date").fill(yesterday.isoformat())
    page.locator("#id_hours_start_time").fill("08:00")
    page.locator("#id_hours_end_time").fill("12:00")
    page.locator("#id_hours_activities").fill("Venipunctures in the draw station")
    page.get_by_role("button", name="Log hours").click()
    page.wait_for_load_state()
    assert HourLog.objects.filter(externship__student=sam, status="pending").count() == 1
    assert "Logged" in page.locator("main").inner_text()

    # Book the 10:30 as a resume review.
    page.goto(f"{live_server.url}/me/#coaching")
    page.get_by_label("What about").select_option("resume_review")
    page.locator("#book label.time", has_text="10:30 a.m.").click()
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/#coaching")
    session = CoachingSession.objects.get(student=sam)
    assert (session.kind, timezone.localtime(session.starts_at).strftime("%H:%M")) == (
        "resume_review",
        "10:30",
    )
    notice = page.locator("#coaching .message")
    assert "Booked: resume review with Ann Lee" in notice.inner_text()
    assert visit.in_view("#coaching .message"), "the message is where the page landed"
    assert page.locator(f"#session-{session.pk}").is_visible()
    visit.check("booked")

    # Add to calendar: the link gives the session as an .ics file.
    href = page.locator(f"#session-{session.pk} a", has_text="Add to calendar").get_attribute(
        "href"
    )
    ics = page.request.get(live_server.url + href)
    assert ics.status == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert f"DTSTART:{session.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in ics.text()
    assert "BEGIN:VEVENT" in ics.text()
    assert "Resume review" in ics.text()

    # Move it to the Thursday 2 p.m.
    page.locator(f"#session-{session.pk} a", has_text="Move").click()
    page.wait_for_load_state()
    assert "Move your resume review" in page.get_by_role("heading", level=1).inner_text()
    visit.check("move")
    page.locator("label.time", has_text="2:00 p.m.").click()
    page.get_by_role("button", name="Move to this time").click()
    page.wait_for_load_state()
    assert "Moved: your resume review is now on" in page.locator("#coaching .message").inner_text()
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at) == at(3, 14)

    # Cancelling asks first and says what happens; Sam keeps it.
    page.locator(f"#session-{session.pk} a", has_text="Cancel").click()
    page.wait_for_load_state()
    assert "the time goes back to their free times" in page.locator("main").inner_text()
    visit.check("cancel")
    page.get_by_role("link", name="No, keep it").click()
    page.wait_for_load_state()
    assert CoachingSession.objects.get().status == "scheduled"

    # And a word to the coach.
    page.get_by_label("Your message").fill("Thank you! See you Thursday.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/#coach")
    assert "Sent to Ann Lee." in page.locator("#coach .message").inner_text()
    assert visit.in_view("#coach .message")
    visit.check("wrote")


def test_a_coach_offers_free_times(live_server, visit: Visit, ann: User, sam: Student) -> None:
    page = visit.page
    OpenSlot.objects.all().delete()
    sign_in(visit, live_server.url, ann.email, "/coach/availability/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your free times"
    visit.check("free-times-empty")

    page.get_by_label("Day").fill((timezone.localdate() + timedelta(days=4)).isoformat())
    page.get_by_label("From").fill("13:00")
    page.get_by_label("How many in a row").fill("4")
    page.get_by_role("button", name="Offer these times").click()
    page.wait_for_load_state()
    assert page.url.endswith("/coach/availability/#times")
    assert "Offered 4 free times" in page.locator("#times .message").inner_text()
    assert page.locator("#times ul.times li").count() == 4
    visit.check("free-times")
