"""Programs and cohorts with live seats; the staff-only waitlist and application list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from enrollment.applying import application_submit
from enrollment.models import Application
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db


def fill(cohort, count: int, start: int = 0) -> list[Application]:
    return [application_submit(cohort=cohort, **applicant(start + n))[0] for n in range(count)]


def test_a_program_shows_its_seat_status_and_next_cohort(api) -> None:
    program = ProgramFactory(few_left_at=2)
    cohort = CohortFactory(program=program, capacity=5)
    assert api.get("/api/v1/programs/phlebotomy/").json()["seat_status"] == "open"
    fill(cohort, 3)
    body = api.get("/api/v1/programs/phlebotomy/").json()
    assert body["seat_status"] == "few_left"
    assert body["next_cohort"]["id"] == cohort.pk
    assert body["next_cohort"]["seats_left"] == 2
    fill(cohort, 2, start=10)
    assert api.get("/api/v1/programs/phlebotomy/").json()["seat_status"] == "waitlist_only"


def test_a_program_without_an_open_cohort_is_closed(api) -> None:
    CohortFactory(starts_on=timezone.localdate() - timedelta(days=1))
    body = api.get("/api/v1/programs/phlebotomy/").json()
    assert body["seat_status"] == "closed"
    assert body["next_cohort"] is None


def test_a_waitlist_only_program_says_so_even_with_seats(api) -> None:
    CohortFactory(program=ProgramFactory(waitlist_only=True), capacity=5)
    assert api.get("/api/v1/programs/phlebotomy/").json()["seat_status"] == "waitlist_only"


def test_a_program_carries_what_its_page_shows_and_keeps_its_fields(api) -> None:
    ProgramFactory(duration_weeks=4, tuition_cents=120000, fees="Registration fee: $100")
    body = api.get("/api/v1/programs/phlebotomy/").json()
    assert {
        "slug",
        "name",
        "track",
        "duration_weeks",
        "delivery",
        "credential",
        "seat_status",
        "next_cohort",
    } <= set(body)
    assert body["duration_weeks"] == 4
    assert body["length"] == "4 weeks"  # no length in words: the weeks
    assert body["tuition_cents"] == 120000
    assert body["fees"] == "Registration fee: $100"
    assert body["schedule"] == body["payment_options"] == body["requirements_to_apply"] == ""


def test_an_unknown_program_is_a_404(api) -> None:
    assert api.get("/api/v1/programs/dentistry/").status_code == 404


def test_the_program_list_costs_the_same_queries_for_one_or_many_cohorts(api) -> None:
    CohortFactory()
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/programs/")
    for slug in ["a", "b", "c"]:
        program = ProgramFactory(slug=slug, name=slug)
        CohortFactory.create_batch(3, program=program)
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/programs/")
    # programs (count + page), lapsed-offer check, cohorts with counts
    assert len(many) == len(one)


def test_the_public_sees_seats_and_staff_also_see_the_counts(api, coach) -> None:
    cohort = CohortFactory(capacity=2)
    fill(cohort, 3)
    public = api.get(f"/api/v1/cohorts/{cohort.pk}/").json()
    assert public["seats_left"] == 0
    assert public["status"] == "waitlist_only"
    assert "waitlisted_count" not in public
    staff = client_for(coach).get(f"/api/v1/cohorts/{cohort.pk}/").json()
    assert (staff["offered_count"], staff["enrolled_count"], staff["waitlisted_count"]) == (2, 0, 1)


def test_cohorts_filter_by_program_status_and_start(api) -> None:
    soon = CohortFactory(starts_on=timezone.localdate() + timedelta(days=10), capacity=1)
    later = CohortFactory(starts_on=timezone.localdate() + timedelta(days=100))
    other = CohortFactory(program=ProgramFactory(slug="medical-assistant", name="MA"))
    fill(soon, 1)

    def ids(query: str) -> list[int]:
        return [c["id"] for c in api.get(f"/api/v1/cohorts/?{query}").json()["results"]]

    assert ids("program=phlebotomy") == [soon.pk, later.pk]
    assert ids("status=waitlist_only") == [soon.pk]
    assert ids("status=open&program=medical-assistant") == [other.pk]
    after = (timezone.localdate() + timedelta(days=50)).isoformat()
    assert ids(f"starts_after={after}&program=phlebotomy") == [later.pk]
    assert api.get("/api/v1/cohorts/?status=bogus").status_code == 400
    assert api.get("/api/v1/cohorts/?starts_after=soon").status_code == 400


def test_the_waitlist_lists_positions_in_submission_order_for_staff_only(
    api, coach, student
) -> None:
    cohort = CohortFactory(capacity=1)
    people = fill(cohort, 4)
    assert api.get(f"/api/v1/cohorts/{cohort.pk}/waitlist/").status_code in (401, 403)
    assert client_for(student).get(f"/api/v1/cohorts/{cohort.pk}/waitlist/").status_code == 403
    body = client_for(coach).get(f"/api/v1/cohorts/{cohort.pk}/waitlist/").json()
    assert [(e["id"], e["position"]) for e in body["results"]] == [
        (people[1].pk, 1),
        (people[2].pk, 2),
        (people[3].pk, 3),
    ]


def test_staff_list_and_filter_applications(coach) -> None:
    cohort = CohortFactory(capacity=1)
    first, second = fill(cohort, 2)
    client = client_for(coach)
    body = client.get(f"/api/v1/applications/?cohort={cohort.pk}").json()
    assert [a["id"] for a in body["results"]] == [first.pk, second.pk]
    assert [a["waitlist_position"] for a in body["results"]] == [None, 1]
    waiting = client.get("/api/v1/applications/?status=waitlisted").json()["results"]
    assert [a["id"] for a in waiting] == [second.pk]
    found = client.get("/api/v1/applications/?search=jamie1@").json()["results"]
    assert [a["id"] for a in found] == [second.pk]
    assert client.get("/api/v1/applications/?program=phlebotomy").json()["count"] == 2
    past = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/applications/", {"submitted_after": past}).json()["count"] == 0


def test_the_application_list_costs_the_same_queries_for_2_or_20_rows(
    coach, django_assert_num_queries
) -> None:
    cohort = CohortFactory(capacity=1)
    # the user's roles, the count, the page with positions, the history of the page's rows
    for rows in (2, 20):
        fill(cohort, rows - cohort.applications.count(), start=100 + rows)
        client = client_for(User.objects.get(pk=coach.pk))
        with django_assert_num_queries(4):
            assert client.get("/api/v1/applications/").json()["count"] == rows


def test_applicants_and_students_cannot_list_applications(api, student) -> None:
    assert api.get("/api/v1/applications/").status_code in (401, 403)
    assert client_for(student).get("/api/v1/applications/").status_code == 403
