"""An applicant's day in a real Chromium, on a phone (390x844) and a desk (1280x800): the home
page, a program's own page with its live seats, the form with errors (the summary takes the
focus and its links move to the boxes), fixed and sent, the status page, and the seat accepted.
Every page: no sideways scroll on the phone, no console error, no serious or critical axe
violation, and a screenshot under the test's temporary folder (also copied to SCREENSHOTS=<dir>
when set)."""

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Application, Status
from enrollment.services import Actor, application_accept
from tests.browser.test_accessibility import violations
from tests.factories import ApplicationFactory, CohortFactory, ProgramFactory, applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}


def console_error(message: object) -> str | None:
    """What Chromium logged as an error, but for the form sent with errors: it answers 400 by
    design (bad input is a 4xx, with the fields' errors), and Chromium logs every 4xx page."""
    if "status of 400 (Bad Request)" in message.text and "/apply/" in message.location["url"]:
        return None
    return f"console: {message.text} {message.location}"


@pytest.fixture(params=list(SIZES))
def window(request, browser: object):
    """A page at the size; it lets the test inject axe (the site's policy forbids inline script;
    tests/browser/test_content_security_policy.py checks the pages under the policy)."""
    size = request.param
    context = browser.new_context(
        viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(console_error(m)))
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.size = size
    yield page
    context.close()


@pytest.fixture
def phlebotomy() -> tuple:
    """A program with its details, a class with 7 of 10 seats left (one enrolled, two offers
    held, one offer lapsed: free again) and a full class behind it."""
    program = ProgramFactory(
        length="4 weeks",
        schedule="Evening classes, live online, Monday to Thursday, 6 to 9 pm",
        clinical_requirement="30 successful venipunctures and 10 capillary or finger sticks "
        "on live people.",
        tuition_cents=120000,
        tuition_includes="The online evening classes\nYour first attempt at the NHA CPT exam",
        fees="Registration fee: $100\nBackground check and drug screen: $85",
        payment_options="Pay in full\nA monthly payment plan with no interest",
        requirements_to_apply="18 or older when your class starts\nA high-school diploma or GED",
    )
    spring = CohortFactory(program=program, name="Spring evening", capacity=10)
    enrolled, _ = application_submit(cohort=spring, **applicant(1))
    application_accept(application=enrolled, actor=Actor.of(None))
    for n in (2, 3):
        application_submit(cohort=spring, **applicant(n))
    ApplicationFactory(
        cohort=spring,
        email="lapsed@example.com",
        status=Status.OFFERED,
        offered_at=timezone.now() - timedelta(hours=49),
        offer_expires_at=timezone.now() - timedelta(hours=1),
    )
    summer = CohortFactory(
        program=program,
        name="Summer evening",
        capacity=1,
        starts_on=timezone.localdate() + timedelta(days=120),
    )
    application_submit(cohort=summer, **applicant(4))
    return spring, summer


def look(page, tmp_path, name: str) -> None:
    """The checks every page passes, and its screenshot."""
    page.wait_for_load_state()
    if page.size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{name}: {width}px wide"
    assert violations(page) == [], name
    path = tmp_path / f"{name}-{page.size}.png"
    page.screenshot(path=str(path), full_page=True)
    if shots := os.environ.get("SCREENSHOTS"):
        os.makedirs(shots, exist_ok=True)
        shutil.copy(path, shots)


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def in_view(page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def test_an_applicant_reads_a_program_applies_fixes_their_errors_and_accepts_a_seat(
    live_server, window, phlebotomy, tmp_path
) -> None:
    page = window
    spring, summer = phlebotomy

    page.goto(live_server.url + "/")
    look(page, tmp_path, "1-home")
    page.get_by_role("link", name="Phlebotomy", exact=True).click()

    page.wait_for_url("**/programs/phlebotomy/")
    assert page.get_by_role("heading", level=1).inner_text() == "Phlebotomy"
    main = page.locator("main").inner_text()
    for words in ["4 weeks", "Monday to Thursday, 6 to 9 pm", "NHA CPT", "$1,200"]:
        assert words in main
    assert "Registration fee: $100" in page.locator("ul.fees").inner_text()
    assert "7 seats left" in page.locator(f'[data-cohort="{spring.pk}"]').inner_text()
    assert "Full: join the waitlist" in page.locator(f'[data-cohort="{summer.pk}"]').inner_text()
    look(page, tmp_path, "2-program")
    page.get_by_role("link", name="Apply for Spring evening").click()

    page.wait_for_url(f"**/apply/phlebotomy/?cohort={spring.pk}")
    assert page.locator("#id_cohort").input_value() == str(spring.pk)
    look(page, tmp_path, "3-form")
    page.locator("#id_first_name").fill("Robin")
    page.locator("#id_email").fill("robin.okafor@")
    page.locator("#id_phone").fill("(202) 555-0142")
    page.locator("#id_date_of_birth_day").fill("14")
    page.locator("#id_date_of_birth_year").fill("1999")
    page.locator("#id_education").select_option("hs_diploma")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.locator("h2").inner_text() == "There is a problem"
    assert focused(page) == "error-summary"
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "Enter your last name.",
        "Enter an email address in the right format, like name@example.com.",
        "The date of birth must include a month.",
    ]
    look(page, tmp_path, "4-form-errors")
    for link, box in [
        ("The date of birth must include a month.", "id_date_of_birth_month"),
        ("Enter your last name.", "id_last_name"),
        ("Enter an email address in the right format, like name@example.com.", "id_email"),
    ]:
        summary.get_by_role("link", name=link).click()
        assert focused(page) == box
        assert in_view(page, f"#{box}")
        page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("ControlOrMeta+a")  # the cursor is in the email box
    page.keyboard.type("robin.okafor@example.com")
    page.locator("#id_last_name").fill("Okafor")
    page.locator("#id_date_of_birth_month").fill("3")
    assert page.locator("#id_email").input_value() == "robin.okafor@example.com"
    assert page.locator("#id_first_name").input_value() == "Robin"  # kept from the first try
    page.get_by_role("button", name="Submit application").click()

    page.wait_for_url("**/status/**")
    application = Application.objects.get(email="robin.okafor@example.com")
    assert page.url.endswith(f"/status/{application.status_token}/")
    assert page.locator("span.status").inner_text() == "Offered"
    assert "Spring evening, starting" in page.locator("main").inner_text()
    look(page, tmp_path, "5-status-offered")
    page.get_by_role("button", name="Accept my seat").click()
    page.wait_for_load_state()

    assert page.locator("span.status").inner_text() == "Enrolled"
    assert "You accepted your seat" in page.locator(".messages").inner_text()
    look(page, tmp_path, "6-status-enrolled")
    application.refresh_from_db()
    assert application.status == Status.ENROLLED
    problems = [problem for problem in page.problems if problem]
    assert problems == [], "\n".join(problems)


def test_without_javascript_the_summary_still_takes_the_focus_and_its_links_lead_to_the_boxes(
    live_server, browser
) -> None:
    CohortFactory()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/apply/phlebotomy/")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()

    assert focused(page) == "error-summary"  # autofocus, no script
    page.locator("#error-summary").get_by_role("link", name="Enter your last name.").click()
    assert focused(page) == "id_last_name"
    context.close()
