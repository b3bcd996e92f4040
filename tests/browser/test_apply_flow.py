"""An applicant's path through the public pages, in a real Chromium: apply, see where they stand,
accept a seat, decline it or leave the waitlist (each asked once more); form errors; consent boxes;
tap targets on a phone. With SCREENSHOTS=<dir> set, the phone tests keep a screenshot of each
page there for a reviewer."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import dateformat, timezone

from enrollment.applying import application_submit
from enrollment.consent import disclosure
from enrollment.models import Application, ConsentRecord, Status
from enrollment.services import Actor, application_accept
from messaging.consent import ConsentChannel
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER = {
    "first_name": "Robin",
    "last_name": "Okafor",
    "email": "robin.okafor@example.com",
    "phone": "(202) 555-0142",
    "date_of_birth_day": "14",
    "date_of_birth_month": "3",
    "date_of_birth_year": "1999",
    "prior_healthcare_experience": "Two summers as a hospital volunteer.",
}


def phlebotomy_cohort(capacity: int = 10):
    return CohortFactory(program=ProgramFactory(), name="Spring evening", capacity=capacity)


def fill_application(page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_education").select_option("hs_diploma")


def submit(page) -> None:
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state()


def field_error(page, name: str) -> str:
    """The error shown for a field, checked to sit between the field's label (or the legend of its
    fieldset) and its input."""
    errors = page.locator(f"#id_{name}_errors, #id_{name}_error")  # the second once fixed, below
    label = page.locator(f'label[for="id_{name}"], fieldset:has(#id_{name}) > legend')
    label = label.bounding_box()
    error = errors.bounding_box()
    field = page.locator(f"#id_{name}").bounding_box()
    assert label["y"] + label["height"] <= error["y"] + 1
    assert error["y"] + error["height"] <= field["y"] + 1
    assert field["y"] - (error["y"] + error["height"]) < 20  # right above the input
    return errors.inner_text().strip()


def shown_status(page) -> str:
    return page.locator("span.status").inner_text().strip()


def test_a_new_applicant_gets_an_offer_with_its_deadline_and_can_accept_the_seat(
    live_server, page
) -> None:
    cohort = phlebotomy_cohort(capacity=10)
    page.goto(live_server.url + "/apply/phlebotomy/")
    assert page.locator("#id_cohort").input_value() == str(cohort.pk)
    fill_application(page, NEWCOMER)
    before = timezone.now()
    submit(page)

    assert re.search(r"/status/[\w-]+/$", page.url)
    application = Application.objects.get(email=NEWCOMER["email"])
    assert page.url.endswith(f"/status/{application.status_token}/")
    assert shown_status(page) == "Offered"
    assert page.locator("span.status").get_attribute("data-status") == "offered"
    # The seat is held 48 hours, and the page says until when, in the school's time zone.
    assert application.offer_expires_at - before >= timedelta(hours=48)
    assert application.offer_expires_at - before < timedelta(hours=48, minutes=1)
    deadline = dateformat.format(
        timezone.localtime(application.offer_expires_at), "F j, Y, g:i a T"
    )
    held = page.get_by_text("A seat is held for you until")
    assert held.locator("strong").inner_text() == deadline

    page.get_by_role("button", name="Accept my seat").click()
    page.wait_for_load_state()

    assert shown_status(page) == "Enrolled"
    assert "You accepted your seat" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Accept my seat").count() == 0
    application.refresh_from_db()
    assert application.status == Status.ENROLLED


def test_applying_to_a_full_cohort_joins_the_waitlist_behind_those_already_waiting(
    live_server, page
) -> None:
    cohort = phlebotomy_cohort(capacity=2)
    statuses = [application_submit(cohort=cohort, **applicant(n))[0].status for n in range(4)]
    assert statuses == ["offered", "offered", "waitlisted", "waitlisted"]

    page.goto(live_server.url + "/apply/phlebotomy/")
    assert "Full: join the waitlist" in page.locator("#id_cohort ~ .helptext").first.inner_text()
    fill_application(page, NEWCOMER)
    submit(page)

    assert shown_status(page) == "Waitlisted"
    assert page.locator("strong.position").inner_text() == "3"
    assert "You are number 3 on the waitlist" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Accept my seat").count() == 0
    assert Application.objects.get(email=NEWCOMER["email"]).status == Status.WAITLISTED


def test_a_form_with_errors_shows_them_by_the_fields_keeps_the_input_and_saves_nothing(
    live_server, page
) -> None:
    phlebotomy_cohort()
    tomorrow = timezone.localdate() + timedelta(days=1)
    typed = {
        **NEWCOMER,
        "last_name": "",
        "date_of_birth_day": str(tomorrow.day),
        "date_of_birth_month": str(tomorrow.month),
        "date_of_birth_year": str(tomorrow.year),
    }
    page.goto(live_server.url + "/apply/phlebotomy/")
    fill_application(page, typed)
    page.locator("#id_consent_email").check()
    submit(page)

    assert "/apply/phlebotomy/" in page.url
    assert field_error(page, "last_name") == "Enter your last name."
    assert field_error(page, "date_of_birth") == "The date of birth must be in the past."
    assert page.locator(".errorlist").count() == 2
    # What was typed is still there.
    for name in ["first_name", "email", "phone", "prior_healthcare_experience"]:
        assert page.locator(f"#id_{name}").input_value() == typed[name]
    for part in ["day", "month", "year"]:
        assert (
            page.locator(f"#id_date_of_birth_{part}").input_value()
            == typed[f"date_of_birth_{part}"]
        )
    assert page.locator("#id_education").input_value() == "hs_diploma"
    assert page.locator("#id_consent_email").is_checked()
    assert not page.locator("#id_consent_sms").is_checked()
    assert Application.objects.count() == 0
    assert ConsentRecord.objects.count() == 0


def test_consent_is_optional_and_a_checked_text_box_keeps_the_exact_words_shown(
    live_server, page
) -> None:
    phlebotomy_cohort()
    page.goto(live_server.url + "/apply/phlebotomy/")
    boxes = page.locator("fieldset.consent input[type=checkbox]")
    assert boxes.count() == 4  # texts about the application, then marketing text, email, phone
    for i in range(4):
        assert not boxes.nth(i).is_checked()
    consent = page.locator("fieldset.consent").inner_text()
    assert "Consent is not required to apply or enroll." in consent

    shown = page.locator('label[for="id_consent_sms"]').inner_text().strip()
    assert shown == disclosure(ConsentChannel.SMS)
    fill_application(page, NEWCOMER)
    page.locator("#id_consent_sms").check()
    submit(page)

    assert shown_status(page) == "Offered"
    application = Application.objects.get(email=NEWCOMER["email"])
    record = ConsentRecord.objects.get()  # only the box that was checked
    assert record.application == application
    assert record.channel == ConsentChannel.SMS
    assert record.granted is True
    assert record.address == "+12025550142"
    assert record.disclosure_text == shown
    assert record.source_page.endswith("/apply/phlebotomy/")


def test_a_waitlisted_applicant_is_asked_once_more_then_leaves_and_sees_it_closed(
    live_server, page
) -> None:
    cohort = phlebotomy_cohort(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    assert waiting.status == Status.WAITLISTED

    page.goto(f"{live_server.url}/status/{waiting.status_token}/")
    assert shown_status(page) == "Waitlisted"
    assert page.locator("strong.position").inner_text() == "1"
    page.get_by_role("link", name="Leave the waitlist").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Leave the waitlist?"
    assert "You cannot undo this." in page.locator("main").inner_text()
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED  # asking changed nothing
    page.get_by_role("button", name="Yes, leave the waitlist").click()
    page.wait_for_load_state()

    assert shown_status(page) == "Withdrawn"
    text = page.locator("main").inner_text()
    assert "You withdrew your application." in text
    assert "This application is closed." in text
    assert page.get_by_role("link", name="apply again").get_attribute("href") == (
        "/apply/phlebotomy/"
    )
    assert page.get_by_role("link", name="Leave the waitlist").count() == 0
    assert page.locator("strong.position").count() == 0
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN


def test_a_field_error_is_announced_with_its_field(live_server, page) -> None:
    phlebotomy_cohort()
    page.goto(live_server.url + "/apply/phlebotomy/")
    fill_application(page, {**NEWCOMER, "last_name": ""})
    submit(page)

    field = page.locator("#id_last_name")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby").split()
    texts = [
        page.locator(f"#{i}").inner_text() for i in described_by if page.locator(f"#{i}").count()
    ]
    assert "Enter your last name." in texts


def test_the_example_phone_number_on_the_form_is_accepted(live_server, page) -> None:
    phlebotomy_cohort()
    page.goto(live_server.url + "/apply/phlebotomy/")
    help_text = page.locator("#id_phone ~ .helptext").inner_text()
    example = re.search(r"\(\d{3}\) \d{3}-\d{4}", help_text).group()
    fill_application(page, {**NEWCOMER, "phone": example})
    submit(page)

    assert page.locator("span.status").count() == 1, page.locator(".errorlist").all_inner_texts()


def test_applying_to_a_waitlist_only_program_joins_the_waitlist_as_the_home_page_says(
    live_server, page
) -> None:
    CohortFactory(program=ProgramFactory(waitlist_only=True), capacity=5)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Join the waitlist").click()
    page.wait_for_load_state()
    fill_application(page, NEWCOMER)
    submit(page)

    assert shown_status(page) == "Waitlisted"


def test_the_status_page_shows_when_the_application_arrived_in_a_clean_sentence(
    live_server, page
) -> None:
    cohort = phlebotomy_cohort()
    application, _ = application_submit(cohort=cohort, **applicant(1))
    page.goto(f"{live_server.url}/status/{application.status_token}/")

    text = page.locator("main").inner_text()
    assert re.search(
        r"We received your application at \d{1,2}:\d{2} [ap]\.m\. [A-Z]{2,5} on "
        r"[A-Z][a-z]+ \d{1,2}, \d{4}\.\s",
        text,
    )
    assert ".." not in text
    # The history spells its months out too ("February 1", never "Feb. 1").
    history = page.locator("#history + ol").inner_text()
    assert re.match(r"[A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d{2} [ap]\.m\. [A-Z]{2,5}: ", history)
    assert not re.search(r"\b[A-Z][a-z]{2}\. \d", history)


def test_the_form_starts_with_no_education_chosen_and_says_to_choose_one(live_server, page) -> None:
    phlebotomy_cohort()
    page.goto(live_server.url + "/apply/phlebotomy/")
    education = page.locator("#id_education")
    assert education.input_value() == ""
    assert education.locator("option:checked").inner_text() == "Choose one"
    for name, value in NEWCOMER.items():
        page.locator(f"#id_{name}").fill(value)
    submit(page)

    assert field_error(page, "education") == "Choose the highest education you have completed."
    assert page.locator(".errorlist").count() == 1
    assert Application.objects.count() == 0


def test_the_date_of_birth_boxes_match_their_hint(live_server, page) -> None:
    phlebotomy_cohort()
    page.goto(live_server.url + "/apply/phlebotomy/")
    date = page.get_by_role("group", name="Date of birth")
    hint = date.locator(".helptext").inner_text()
    assert hint == "For example, 27 3 2007"
    day, month, year = re.fullmatch(r"For example, (\d+) (\d+) (\d{4})", hint).groups()
    assert date.locator("input").count() == 3
    assert date.locator("input[type=date]").count() == 0
    date.get_by_label("Day").fill(day)
    date.get_by_label("Month").fill(month)
    date.get_by_label("Year").fill(year)
    fill_application(page, {k: v for k, v in NEWCOMER.items() if "date_of_birth" not in k})
    submit(page)

    assert page.locator("span.status").count() == 1, page.locator(".errorlist").all_inner_texts()
    assert Application.objects.get().date_of_birth.isoformat() == f"{year}-0{month}-{day}"


# -- on a phone --------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
TAP = 44  # px: the smallest tap target (STYLE.md, Pages 1)


@pytest.fixture
def phone(browser: object):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def keep_screenshot(page, name: str) -> None:
    if shots := os.environ.get("SCREENSHOTS"):
        os.makedirs(shots, exist_ok=True)
        page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)


def tap(page, locator) -> None:
    """Tap a link or button, as a finger does, and wait for the page it opens."""
    with page.expect_navigation():
        locator.tap()


def tap_target(locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box["height"] >= TAP, box
    assert box["width"] >= TAP, box
    return box


def apart(safe: dict[str, float], destructive: dict[str, float]) -> float:
    """The gap between two boxes: side by side or one above the other."""
    across = max(
        destructive["x"] - (safe["x"] + safe["width"]),
        safe["x"] - (destructive["x"] + destructive["width"]),
    )
    down = max(
        destructive["y"] - (safe["y"] + safe["height"]),
        safe["y"] - (destructive["y"] + destructive["height"]),
    )
    return max(across, down)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_decline_asks_once_more_and_every_button_is_big_enough(
    live_server, phone
) -> None:
    cohort = phlebotomy_cohort(capacity=1)
    offered, _ = application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    phone.goto(f"{live_server.url}/status/{offered.status_token}/")
    keep_screenshot(phone, "status-offered-390")

    accept = tap_target(phone.get_by_role("button", name="Accept my seat"))
    decline = tap_target(phone.get_by_role("link", name="Decline the offer"))
    assert apart(accept, decline) >= 32
    assert fits_the_phone(phone)
    tap(phone, phone.get_by_role("link", name="Decline the offer"))

    assert phone.url == f"{live_server.url}/status/{offered.status_token}/decline/"
    assert phone.get_by_role("heading", level=1).inner_text() == "Decline your offer?"
    text = phone.locator("main").inner_text()
    assert "offered straight away to the next person on the waitlist" in text
    assert "You cannot undo this." in text
    assert re.search(r"starting \w+day, \w+ \d{1,2}, \d{4}", text)  # a date as people say it
    yes = tap_target(phone.get_by_role("button", name="Yes, decline my offer"))
    keep = tap_target(phone.get_by_role("link", name="No, keep my offer"))
    assert apart(keep, yes) >= 24
    assert fits_the_phone(phone)
    keep_screenshot(phone, "confirm-decline-390")
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED  # asking changed nothing

    tap(phone, phone.get_by_role("link", name="No, keep my offer"))
    assert shown_status(phone) == "Offered"
    tap(phone, phone.get_by_role("link", name="Decline the offer"))
    tap(phone, phone.get_by_role("button", name="Yes, decline my offer"))

    assert shown_status(phone) == "Declined"
    assert "You declined the offer." in phone.locator(".messages").inner_text()
    keep_screenshot(phone, "status-declined-390")
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED


def test_on_a_phone_leaving_the_waitlist_and_withdrawing_ask_with_big_enough_buttons(
    live_server, phone
) -> None:
    cohort = phlebotomy_cohort(capacity=1)
    enrolled, _ = application_submit(cohort=cohort, **applicant(1))
    application_accept(application=enrolled, actor=Actor.of(None))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    for application, leave, yes, shot in [
        (waiting, "Leave the waitlist", "Yes, leave the waitlist", "waitlisted"),
        (enrolled, "Withdraw from the program", "Yes, withdraw", "enrolled"),
    ]:
        phone.goto(f"{live_server.url}/status/{application.status_token}/")
        keep_screenshot(phone, f"status-{shot}-390")
        tap_target(phone.get_by_role("link", name=leave))
        assert fits_the_phone(phone)
        tap(phone, phone.get_by_role("link", name=leave))

        assert "You cannot undo this." in phone.locator("main").inner_text()
        tap_target(phone.get_by_role("button", name=yes))
        tap_target(phone.locator("a.keep"))
        assert fits_the_phone(phone)
        keep_screenshot(phone, f"confirm-{shot}-390")
        application.refresh_from_db()
        assert application.status != Status.WITHDRAWN  # asking changed nothing


def test_on_a_phone_the_form_fits_and_its_date_boxes_sit_on_one_line(live_server, phone) -> None:
    phlebotomy_cohort()
    phone.goto(live_server.url + "/apply/phlebotomy/")
    boxes = [
        phone.locator(f"#id_date_of_birth_{part}").bounding_box()
        for part in ("day", "month", "year")
    ]
    assert len({round(box["y"]) for box in boxes}) == 1
    assert all(box["height"] >= TAP for box in boxes)
    tap_target(phone.get_by_role("button", name="Submit application"))
    assert fits_the_phone(phone)
    keep_screenshot(phone, "apply-390")
    submit(phone)
    keep_screenshot(phone, "apply-errors-390")
    assert field_error(phone, "date_of_birth") == "Enter a date of birth, like 27 3 2007."
    assert field_error(phone, "education") == "Choose the highest education you have completed."
