"""In a real Chromium on a phone and a desk: the HTML of emails as a mail client shows it (no
sideways scroll, no serious or critical axe-core violation, contrast included), and the unsubscribe
pages of marketing email in the site's layout. Each keeps a screenshot in the test's temporary
folder."""

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import Role
from coaching.services import message_coach
from enrollment.applying import application_submit
from messaging.unsubscribe import unsubscribe_url
from tests.browser.test_error_and_account_pages import SIZES, Visit
from tests.conftest import with_role
from tests.factories import CohortFactory, StudentFactory, applicant
from tests.messaging.conftest import consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_emails_read_well_in_a_browser(page, tmp_path, width, height) -> None:
    application_submit(cohort=CohortFactory(name="Spring day"), **applicant(1))
    coach = with_role(Role.COACH, email="casey@school.test", first_name="Casey")
    student = StudentFactory(coach=coach, user__first_name="Avery", user__last_name="Lee")
    message_coach(student=student, body="Can we move Friday's check-in?\nI have a shift.")
    assert len(mail.outbox) == 2

    page.set_viewport_size({"width": width, "height": height})
    visit = Visit(page, tmp_path, width, height)
    for n, sent in enumerate(mail.outbox):
        html = sent.alternatives[0][0]
        page.set_content(html)
        assert page.title() == sent.subject
        assert page.get_by_role("heading", level=1).inner_text() == sent.subject
        page.screenshot(path=str(tmp_path / f"email-{n}-{width}x{height}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert visit.violations() == [], sent.subject


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_unsubscribe_pages_read_well(live_server, page, tmp_path, width, height) -> None:
    consent("email", "pat@example.com")
    path = unsubscribe_url("pat@example.com").removeprefix(settings.SITE_URL)
    page.set_viewport_size({"width": width, "height": height})
    visit = Visit(page, tmp_path, width, height)

    page.goto(live_server.url + path)
    visit.check("unsubscribe", "Unsubscribe from news emails?")
    page.get_by_role("button", name="Unsubscribe").click()
    visit.check("unsubscribed", "You are unsubscribed")
    page.goto(live_server.url + path.replace("/unsubscribe/", "/unsubscribe/x"))
    visit.check("unsubscribe-invalid", "This unsubscribe link cannot be used", status=403)
