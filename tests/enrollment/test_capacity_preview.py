"""The admin's capacity preview says in words what a change will do, counted by the same rule
(`offers_due`) as the change itself: how many seats it frees, who is offered one, and what
becomes of the rest (open, owed to a waitlist-only cohort's waitlist, or closed).

The cast: an admin (changes capacity)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Application, Cohort, Status
from enrollment.services import Actor, application_withdraw
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db
STAFF = Actor(label="director@school.test")


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def fill(cohort: Cohort, count: int, start: int = 0) -> list[Application]:
    return [application_submit(cohort=cohort, **applicant(start + n))[0] for n in range(count)]


def preview(client: Client, cohort: Cohort, capacity: int) -> str:
    """The preview's sentence, as the admin reads it."""
    page = client.post(f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": capacity})
    assert page.status_code == 200
    found = re.search(r'<p class="preview" id="capacity-preview">(.*?)</p>', page.content.decode())
    assert found, page.content.decode()
    return found.group(1).replace("&#x27;", "'")


def save(client: Client, cohort: Cohort, capacity: int) -> None:
    url = f"/admin/enrollment/cohort/{cohort.pk}/capacity/"
    client.post(url, {"capacity": capacity, "previewed": capacity})


def waitlist_only(holders: int, waiting: int, capacity: int | None = None) -> Cohort:
    """A cohort filled while open, then its program closed to new enrollment."""
    program = ProgramFactory(waitlist_only=False)
    cohort = CohortFactory(program=program, capacity=capacity or holders)
    fill(cohort, holders)
    program.waitlist_only = True
    program.save()
    fill(cohort, waiting, start=holders)
    return cohort


def test_a_raise_says_who_gets_the_new_seats_and_how_many_stay_open(signed_in) -> None:
    cohort = CohortFactory(capacity=20)
    fill(cohort, 23)  # 20 seated, 3 waiting
    assert preview(signed_in, cohort, 24) == (
        "Raising capacity from 20 to 24 frees 4 seats: 3 go to the first 3 people on the "
        "waitlist, who get an offer by email to accept within 48 hours; 1 stays open for new "
        "applicants."
    )
    save(signed_in, cohort, 24)
    assert cohort.applications.filter(status=Status.OFFERED).count() == 23  # 20 + the 3 told
    assert cohort.applications.filter(status=Status.WAITLISTED).count() == 0


def test_one_new_seat_goes_to_the_first_person_waiting(signed_in) -> None:
    cohort = CohortFactory(capacity=1)
    fill(cohort, 3)
    assert preview(signed_in, cohort, 2) == (
        "Raising capacity from 1 to 2 frees 1 seat: 1 goes to the first person on the waitlist, "
        "who gets an offer by email to accept within 48 hours."
    )


def test_a_lapsed_offer_counts_among_the_seats_already_free(signed_in) -> None:
    cohort = CohortFactory(capacity=2)
    lapsed, _, _ = fill(cohort, 3)
    Application.objects.filter(pk=lapsed.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert preview(signed_in, cohort, 3) == (
        "Raising capacity from 2 to 3 frees 1 seat, which with the 1 already free makes 2: "
        "1 goes to the first person on the waitlist, who gets an offer by email to accept "
        "within 48 hours; 1 stays open for new applicants."
    )


def test_a_waitlist_only_raise_offers_the_added_seats_and_owes_the_rest(signed_in) -> None:
    cohort = waitlist_only(holders=2, waiting=1)
    assert preview(signed_in, cohort, 5) == (
        "Raising capacity from 2 to 5 frees 3 seats: 1 goes to the first person on the waitlist, "
        "who gets an offer by email to accept within 48 hours; 2 stay owed to the waitlist, so "
        "the next 2 people to join it get an offer at once."
    )
    save(signed_in, cohort, 5)
    # As said: the next two to join are offered a seat at once, the third waits.
    newcomers = fill(cohort, 3, start=10)
    assert [a.status for a in newcomers] == [Status.OFFERED, Status.OFFERED, Status.WAITLISTED]


def test_a_seat_given_back_to_a_waitlist_only_cohort_is_owed_to_the_next_to_join(
    signed_in,
) -> None:
    cohort = waitlist_only(holders=1, waiting=0)
    application_withdraw(application=cohort.applications.get(), actor=STAFF)
    assert preview(signed_in, cohort, 1) == (
        "Capacity stays at 1, with 1 seat free: 1 stays owed to the waitlist, so the next "
        "person to join it gets an offer at once."
    )


def test_a_waitlist_only_cohorts_never_taken_seats_stay_closed(signed_in) -> None:
    cohort = waitlist_only(holders=1, waiting=2, capacity=4)  # 3 seats never taken
    assert preview(signed_in, cohort, 6) == (
        "Raising capacity from 4 to 6 frees 2 seats, which with the 3 already free makes 5: "
        "2 go to the first 2 people on the waitlist, who get an offer by email to accept within "
        "48 hours; 3 stay closed, because Phlebotomy is waitlist-only and only seats given back "
        "go to the waitlist."
    )
    save(signed_in, cohort, 6)
    assert cohort.applications.filter(status=Status.WAITLISTED).count() == 0


def test_after_the_cutoff_nobody_is_offered_a_seat(signed_in) -> None:
    cohort = CohortFactory(capacity=1)
    fill(cohort, 2)
    Cohort.objects.filter(pk=cohort.pk).update(enrollment_cutoff=timezone.localdate())
    cohort.refresh_from_db()
    sentence = preview(signed_in, cohort, 3)
    assert sentence.startswith(
        "Raising capacity from 1 to 3 frees 2 seats, but no one is offered a seat: enrollment "
        "closed on "
    )
    assert f"{timezone.localdate():%B %-d, %Y}" in sentence


def test_a_lower_capacity_that_still_fits_says_what_stays_free(signed_in) -> None:
    cohort = CohortFactory(capacity=10)
    fill(cohort, 4)
    assert preview(signed_in, cohort, 6) == (
        "Lowering capacity from 10 to 6 leaves 2 seats free: 2 stay open for new applicants."
    )
    assert preview(signed_in, cohort, 4) == (
        "Lowering capacity from 10 to 4 leaves no seat free; nobody is offered a seat."
    )


def test_a_capacity_below_the_seats_taken_is_refused_at_the_preview(signed_in) -> None:
    cohort = CohortFactory(capacity=5)
    fill(cohort, 4)
    page = signed_in.post(f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": 3})
    html = page.content.decode()
    assert "4 seats are taken or offered; capacity cannot go below that." in html
    assert "Save capacity" not in html
    cohort.refresh_from_db()
    assert cohort.capacity == 5
