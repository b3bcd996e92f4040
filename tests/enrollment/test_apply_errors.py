"""The application form's errors, GOV.UK's way: a summary at the top ("There is a problem") that
takes the focus and links each error to its box, and every message in plain words, again beside
its box. Nothing is saved."""

import re

import pytest

from enrollment.models import Application, ConsentRecord
from tests.enrollment.test_pages import born, form
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

# Words of the framework or the code that an applicant must never read.
NOT_PLAIN = re.compile(
    r"This field|Select a valid choice|Ensure this value|Enter a valid|invalid_choice|"
    r"hs_diploma|some_college|\bnull\b|Null characters|Hidden field|submission_key|"
    r"\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)


def summary(page: str) -> list[tuple[str, str]]:
    """(href, message) of each link in the error summary."""
    block = page[page.index('class="error-summary"') : page.index("</ul>", page.index("There is"))]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


def post(client, data: dict) -> tuple[int, str]:
    response = client.post("/apply/phlebotomy/", data)
    return response.status_code, response.content.decode()


def test_a_form_without_errors_has_no_summary(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    assert "There is a problem" not in page
    assert 'id="error-summary"' not in page


def test_the_summary_comes_first_takes_the_focus_and_links_each_error_to_its_box(client) -> None:
    cohort = CohortFactory()
    status, page = post(
        client,
        form(cohort, last_name="", email="robin@", phone="12", **born("14", "", "1999")),
    )

    assert status == 400
    assert "<title>Error: Apply: Phlebotomy" in page
    main = page[page.index("<main") :]
    assert main.index('class="error-summary"') < main.index("<h1>")
    tag = re.search(r'<div class="error-summary"[^>]*>', page).group()
    assert 'tabindex="-1"' in tag
    assert "autofocus" in tag
    assert '<h2 id="error-summary-title">There is a problem</h2>' in page
    assert summary(page) == [
        ("#id_last_name", "Enter your last name."),
        ("#id_email", "Enter an email address in the right format, like name@example.com."),
        (
            "#id_phone",
            "Enter a phone number like (201) 555-0123. A number outside the US starts with + "
            "and its country code.",
        ),
        ("#id_date_of_birth_month", "The date of birth must include a month."),
    ]
    for href, message in summary(page):
        assert f'id="{href[1:]}"' in page  # each link leads to a box on the page
        name = href[4:].removesuffix("_month")
        assert f'<ul class="errorlist" id="id_{name}_error"><li>{message}</li></ul>' in page
    # The script that focuses the summary (when autofocus did not) is a file: the policy allows
    # no inline script.
    assert re.search(r'<script src="/static/enrollment/error_summary\.js" defer></script>', page)
    assert "<script>" not in page
    assert Application.objects.count() == ConsentRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter your first name."),
        ("first_name", "   ", "Enter your first name."),
        ("first_name", "R" * 101, "Your first name must be 100 characters or fewer."),
        ("last_name", "", "Enter your last name."),
        ("last_name", "L" * 101, "Your last name must be 100 characters or fewer."),
        ("email", "", "Enter your email address."),
        ("email", "robin.example.com", "Enter an email address in the right format"),
        ("email", "robin@@example.com", "Enter an email address in the right format"),
        ("email", f"{'r' * 250}@example.com", "Your email address must be 254 characters"),
        ("phone", "", "Enter your mobile phone number."),
        ("phone", "call me", "Enter a phone number like (201) 555-0123."),
        ("phone", "(202) 555-01", "Enter a phone number like (201) 555-0123."),
        ("education", "", "Choose the highest education you have completed."),
        ("education", "hs_diploma_or_so", "Choose the highest education you have completed."),
        ("cohort", "", "Choose a start date."),
        ("cohort", "999999", "That start date no longer takes applications."),
        (
            "prior_healthcare_experience",
            "x" * 4001,
            "Your prior healthcare experience must be 4,000 characters or fewer.",
        ),
        ("first_name", "Rob\x00in", "Your first name has a character we cannot read"),
    ],
)
def test_every_message_is_in_plain_words(client, field: str, value: str, message: str) -> None:
    cohort = CohortFactory()
    status, page = post(client, {**form(cohort), field: value})

    assert status == 400
    [(href, shown)] = summary(page)
    assert href == f"#id_{field}"
    assert shown.startswith(message)
    errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', page, re.DOTALL)
    assert len(errors) == 1
    assert not NOT_PLAIN.search(errors[0] + shown), errors[0]
    assert value not in shown or not value.strip()  # what was typed is not echoed as the reason
    assert not Application.objects.exists()


def test_a_date_of_birth_error_reads_the_same_in_the_summary_and_by_the_boxes(client) -> None:
    cohort = CohortFactory()
    status, page = post(client, form(cohort, **born("31", "2", "2000")))
    assert status == 400
    message = "The date of birth must be a real date, like 27 3 2007."
    assert summary(page) == [("#id_date_of_birth_day", message)]
    assert f'<ul class="errorlist" id="id_date_of_birth_error"><li>{message}</li></ul>' in page


def test_the_consent_boxes_cannot_fail_the_form(client) -> None:
    cohort = CohortFactory()
    data = form(cohort, consent_sms="yes please", consent_email="", consent_phone="false")
    response = client.post("/apply/phlebotomy/", data)
    assert response.status_code == 302
    assert list(ConsentRecord.objects.values_list("channel", flat=True)) == ["sms"]


def test_a_one_time_key_that_is_not_ours_is_ignored_rather_than_an_error_nobody_can_see(
    client,
) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", form(cohort, submission_key="k" * 500))
    assert response.status_code == 302
    assert Application.objects.get().submission_key == ""
