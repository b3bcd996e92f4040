"""An applicant's path through the public pages, in a real Chromium: apply, see where they stand,
accept a seat or leave the waitlist; form errors; consent boxes."""

import re
from datetime import timedelta

import pytest
from django.utils import dateformat, timezone

from enrollment.consent import disclosure
from enrollment.models import Application, Channel, ConsentRecord, Status
from enrollment.services import application_submit
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER = {
    "first_name": "Robin",
    "last_name": "Okafor",
    "email": "robin.okafor@example.com",
    "phone": "(202) 555-0142",
    "date_of_birth": "1999-03-14",
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
    """The error shown for a field, checked to sit between the field's label and its input."""
    errors = page.locator(f"#id_{name}_errors, #id_{name}_error")  # the second once fixed, below
    label = page.locator(f'label[for="id_{name}"]').bounding_box()
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
    assert "full, waitlist" in page.locator("#id_cohort ~ .helptext").first.inner_text()
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
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    typed = {**NEWCOMER, "last_name": "", "date_of_birth": tomorrow}
    page.goto(live_server.url + "/apply/phlebotomy/")
    fill_application(page, typed)
    page.locator("#id_consent_email").check()
    submit(page)

    assert "/apply/phlebotomy/" in page.url
    assert field_error(page, "last_name") == "This field is required."
    assert field_error(page, "date_of_birth") == "The date of birth must be in the past."
    assert page.locator(".errorlist").count() == 2
    # What was typed is still there.
    for name in ["first_name", "email", "phone", "prior_healthcare_experience"]:
        assert page.locator(f"#id_{name}").input_value() == typed[name]
    assert page.locator("#id_date_of_birth").input_value() == tomorrow
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
    assert shown == disclosure(Channel.SMS)
    fill_application(page, NEWCOMER)
    page.locator("#id_consent_sms").check()
    submit(page)

    assert shown_status(page) == "Offered"
    application = Application.objects.get(email=NEWCOMER["email"])
    record = ConsentRecord.objects.get()  # only the box that was checked
    assert record.application == application
    assert record.channel == Channel.SMS
    assert record.granted is True
    assert record.address == "+12025550142"
    assert record.disclosure_text == shown
    assert record.source_page.endswith("/apply/phlebotomy/")


def test_a_waitlisted_applicant_leaves_the_waitlist_with_one_click_and_sees_it_closed(
    live_server, page
) -> None:
    cohort = phlebotomy_cohort(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    assert waiting.status == Status.WAITLISTED

    page.goto(f"{live_server.url}/status/{waiting.status_token}/")
    assert shown_status(page) == "Waitlisted"
    assert page.locator("strong.position").inner_text() == "1"
    page.get_by_role("button", name="Leave the waitlist").click()
    page.wait_for_load_state()

    assert shown_status(page) == "Withdrawn"
    text = page.locator("main").inner_text()
    assert "You withdrew your application." in text
    assert "This application is closed." in text
    assert page.get_by_role("link", name="apply again").get_attribute("href") == (
        "/apply/phlebotomy/"
    )
    assert page.get_by_role("button", name="Leave the waitlist").count() == 0
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
    assert "This field is required." in texts


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

    assert re.search(
        r"Received .+, \d{4}, \d{1,2}:\d{2} [ap]\.m\.\s", page.locator("main").inner_text()
    )
    assert ".." not in page.locator("main").inner_text()
