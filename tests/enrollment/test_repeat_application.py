"""Applying again with someone's email or phone reveals nothing of their application.

Anyone can type another person's email: a repeat creates nothing, answers without the first
application's id, token, name, birth date or status, and emails the first application's status
link to the address on it (at most once an hour). A double-clicked form submits once."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from enrollment.models import Application
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

FIRST = {
    "first_name": "Dana",
    "last_name": "Original",
    "email": "dana@example.com",
    "phone": "(202) 555-0101",
    "date_of_birth": "1990-04-02",
    "education": "hs_diploma",
}
# A stranger with Dana's phone in another format, another name, email and birth date.
STRANGER_BY_PHONE = {
    **FIRST,
    "first_name": "Eve",
    "last_name": "Stranger",
    "email": "eve@example.com",
    "phone": "+1 202.555.0101",
    "date_of_birth": "1985-12-24",
}
STRANGER_BY_EMAIL = {**STRANGER_BY_PHONE, "email": "DANA@Example.com", "phone": "202-555-0199"}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def api_apply(api, cohort, person: dict):
    return api.post("/api/v1/applications/", {"cohort": cohort.pk, **person}, format="json")


def form_apply(client, cohort, person: dict, **extra: str):
    """The form sends the date of birth as three boxes."""
    year, month, day = person["date_of_birth"].split("-")
    boxes = {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
    fields = {k: v for k, v in person.items() if k != "date_of_birth"}
    return client.post("/apply/phlebotomy/", {"cohort": cohort.pk, **fields, **boxes, **extra})


def links_sent_to(address: str) -> list[str]:
    return [m.body for m in mail.outbox if m.to == [address] and "link" in m.subject.lower()]


def reveals_nothing(text: str, first: Application) -> None:
    for secret in (
        first.status_token,
        first.first_name,
        first.last_name,
        "1990-04-02",
        "April 2, 1990",
        first.status,
    ):
        assert secret not in text
    assert not re.search(rf'"id":\s*{first.pk}\b', text)


@pytest.mark.parametrize("stranger", [STRANGER_BY_EMAIL, STRANGER_BY_PHONE])
def test_an_api_repeat_is_a_409_that_reveals_nothing_and_emails_the_first_address(
    api, on_commit, stranger
) -> None:
    cohort = CohortFactory()
    with on_commit():
        assert api_apply(api, cohort, FIRST).status_code == 201
    first = Application.objects.get()
    mail.outbox.clear()

    with on_commit():
        answer = api_apply(api, cohort, stranger)

    assert answer.status_code == 409
    assert answer.json()["code"] == "already_applied"
    assert "emailed" in answer.json()["detail"]
    reveals_nothing(answer.content.decode(), first)
    assert Application.objects.count() == 1
    [link] = links_sent_to("dana@example.com")
    assert f"/status/{first.status_token}/" in link
    assert not links_sent_to("eve@example.com")


@pytest.mark.parametrize("stranger", [STRANGER_BY_EMAIL, STRANGER_BY_PHONE])
def test_a_form_repeat_shows_a_page_that_reveals_nothing_and_emails_the_first_address(
    client, on_commit, stranger
) -> None:
    cohort = CohortFactory()
    with on_commit():
        form_apply(client, cohort, FIRST)
    first = Application.objects.get()
    mail.outbox.clear()

    with on_commit():
        answer = form_apply(client, cohort, stranger)

    page = answer.content.decode()
    assert answer.status_code == 409
    assert "already applied" in page
    assert "emailed the private link" in page
    reveals_nothing(page, first)
    assert Application.objects.count() == 1
    [link] = links_sent_to("dana@example.com")
    assert f"/status/{first.status_token}/" in link


def test_the_status_link_is_emailed_again_at_most_once_an_hour(api, on_commit) -> None:
    cohort = CohortFactory()
    api_apply(api, cohort, FIRST)
    mail.outbox.clear()
    start = timezone.now()
    for minutes in (0, 10, 59, 61):
        with (
            mock.patch(
                "django.utils.timezone.now", return_value=start + timedelta(minutes=minutes)
            ),
            on_commit(),
        ):
            assert api_apply(api, cohort, STRANGER_BY_EMAIL).status_code == 409
    assert len(links_sent_to("dana@example.com")) == 2  # at 0 and at 61 minutes


def test_a_double_clicked_form_makes_one_application_and_the_same_redirect(client) -> None:
    cohort = CohortFactory()
    shown = client.get("/apply/phlebotomy/").content.decode()
    [key] = re.findall(r'name="submission_key" value="([^"]+)"', shown)
    first = form_apply(client, cohort, FIRST, submission_key=key)
    second = form_apply(client, cohort, FIRST, submission_key=key)

    application = Application.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/status/{application.status_token}/"


def test_each_showing_of_the_form_carries_its_own_key(client) -> None:
    CohortFactory()
    keys = [
        re.findall(
            r'name="submission_key" value="([^"]+)"',
            client.get("/apply/phlebotomy/").content.decode(),
        )
        for _ in range(2)
    ]
    assert keys[0] != keys[1]
    assert all(len(k[0]) >= 32 for k in keys)


def test_another_persons_form_key_is_no_way_in(client) -> None:
    """A key only ever returns the application made with it; a different person's details with
    a fresh key still meet the privacy answer."""
    cohort = CohortFactory()
    form_apply(client, cohort, FIRST, submission_key="k" * 32)
    answer = form_apply(client, cohort, STRANGER_BY_EMAIL, submission_key="x" * 32)
    assert answer.status_code == 409
    assert Application.objects.count() == 1


def test_a_form_key_left_on_a_shared_computer_never_opens_the_first_application(client) -> None:
    """The next person submits the same page (the browser kept its key) with their own details:
    they get an application of their own, never the first one's status page."""
    cohort = CohortFactory()
    form_apply(client, cohort, FIRST, submission_key="k" * 32)
    other = {**STRANGER_BY_EMAIL, "email": "sam@example.com", "phone": "(202) 555-0177"}
    answer = form_apply(client, cohort, other, submission_key="k" * 32)
    first, second = Application.objects.order_by("id")
    assert answer.status_code == 302
    assert answer.url == f"/status/{second.status_token}/" != f"/status/{first.status_token}/"


def test_an_applicant_whose_offer_lapsed_may_apply_again(api) -> None:
    cohort = CohortFactory(capacity=1)
    assert api_apply(api, cohort, FIRST).json()["status"] == "offered"
    Application.objects.update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    again = api_apply(api, cohort, FIRST)
    assert again.status_code == 201
    assert again.json()["status"] == "offered"
    assert sorted(Application.objects.values_list("status", flat=True)) == ["expired", "offered"]


def test_a_repeat_that_would_be_ineligible_is_still_a_repeat(api, on_commit) -> None:
    """An ineligible application holds no place, but the first one still stands: no second."""
    cohort = CohortFactory()
    assert api_apply(api, cohort, FIRST).status_code == 201
    under_age = {**STRANGER_BY_EMAIL, "date_of_birth": str(timezone.localdate().replace(year=2015))}

    with on_commit():
        answer = api_apply(api, cohort, under_age)

    assert answer.status_code == 409
    assert list(Application.objects.values_list("status", flat=True)) == ["offered"]
    assert links_sent_to("dana@example.com")
