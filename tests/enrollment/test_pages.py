"""The public pages work with plain HTML forms, no JavaScript."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.api import TokenRateThrottle
from enrollment.applying import application_submit
from enrollment.models import Application, ConsentRecord, Status
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db


def born(day: str, month: str, year: str) -> dict[str, str]:
    """The date of birth as the form's three boxes send it."""
    return {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def form(cohort, n: int = 1, **overrides: str) -> dict:
    return {
        "cohort": cohort.pk,
        "first_name": "Robin",
        "last_name": f"Lee{n}",
        "email": f"robin{n}@example.com",
        "phone": "(202) 555-0188",
        **born("3", "2", "1999"),
        "education": "ged",
        **overrides,
    }


def test_the_home_page_lists_programs_with_live_seats(client) -> None:
    CohortFactory(capacity=2)
    page = client.get("/").content.decode()
    assert "Phlebotomy" in page
    assert "Only 2 seats left" in page


@pytest.mark.parametrize(
    ("capacity", "taken", "words"),
    [(10, 0, "10 seats left"), (10, 8, "Only 2 seats left"), (2, 2, "Full: join the waitlist")],
)
def test_the_home_page_program_page_and_form_say_the_seats_alike(
    client, capacity, taken, words
) -> None:
    cohort = CohortFactory(capacity=capacity, name="Spring")
    for n in range(taken):
        application_submit(cohort=cohort, **applicant(n))
    for address in ("/", "/programs/phlebotomy/", "/apply/phlebotomy/"):
        assert words in client.get(address).content.decode(), address
    form_help = client.get("/apply/phlebotomy/").content.decode()
    assert f"Spring ({words})" in form_help


def test_a_waitlist_only_program_says_so_everywhere(client) -> None:
    CohortFactory(program=ProgramFactory(slug="surgical", waitlist_only=True), capacity=20)
    for address in ("/", "/programs/surgical/", "/apply/surgical/"):
        page = client.get(address).content.decode()
        assert "Waitlist only" in page, address
        assert "seats left" not in page, address


def test_the_form_shows_unchecked_consent_boxes_and_says_consent_is_optional(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    assert page.count('type="checkbox"') == 4  # texts about the application, then marketing
    assert "checked" not in page
    assert "Consent is not required to apply" in page
    assert "Msg &amp; data rates may apply" in page


def test_submitting_the_form_applies_and_redirects_to_the_status_page(client) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", {**form(cohort), "consent_email": "on"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/status/{application.status_token}/"
    assert application.status == Status.OFFERED
    assert application.date_of_birth == date(1999, 2, 3)
    assert str(application.phone) == "+12025550188"
    [consent] = ConsentRecord.objects.all()
    assert consent.channel == "email"
    assert consent.source_page.endswith("/apply/phlebotomy/")


def test_form_errors_show_next_to_their_fields_and_nothing_is_saved(client) -> None:
    cohort = CohortFactory()
    response = client.post(
        "/apply/phlebotomy/", form(cohort, last_name="", **born("1", "1", "2999"))
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_last_name_error"' in page
    assert "The date of birth must be in the past." in page
    assert 'value="robin1@example.com"' in page
    assert not Application.objects.exists()


def test_the_status_page_shows_the_waitlist_position_and_a_leave_button(client) -> None:
    cohort = CohortFactory(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    page = client.get(f"/status/{waiting.status_token}/").content.decode()
    assert 'class="position">1<' in page
    assert "Leave the waitlist" in page


def test_accepting_on_the_status_page_enrolls(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    response = client.post(f"/status/{offered.status_token}/accept/", follow=True)
    assert "You accepted your seat" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.ENROLLED


def test_an_action_that_is_no_longer_allowed_shows_why(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    client.post(f"/status/{offered.status_token}/decline/")
    page = client.post(f"/status/{offered.status_token}/accept/", follow=True).content.decode()
    assert "You cannot accept an application that is declined." in page


def test_an_unknown_status_token_is_a_404(client) -> None:
    assert client.get("/status/not-a-token/").status_code == 404
    assert client.post("/status/not-a-token/accept/").status_code == 404


def test_accept_and_move_only_take_post(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    assert client.get(f"/status/{offered.status_token}/accept/").status_code == 405
    assert client.get(f"/status/{offered.status_token}/move/").status_code == 405


# -- the form's education and date of birth ----------------------------------------------------


def test_education_starts_empty_with_a_first_choice_that_says_to_choose(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    select = page[
        page.index('<select name="education"') : page.index(
            "</select>", page.index('<select name="education"')
        )
    ]
    assert '<option value="" selected>Choose one</option>' in select
    assert select.count("selected") == 1


def test_a_missing_education_is_a_field_error_in_plain_words(client) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", form(cohort, education=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        '<ul class="errorlist" id="id_education_error"><li>'
        "Choose the highest education you have completed.</li></ul>"
    ) in page
    assert 'aria-describedby="id_education_error"' in page
    assert not Application.objects.exists()


def test_the_date_of_birth_is_asked_as_day_month_and_year_like_its_hint(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    assert 'type="date"' not in page
    assert "YYYY" not in page
    assert "<legend>Date of birth</legend>" in page
    assert (
        '<span class="helptext" id="id_date_of_birth_helptext">For example, 27 3 2007</span>'
        in page
    )
    for part, label in [("day", "Day"), ("month", "Month"), ("year", "Year")]:
        assert f'<label for="id_date_of_birth_{part}">{label}</label>' in page
        assert f'name="date_of_birth_{part}"' in page
        assert f'autocomplete="bday-{part}"' in page
    assert page.count('inputmode="numeric"') == 3


def test_the_example_date_in_the_hint_is_accepted(client) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", form(cohort, **born("27", "3", "2007")))
    assert response.status_code == 302
    assert Application.objects.get().date_of_birth == date(2007, 3, 27)


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "box"),
    [
        ("", "", "", "Enter a date of birth, like 27 3 2007.", "day"),
        ("27", "", "2007", "The date of birth must include a month.", "month"),
        ("", "3", "", "The date of birth must include a day and a year.", "day"),
        ("27", "March", "2007", "Enter the date of birth in numbers, like 27 3 2007.", "month"),
        ("31", "2", "2000", "The date of birth must be a real date, like 27 3 2007.", "day"),
        ("3", "13", "2000", "The date of birth must be a real date, like 27 3 2007.", "month"),
        ("27", "3", "07", "The year must have 4 numbers, like 2007.", "year"),
        ("1", "1", "1850", "The year of birth must be 1900 or later.", "year"),
    ],
)
def test_a_date_of_birth_that_is_not_right_says_what_to_fix(
    client, day: str, month: str, year: str, message: str, box: str
) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", form(cohort, **born(day, month, year)))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<ul class="errorlist" id="id_date_of_birth_error"><li>{message}</li></ul>' in page
    # The summary at the top links to the box to fix.
    assert f'<li><a href="#id_date_of_birth_{box}">{message}</a></li>' in page
    assert 'aria-describedby="id_date_of_birth_helptext id_date_of_birth_error"' in page
    assert page.count('aria-invalid="true"') == 3  # each of the three boxes
    assert not Application.objects.exists()


def test_a_date_of_birth_in_the_future_keeps_what_was_typed(client) -> None:
    cohort = CohortFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    typed = born(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))
    page = client.post("/apply/phlebotomy/", form(cohort, **typed)).content.decode()
    assert "The date of birth must be in the past." in page
    assert f'name="date_of_birth_year" value="{tomorrow.year}"' in page


# -- decline, withdraw and leave ask once more --------------------------------------------------


def test_decline_asks_once_more_on_its_own_page_and_changes_nothing(client) -> None:
    cohort = CohortFactory(capacity=1, name="Spring evening", starts_on=date(2027, 2, 1))
    offered, _ = application_submit(cohort=cohort, **applicant(1))
    url = f"/status/{offered.status_token}/decline/"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Decline your offer?</h1>" in page
    assert "Phlebotomy, Spring evening, starting Monday, February 1, 2027" in page
    assert "the seat is offered straight away to the next person on the waitlist" in page
    assert "You cannot undo this." in page
    assert f'<form method="post" action="{url}">' in page
    assert '<button class="warning" type="submit">Yes, decline my offer</button>' in page
    assert f'<a class="keep" href="/status/{offered.status_token}/">No, keep my offer</a>' in page
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED


def test_confirming_the_decline_declines_and_offers_the_seat_to_the_next_in_line(client) -> None:
    cohort = CohortFactory(capacity=1)
    offered, _ = application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    response = client.post(f"/status/{offered.status_token}/decline/", follow=True)
    assert response.redirect_chain == [(f"/status/{offered.status_token}/", 302)]
    assert "You declined the offer." in response.content.decode()
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert (offered.status, waiting.status) == (Status.DECLINED, Status.OFFERED)


def test_leaving_the_waitlist_asks_first_and_says_what_cannot_be_undone(client) -> None:
    cohort = CohortFactory(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    application_submit(cohort=cohort, **applicant(2))
    waiting, _ = application_submit(cohort=cohort, **applicant(3))
    page = client.get(f"/status/{waiting.status_token}/withdraw/").content.decode()
    assert "<h1>Leave the waitlist?</h1>" in page
    assert "You are number 2 on the waitlist" in page
    assert "If you apply again later, you join the end of the waitlist." in page
    assert "Yes, leave the waitlist" in page
    assert "No, stay on the waitlist" in page

    client.post(f"/status/{waiting.status_token}/withdraw/")
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN


def test_an_enrolled_applicant_is_asked_before_withdrawing(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    client.post(f"/status/{offered.status_token}/accept/")
    page = client.get(f"/status/{offered.status_token}/withdraw/").content.decode()
    assert "<h1>Withdraw from the program?</h1>" in page
    assert "your enrollment ends today" in page
    assert "You cannot undo this." in page
    assert "No, stay enrolled" in page
    offered.refresh_from_db()
    assert offered.status == Status.ENROLLED


def test_the_status_page_links_to_the_questions_and_posts_only_accept(client) -> None:
    cohort = CohortFactory(capacity=1)
    offered, _ = application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    page = client.get(f"/status/{offered.status_token}/").content.decode()
    assert page.count('<form method="post"') == 1
    assert f'action="/status/{offered.status_token}/accept/"' in page
    assert f'href="/status/{offered.status_token}/decline/">Decline the offer</a>' in page
    page = client.get(f"/status/{waiting.status_token}/").content.decode()
    assert '<form method="post"' not in page
    assert f'href="/status/{waiting.status_token}/withdraw/">Leave the waitlist</a>' in page


def test_a_question_that_no_longer_applies_shows_the_status_page(client) -> None:
    cohort = CohortFactory(capacity=1)
    declined, _ = application_submit(cohort=cohort, **applicant(1))
    client.post(f"/status/{declined.status_token}/decline/")
    waiting, _ = application_submit(cohort=CohortFactory(capacity=0), **applicant(2))
    lapsed, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(3))
    Application.objects.filter(pk=lapsed.pk).update(offer_expires_at=timezone.now())
    for application, verb in [(declined, "decline"), (waiting, "decline"), (lapsed, "decline")]:
        response = client.get(f"/status/{application.status_token}/{verb}/")
        assert response.status_code == 302
        assert response.url == f"/status/{application.status_token}/"
    lapsed.refresh_from_db()
    assert lapsed.status == Status.OFFERED  # a GET never writes


def test_an_unknown_token_has_no_question(client) -> None:
    assert client.get("/status/not-a-token/decline/").status_code == 404
    assert client.get("/status/not-a-token/withdraw/").status_code == 404
    assert client.post("/status/not-a-token/decline/").status_code == 404


def test_the_questions_draw_on_the_status_pages_allowance(client, monkeypatch) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    assert client.get(f"/status/{offered.status_token}/").status_code == 200
    assert client.get(f"/status/{offered.status_token}/decline/").status_code == 200
    assert client.get(f"/status/{offered.status_token}/decline/").status_code == 429


def test_an_inactive_program_has_no_form(client) -> None:
    ProgramFactory(is_active=False)
    assert client.get("/apply/phlebotomy/").status_code == 404


def test_the_admin_previews_a_capacity_change_before_saving_it(client, admin_user) -> None:
    cohort = CohortFactory(capacity=1)
    for n in range(4):
        application_submit(cohort=cohort, **applicant(n))
    client.force_login(admin_user)
    url = f"/admin/enrollment/cohort/{cohort.pk}/capacity/"
    preview = client.post(url, {"capacity": 3}).content.decode()
    assert "Saving this sends 2 offers to the waitlist" in preview
    cohort.refresh_from_db()
    assert cohort.capacity == 1
    client.post(url, {"capacity": 3, "previewed": 3})
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert cohort.applications.filter(status=Status.OFFERED).count() == 3


def test_the_admin_is_told_when_capacity_would_go_below_the_seats_taken(client, admin_user) -> None:
    cohort = CohortFactory(capacity=2)
    for n in range(2):
        application_submit(cohort=cohort, **applicant(n))
    client.force_login(admin_user)
    page = client.post(
        f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": 1, "previewed": 1}
    )
    assert "2 seats are taken or offered" in page.content.decode()


def test_the_admin_lists_cohorts_with_their_counts_and_applications_with_history(
    client, admin_user
) -> None:
    cohort = CohortFactory(capacity=1)
    application, _ = application_submit(cohort=cohort, **applicant(1))
    client.force_login(admin_user)
    assert client.get("/admin/enrollment/cohort/").status_code == 200
    page = client.get(f"/admin/enrollment/application/{application.pk}/change/").content.decode()
    assert "A seat was free." in page
    assert client.get("/admin/enrollment/application/?q=jamie1").status_code == 200
