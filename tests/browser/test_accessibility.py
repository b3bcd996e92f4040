"""axe-core on the applicant's pages in a real Chromium: no serious or critical violation on the
home page, the application form (also showing its errors), the status page, the pages that ask
once more before a decline or a withdrawal, and sign-in."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.services import Actor, application_accept
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# axe-core 4.14.1 from the npm tarball (MPL-2.0; see vendor/axe-core/README.md).
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def page(browser: object):
    """A page whose context lets the test inject axe: the site's policy forbids inline script."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def violations(page) -> list[str]:
    """The serious and critical axe violations on the page, each with where it is."""
    page.add_script_tag(path=str(AXE))
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


@pytest.fixture
def cohorts() -> object:
    """A program with two cohorts: one with seats, one full with a waitlist."""
    program = ProgramFactory()
    CohortFactory(program=program, name="Spring evening", capacity=10)
    full = CohortFactory(
        program=program,
        name="Summer day",
        capacity=1,
        starts_on=timezone.localdate() + timedelta(days=90),
    )
    application_submit(cohort=full, **applicant(1))
    return full


def test_the_home_page_has_no_serious_violation(live_server, page, cohorts) -> None:
    page.goto(live_server.url + "/")
    assert violations(page) == []


def test_the_application_form_has_no_serious_violation(live_server, page, cohorts) -> None:
    page.goto(live_server.url + "/apply/phlebotomy/")
    assert violations(page) == []


def test_the_form_showing_its_errors_has_no_serious_violation(live_server, page, cohorts) -> None:
    page.goto(live_server.url + "/apply/phlebotomy/")
    page.locator("#id_first_name").fill("Robin")
    page.locator("#id_date_of_birth_day").fill("27")  # no month or year: an error
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()

    assert page.locator(".errorlist").count() >= 2
    assert violations(page) == []


@pytest.mark.parametrize("status", ["offered", "waitlisted", "withdrawn"])
def test_the_status_page_has_no_serious_violation(live_server, page, cohorts, status) -> None:
    application, _ = application_submit(cohort=cohorts, **applicant(2))  # the waitlist
    if status == "offered":
        application, _ = application_submit(
            cohort=CohortFactory(program=cohorts.program, capacity=5), **applicant(3)
        )
    page.goto(f"{live_server.url}/status/{application.status_token}/")
    if status == "withdrawn":
        page.get_by_role("link", name="Leave the waitlist").click()
        page.wait_for_url("**/withdraw/")
        page.get_by_role("button", name="Yes, leave the waitlist").click()
        page.wait_for_load_state()

    assert page.locator("span.status").get_attribute("data-status") == status
    assert violations(page) == []


@pytest.mark.parametrize(
    ("status", "question"),
    [
        ("offered", "Decline your offer?"),
        ("waitlisted", "Leave the waitlist?"),
        ("enrolled", "Withdraw from the program?"),
    ],
)
def test_the_pages_that_ask_once_more_have_no_serious_violation(
    live_server, page, cohorts, status, question
) -> None:
    application, _ = application_submit(cohort=cohorts, **applicant(2))  # the waitlist
    if status != "waitlisted":
        application, _ = application_submit(
            cohort=CohortFactory(program=cohorts.program, capacity=5), **applicant(3)
        )
    if status == "enrolled":
        application_accept(application=application, actor=Actor.of(None))
    verb = "decline" if status == "offered" else "withdraw"
    page.goto(f"{live_server.url}/status/{application.status_token}/{verb}/")

    assert page.get_by_role("heading", level=1).inner_text() == question
    assert violations(page) == []


def test_the_sign_in_page_with_its_errors_has_no_serious_violation(live_server, page) -> None:
    page.goto(live_server.url + "/login/")
    assert violations(page) == []
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.locator(".errorlist").count() >= 1
    assert violations(page) == []
