"""The pages work under the Content Security Policy: Chromium refuses nothing on them, and the
site's stylesheet applies."""

import pytest

from enrollment.applying import application_submit
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # UserFactory's


def refusals(page) -> list[str]:
    """Collects what Chromium refuses under the policy, as it logs it."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    return refused


def test_it_refuses_nothing_on_the_public_pages(live_server, page) -> None:
    cohort = CohortFactory(program=ProgramFactory(), capacity=5)
    application, _ = application_submit(cohort=cohort, **applicant(1))
    refused = refusals(page)

    pages = [
        "/",
        "/programs/phlebotomy/",
        "/apply/phlebotomy/",
        f"/status/{application.status_token}/",
    ]
    for path in [*pages, "/login/"]:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The site's stylesheet applied: the header is a flex row.
        assert page.locator("header").evaluate("e => getComputedStyle(e).display") == "flex"
    page.get_by_role("button", name="Sign in").click()  # an empty login form shows its errors
    page.wait_for_load_state()
    page.goto(live_server.url + "/apply/phlebotomy/")
    page.get_by_role("button", name="Submit application").click()  # the form's errors
    page.wait_for_load_state()

    # The error summary's script, a file, ran: a link puts the cursor in its box.
    page.locator("#error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_first_name"
    assert refused == []


def test_it_refuses_nothing_in_the_admin_and_the_api_docs(live_server, page, admin_user) -> None:
    refused = refusals(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(admin_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/enrollment/application/")
    assert page.locator("#changelist").is_visible()
    application, _ = application_submit(cohort=CohortFactory(), **applicant(1))
    page.goto(f"{live_server.url}/admin/enrollment/application/{application.pk}/history/")
    assert page.locator("#change-history").is_visible()

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info").wait_for()  # the docs are drawn by script from /static/

    assert refused == []


def test_it_refuses_nothing_in_the_browsable_api(live_server, page, admin_user) -> None:
    """DRF's own pages, as a signed-in admin sees them: a list with its Filters button, an
    object with its Extra Actions menu, each placed by the one style attribute the policy allows
    by its hash."""
    cohort = CohortFactory()
    refused = refusals(page)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/api/v1/cohorts/")
    assert page.locator(".response-info").is_visible()
    # DRF's stylesheets applied (Bootstrap's dark bar), and so did its style attribute.
    navbar = page.locator(".navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar != "rgba(0, 0, 0, 0)"
    filters = page.locator("button[data-target='#filtersModal']")
    assert filters.evaluate("e => getComputedStyle(e).cssFloat") == "right"
    page.goto(f"{live_server.url}/api/v1/cohorts/{cohort.pk}/")
    extra_actions = page.locator("div.dropdown:has(#extra-actions-menu)")
    assert extra_actions.evaluate("e => getComputedStyle(e).cssFloat") == "right"
    assert refused == []
