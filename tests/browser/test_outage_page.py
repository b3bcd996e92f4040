"""The "try again in a moment" page that a database outage shows, in a real Chromium on a phone
and a desk: the school's header and footer, no sideways scroll, no console error under the site's
Content Security Policy, and no serious or critical axe-core violation. A screenshot of each is
kept under the test's tmp_path."""

import pytest

from tests.browser.test_admin_day import SIZES, sideways, violations
from tests.outages import database_down

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_try_again_page_reads_well_while_the_database_is_down(
    live_server, browser, tmp_path, size
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    home = live_server.url + "/"
    errors: list[str] = []
    # Chromium reports every failed answer as a console error too: they are listed by address
    # below, where the page's own 503 (and the favicon the site has none of) is left out.
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
            and r.url not in (home, live_server.url + "/favicon.ico")
            and errors.append(f"{r.status} {r.url}")
        ),
    )
    try:
        with database_down():
            answer = page.goto(home)
            assert answer.status == 503
            page.screenshot(path=str(tmp_path / f"{size}-try-again.png"), full_page=True)
            assert page.get_by_role("heading", level=1).inner_text() == "Try again in a moment"
            assert page.title() == "Try again in a moment · Pathway Career Institute"
            # The site's stylesheet applied under the policy: the header is a row.
            assert page.locator("header").evaluate("h => getComputedStyle(h).display") == "flex"
            if size == "phone":
                assert sideways(page) <= 0
            assert violations(page) == []
    finally:
        context.close()
    assert errors == []
