"""The pages that refuse a request, in a real Chromium on a phone (390 x 844) and a desk
(1280 x 800): the sign-in after too many wrong passwords (429, how long to wait), an application
form sent with more than we accept (413) and one with more fields than we read (400). Each is the
site's own page (its name, header and footer), with a screenshot under tmp_path, no sideways
scroll on a phone, no console error, no serious or critical axe-core violation."""

import pytest

from accounts import failed_sign_ins
from tests.browser.test_admin_day import SIZES, sideways, violations, watch
from tests.factories import CohortFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, size: str, name: str, tmp_path, errors: list[str], status: int) -> None:
    page.screenshot(path=str(tmp_path / f"{name}-{size}.png"), full_page=True)
    assert page.locator("header").get_by_text("Riverside Career Institute").is_visible()
    assert violations(page) == []
    if size == "phone":
        assert sideways(page) <= 0
    refused = [e for e in errors if e.startswith(f"{status} ")]
    assert len(refused) == 1, errors
    assert [e for e in errors if e not in refused] == []
    errors.clear()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_refusals_are_the_sites_own_pages(
    live_server, browser, student, monkeypatch, settings, tmp_path, size
) -> None:
    settings.SITE_NAME = "Riverside Career Institute"
    # The waits' clock stands still (the live server runs in this process): the wait shown is
    # a minute however slowly the browser goes.
    monkeypatch.setattr(failed_sign_ins, "now", lambda: 1_800_000_000.0)
    CohortFactory(program=ProgramFactory())
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch(page)

    # Five wrong passwords, then the right one: the account waits a minute.
    for attempt in range(6):
        page.goto(live_server.url + "/login/")
        page.get_by_label("Email").fill(student.email)
        page.get_by_label("Password").fill("correct-horse-battery" if attempt == 5 else "guess")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    assert page.get_by_role("heading", name="Too many requests").is_visible()
    assert page.get_by_text(
        "Too many failed sign-ins for this account. Try again in 1 minute."
    ).is_visible()
    check(page, size, "sign-in-waits", tmp_path, errors, 429)

    # An application whose text runs past 2.5 MB.
    page.goto(live_server.url + "/apply/phlebotomy/")
    page.evaluate(
        "() => { const box = document.querySelector('#id_first_name');"
        " box.removeAttribute('maxlength'); box.value = 'R'.repeat(3 * 1024 * 1024); }"
    )
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="That was too much to send").is_visible()
    assert page.get_by_text("larger than 2.5 MB").is_visible()
    check(page, size, "too-much-to-send", tmp_path, errors, 413)
    page.get_by_role("link", name="Back to the form").click()
    page.wait_for_load_state()
    assert page.locator("#id_first_name").is_visible()
    errors.clear()

    # An application with 1,500 extra fields.
    page.evaluate(
        "() => { const form = document.querySelector('form[method=post]');"
        " for (let n = 0; n < 1500; n++) { const i = document.createElement('input');"
        " i.type = 'hidden'; i.name = 'f' + n; form.appendChild(i); } }"
    )
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="We could not read that request").is_visible()
    check(page, size, "could-not-read", tmp_path, errors, 400)
    context.close()
