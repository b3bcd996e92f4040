"""A program's own page, `/programs/<slug>/`: what the school set about it (each detail shown only
when set), and its next classes with live seats counted by the same rule as every other reader
(enrollment.selectors), a lapsed offer's seat free again."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Status
from enrollment.services import Actor, application_accept
from tests.factories import ApplicationFactory, CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db

DETAILS = {
    "length": "4 weeks",
    "schedule": "Evening classes, live online, Monday to Thursday, 6 to 9 pm",
    "clinical_requirement": "30 successful venipunctures and 10 capillary or finger sticks.",
    "tuition_cents": 120050,
    "tuition_includes": "Study materials\n\nYour first NHA CPT exam attempt\n",
    "fees": "Registration fee: $100\nBackground check: $85",
    "payment_options": "Pay in full\nA monthly payment plan",
    "requirements_to_apply": "18 or older when your class starts\nA high-school diploma or GED",
}


def text(response) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def card(response, cohort) -> str:
    """The words of one class's card on the page."""
    html = response.content.decode()
    start = html.index(f'data-cohort="{cohort.pk}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</li>", start)]))


def test_it_shows_every_detail_the_school_set(client) -> None:
    program = ProgramFactory(**DETAILS)
    response = client.get("/programs/phlebotomy/")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Phlebotomy</h1>" in response.content.decode()
    for words in [
        "Length 4 weeks",
        f"Schedule {DETAILS['schedule']}",
        f"How you study {program.delivery}",
        "Prepares you for the NHA CPT exam",
        DETAILS["clinical_requirement"],
        "Tuition $1,200.50",
        "The $1,200.50 tuition includes",
        "Requirements to apply",
    ]:
        assert words in page, words
    html = response.content.decode()
    for item in [
        "Study materials",
        "Your first NHA CPT exam attempt",
        "Registration fee: $100",
        "Background check: $85",
        "Pay in full",
        "A monthly payment plan",
        "18 or older when your class starts",
        "A high-school diploma or GED",
    ]:
        assert f"<li>{item}</li>" in html, item
    assert "<li></li>" not in html  # the blank line typed between two items


def test_a_detail_left_blank_is_not_shown(client) -> None:
    ProgramFactory(duration_weeks=4)
    response = client.get("/programs/phlebotomy/")
    page = text(response)
    assert "Length 4 weeks" in page  # no length in words: the weeks
    for heading in [
        "Schedule",
        "Tuition",
        "Cost",
        "Fees",
        "Ways to pay",
        "Requirements to apply",
        "Clinical requirement",
    ]:
        assert heading not in page, heading


def test_a_whole_tuition_reads_without_cents(client) -> None:
    ProgramFactory(tuition_cents=340000)
    assert "Tuition $3,400 " in text(client.get("/programs/phlebotomy/"))


def test_seats_left_count_enrolled_and_live_offers_but_not_a_lapsed_offer(client, api) -> None:
    cohort = CohortFactory(capacity=5, name="Spring evening")
    enrolled, _ = application_submit(cohort=cohort, **applicant(1))
    application_accept(application=enrolled, actor=Actor.of(None))
    application_submit(cohort=cohort, **applicant(2))  # a live offer
    ApplicationFactory(
        cohort=cohort,
        email="lapsed@example.com",
        status=Status.OFFERED,
        offered_at=timezone.now() - timedelta(hours=49),
        offer_expires_at=timezone.now() - timedelta(hours=1),
    )

    response = client.get("/programs/phlebotomy/")

    assert "3 seats left" in card(response, cohort)
    assert api.get(f"/api/v1/cohorts/{cohort.pk}/").json()["seats_left"] == 3  # the same rule


def test_one_seat_left_is_said_in_the_singular(client) -> None:
    cohort = CohortFactory(capacity=1)
    assert "1 seat left" in card(client.get("/programs/phlebotomy/"), cohort)


def test_each_class_has_its_own_apply_button_that_chooses_it_on_the_form(client) -> None:
    first = CohortFactory(name="Spring evening")
    later = CohortFactory(
        name="Summer evening", starts_on=timezone.localdate() + timedelta(days=120)
    )
    page = client.get("/programs/phlebotomy/").content.decode()
    assert page.index("Spring evening") < page.index("Summer evening")  # earliest first
    for cohort in (first, later):
        assert f'href="/apply/phlebotomy/?cohort={cohort.pk}"' in page
        assert f'Apply<span class="visually-hidden"> for {cohort.name}</span>' in page

    form = client.get(f"/apply/phlebotomy/?cohort={later.pk}").content.decode()
    assert f'<option value="{later.pk}" selected>' in form
    assert f'<option value="{first.pk}">' in form


def test_a_class_that_is_not_offered_on_the_form_is_not_chosen_for_you(client) -> None:
    first = CohortFactory()
    for wanted in ["999", "abc", ""]:
        form = client.get(f"/apply/phlebotomy/?cohort={wanted}").content.decode()
        assert f'<option value="{first.pk}" selected>' in form


def test_a_full_class_says_join_the_waitlist(client) -> None:
    cohort = CohortFactory(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    words = card(client.get("/programs/phlebotomy/"), cohort)
    assert "Full: join the waitlist" in words
    assert "Join the waitlist for" in words
    assert "seats left" not in words


def test_a_waitlist_only_program_says_so_on_every_class(client) -> None:
    cohort = CohortFactory(program=ProgramFactory(waitlist_only=True), capacity=5)
    response = client.get("/programs/phlebotomy/")
    assert "enrollments are now closed" in text(response)
    words = card(response, cohort)
    assert "Waitlist only" in words
    assert "Join the waitlist for" in words
    assert "seats left" not in words


def test_a_class_past_its_cutoff_is_not_listed(client) -> None:
    CohortFactory(name="Started already", starts_on=timezone.localdate() - timedelta(days=1))
    page = text(client.get("/programs/phlebotomy/"))
    assert "Started already" not in page
    assert "No class of this program is open for applications right now." in page


def said(day) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


def test_class_dates_read_as_people_write_them(client) -> None:
    starts = timezone.localdate() + timedelta(days=60)
    cohort = CohortFactory(starts_on=starts)
    assert f"Starts {said(starts)} Ends {said(cohort.ends_on)} " in text(
        client.get("/programs/phlebotomy/")
    )
    assert "Applications close" not in card(client.get("/programs/phlebotomy/"), cohort)
    cohort.enrollment_cutoff = starts - timedelta(days=14)  # earlier than the start: said
    cohort.save()
    words = card(client.get("/programs/phlebotomy/"), cohort)
    assert f"Applications close {said(cohort.enrollment_cutoff)}" in words


def test_an_unknown_or_inactive_program_is_a_404(client) -> None:
    assert client.get("/programs/dentistry/").status_code == 404
    CohortFactory(program=ProgramFactory(is_active=False))
    assert client.get("/programs/phlebotomy/").status_code == 404


def test_it_only_answers_reads(client) -> None:
    ProgramFactory()
    assert client.post("/programs/phlebotomy/").status_code == 405


def test_it_reads_the_program_and_its_classes_in_two_queries(client) -> None:
    program = ProgramFactory(**DETAILS)
    CohortFactory(program=program)
    with CaptureQueriesContext(connection) as one:
        client.get("/programs/phlebotomy/")
    CohortFactory.create_batch(4, program=program)
    # 1. the program; 2. its open cohorts with their seat counts
    with CaptureQueriesContext(connection) as many:
        assert client.get("/programs/phlebotomy/").status_code == 200
    assert len(one) == len(many) == 2, [q["sql"][:80] for q in many.captured_queries]


def test_the_home_page_links_each_program_to_its_page(client) -> None:
    CohortFactory(program=ProgramFactory(length="4 weeks"))
    page = client.get("/").content.decode()
    assert '<h2><a href="/programs/phlebotomy/">Phlebotomy</a></h2>' in page
    assert "4 weeks ·" in page
