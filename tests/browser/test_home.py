import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_shows_the_four_programs_with_their_seat_status(
    live_server, page, settings
) -> None:
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo")
    settings.DEBUG = False
    page.goto(live_server.url + "/")
    cards = page.locator("li.program")
    assert cards.count() == 4
    text = page.locator("main").inner_text()
    for name in ["Medical Assistant", "Pharmacy Technician", "Phlebotomy", "Surgical Technologist"]:
        assert name in text
    surgical = page.locator('li.program[data-slug="surgical-technologist"]')
    assert "waitlist" in surgical.inner_text().lower()
