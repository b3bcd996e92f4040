"""The error pages (400 aside: a browser cannot send a bad Host), sign-in, "Forgot your
password?", the set-password pages and signing out, in a real Chromium on a phone and a desk:
each in the site's layout under its Content Security Policy, with no sideways scroll on the
phone, no console error and no serious or critical axe-core violation. Each keeps a screenshot
in the test's temporary folder."""

from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role
from backend.api import LoginRateThrottle
from tests.browser.test_accessibility import AXE, BLOCKING
from tests.conftest import with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "an-Old-pass-2026"
SIZES = [(390, 844), (1280, 800)]


class Visit:
    """Looks at each page as it comes: screenshot, layout, console and axe-core."""

    def __init__(self, page, folder: Path, width: int, height: int) -> None:
        self.page, self.folder, self.size = page, folder, f"{width}x{height}"
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def check(self, name: str, heading: str, status: int = 200) -> None:
        page = self.page
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        # The school's name heads every page, and the site's stylesheet applied.
        assert page.locator("header a").first.inner_text() == "Pathway Career Institute"
        assert page.locator("header").evaluate("e => getComputedStyle(e).display") == "flex"
        assert "Django" not in page.content()
        page.screenshot(path=str(self.folder / f"{name}-{self.size}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        # An error page's own status is logged as a failed load; anything else is a real error.
        expected = f"the server responded with a status of {status}"
        errors = [e for e in self.errors if status == 200 or expected not in e]
        assert errors == [], f"{name}: {errors}"
        self.errors.clear()
        assert self.violations() == [], name

    def violations(self) -> list[str]:
        # Evaluated through the DevTools protocol, which the page's policy does not govern.
        self.page.evaluate(AXE.read_text())
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .map(v => `${v.impact}: ${v.id} at ${v.nodes.map(n => n.target).join(", ")}`)"""
        )
        return [v for v in found if v.split(":")[0] in BLOCKING]


def link_for(user: object) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/reset/{uid}/{default_token_generator.make_token(user)}/"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_account_pages_read_well(live_server, page, tmp_path, width, height) -> None:
    robin = with_role(Role.STUDENT, email="robin@example.com", password=PASSWORD)
    page.set_viewport_size({"width": width, "height": height})
    visit = Visit(page, tmp_path, width, height)
    url = live_server.url

    page.goto(f"{url}/login/")
    visit.check("sign-in", "Sign in to Pathway Career Institute")
    page.get_by_role("link", name="Forgot your password?").click()
    visit.check("password-reset", "Forgot your password?")
    page.get_by_role("button", name="Email me a link").click()
    visit.check("password-reset-error", "Forgot your password?")
    assert page.locator(".errorlist").inner_text() == "This field is required."
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_role("button", name="Email me a link").click()
    visit.check("password-reset-sent", "Check your email")

    page.goto(url + link_for(robin))
    visit.check("set-password", "Choose your password")
    page.get_by_label("New password").fill("a-New-pass-2027")
    page.get_by_label("The same password again").fill("something else")
    page.get_by_role("button", name="Save my password").click()
    visit.check("set-password-error", "Choose your password")
    page.get_by_label("New password").fill("a-New-pass-2027")
    page.get_by_label("The same password again").fill("a-New-pass-2027")
    page.get_by_role("button", name="Save my password").click()
    visit.check("set-password-done", "Your password is saved")
    page.goto(f"{url}/reset/MQ/no-such-token/")
    visit.check("set-password-link-lapsed", "This link no longer works")

    page.goto(f"{url}/login/")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password").fill("a-New-pass-2027")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/coach/")
    visit.check("403", "You cannot open this page", 403)
    page.get_by_role("button", name="Sign out").click()
    visit.check("signed-out", "You are signed out")


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.urls("tests.test_error_pages")  # the site, plus /fails/ that raises
def test_the_error_pages_read_well(live_server, page, tmp_path, monkeypatch, width, height) -> None:
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "1/hour"})
    page.set_viewport_size({"width": width, "height": height})
    visit = Visit(page, tmp_path, width, height)
    url = live_server.url

    page.goto(f"{url}/no-such-page/")
    visit.check("404", "Page not found", 404)
    page.goto(f"{url}/fails/")
    visit.check("500", "Sorry, something went wrong on our side", 500)

    page.goto(f"{url}/login/")
    page.context.clear_cookies()  # the form's CSRF cookie is gone, as in a long-open tab
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit.check("csrf", "This form has expired", 403)

    for _ in range(2):
        page.goto(f"{url}/password-reset/")
        page.get_by_label("Email").fill("robin@example.com")
        page.get_by_role("button", name="Email me a link").click()
    visit.check("429", "Too many requests", 429)
