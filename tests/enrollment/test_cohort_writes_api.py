"""Admins create and change cohorts through the API as they do in the Django admin: the same
rules, the same capacity change (the seats it frees go to the waitlist at once, by message) and
the same preview in numbers and words, and each change in the cohort's history.

The cast: an admin (may do all of it), a coach (reads cohorts with their counts, changes none), a
student and someone signed out (neither)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from enrollment.applying import application_submit
from enrollment.models import Application, Cohort, Status
from tests.conftest import client_for, with_role
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db


def fill(cohort: Cohort, count: int, start: int = 0) -> list[Application]:
    return [application_submit(cohort=cohort, **applicant(start + n))[0] for n in range(count)]


def day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def new_cohort(**overrides: object) -> dict:
    return {
        "program": "phlebotomy",
        "name": "Spring evenings",
        "starts_on": day(60),
        "ends_on": day(88),
        "capacity": 12,
        **overrides,
    }


def admin_preview(admin_user, cohort: Cohort, capacity: int) -> str:
    """The sentence the admin's "Change capacity" page shows."""
    client = Client()
    client.force_login(admin_user)
    page = client.post(f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": capacity})
    found = re.search(r'<p class="preview" id="capacity-preview">(.*?)</p>', page.content.decode())
    return found.group(1).replace("&#x27;", "'")


def test_an_admin_creates_a_cohort_that_applicants_see_at_once(admin_user, api) -> None:
    ProgramFactory()
    coach = with_role("coach", email="ann@school.test")

    created = client_for(admin_user).post(
        "/api/v1/cohorts/", new_cohort(coaches=[coach.pk]), format="json"
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["enrollment_cutoff"] == day(60)  # the start date, as in the admin
    assert (body["capacity"], body["seats_left"], body["coaches"]) == (12, 12, [coach.pk])
    public = api.get(f"/api/v1/cohorts/{body['id']}/").json()
    assert (public["name"], public["status"]) == ("Spring evenings", "open")
    cohort = Cohort.objects.get(pk=body["id"])
    [entry] = cohort.audit_trail.all()
    assert (entry.history_type, entry.history_user) == ("+", admin_user)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ends_on": day(30)}, "ends_on", "A cohort ends on or after the day it starts."),
        ({"program": "dentistry"}, "program", "Object with slug=dentistry does not exist."),
        ({"capacity": -1}, "capacity", "Ensure this value is greater than or equal to 0."),
        ({"name": ""}, "name", "This field may not be blank."),
        ({"starts_on": "next week"}, "starts_on", None),
    ],
)
def test_a_cohort_that_breaks_a_rule_is_a_field_error_and_nothing_is_made(
    admin_user, change, field, message
) -> None:
    ProgramFactory()

    answer = client_for(admin_user).post("/api/v1/cohorts/", new_cohort(**change), format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    if message:
        assert answer.json()[field] == [message]
    assert not Cohort.objects.exists()


def test_only_active_coaches_coach_a_cohort(admin_user) -> None:
    ProgramFactory()
    supervisor = with_role("supervisor", first_name="Sam", last_name="Reyes")
    retired = with_role("coach", first_name="Ray", last_name="Old", is_active=False)

    answer = client_for(admin_user).post(
        "/api/v1/cohorts/", new_cohort(coaches=[supervisor.pk, retired.pk]), format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["coaches"] == ["Not an active coach: Sam Reyes, Ray Old."]
    assert not Cohort.objects.exists()


def test_a_capacity_raise_offers_the_first_waitlisted_their_seat_by_email(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(capacity=1)
    _, first, second = fill(cohort, 3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(admin_user).patch(
            f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 2}, format="json"
        )

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["capacity"], answer.json()["offered_count"]) == (2, 2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.OFFERED, Status.WAITLISTED)
    [offer] = mail.outbox
    assert offer.to == ["jamie1@example.com"]
    assert "accept" in offer.subject.lower()
    # Who did it: the admin, in the cohort's history and in the offered application's.
    newest = cohort.audit_trail.filter(capacity=2).get()
    assert (newest.history_type, newest.history_user) == ("~", admin_user)
    assert first.audit_trail.first().history_user == admin_user
    assert first.history.last().reason == "A seat became free."


def test_a_capacity_below_the_seats_taken_is_refused_in_the_admins_words(admin_user) -> None:
    cohort = CohortFactory(capacity=5, name="Before")
    fill(cohort, 4)
    client = client_for(admin_user)

    answer = client.patch(
        f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 3, "name": "After"}, format="json"
    )
    preview = client.get(f"/api/v1/cohorts/{cohort.pk}/capacity-preview/", {"capacity": 3})

    refusal = ["4 seats are taken or offered; capacity cannot go below that."]
    assert (answer.status_code, answer.json()["capacity"]) == (400, refusal)
    assert (preview.status_code, preview.json()["capacity"]) == (400, refusal)
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.name) == (5, "Before")  # nothing half-written
    assert cohort.audit_trail.count() == 1


def test_the_preview_counts_and_words_are_the_admins_and_change_nothing(admin_user) -> None:
    cohort = CohortFactory(capacity=20)
    fill(cohort, 23)  # 20 seated, 3 waiting

    answer = client_for(admin_user).get(
        f"/api/v1/cohorts/{cohort.pk}/capacity-preview/", {"capacity": 24}
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["explained"] == admin_preview(admin_user, cohort, 24)
    assert body["explained"].startswith("Raising capacity from 20 to 24 frees 4 seats: 3 go")
    assert {k: body[k] for k in ("current", "capacity", "held", "waiting", "free")} == {
        "current": 20,
        "capacity": 24,
        "held": 20,
        "waiting": 3,
        "free": 4,
    }
    assert (body["offers"], body["owed"], body["left_open"]) == (3, 0, 1)
    assert (body["past_cutoff"], body["waitlist_only"]) == (False, False)
    cohort.refresh_from_db()
    assert cohort.capacity == 20
    assert cohort.applications.filter(status=Status.WAITLISTED).count() == 3


def test_the_preview_needs_a_whole_capacity(admin_user) -> None:
    cohort = CohortFactory()
    client = client_for(admin_user)
    url = f"/api/v1/cohorts/{cohort.pk}/capacity-preview/"

    assert client.get(url).json()["capacity"] == ["This field is required."]
    assert client.get(url, {"capacity": "many"}).json()["capacity"] == [
        "A valid integer is required."
    ]
    assert client.get(url, {"capacity": "-2"}).status_code == 400


def test_other_fields_change_with_the_models_rules_and_keep_who_changed_them(
    admin_user,
) -> None:
    cohort = CohortFactory(capacity=4)
    coach = with_role("coach")
    client = client_for(admin_user)
    url = f"/api/v1/cohorts/{cohort.pk}/"

    moved = client.patch(
        url,
        {"name": "Renamed", "enrollment_cutoff": day(50), "coaches": [coach.pk]},
        format="json",
    )
    backwards = client.patch(url, {"ends_on": day(1)}, format="json")
    stranger = client.patch(url, {"program": "medical-assistant"}, format="json")

    assert moved.status_code == 200
    assert (moved.json()["name"], moved.json()["coaches"]) == ("Renamed", [coach.pk])
    assert backwards.json() == {"ends_on": ["A cohort ends on or after the day it starts."]}
    assert stranger.json() == {"program": ["This field is not accepted here."]}
    cohort.refresh_from_db()
    assert (cohort.name, cohort.enrollment_cutoff.isoformat()) == ("Renamed", day(50))
    entry = cohort.audit_trail.first()
    assert (entry.history_user, entry.name) == (admin_user, "Renamed")


def test_only_admins_write_or_preview(api, coach, student) -> None:
    ProgramFactory()
    cohort = CohortFactory(capacity=3)
    preview = f"/api/v1/cohorts/{cohort.pk}/capacity-preview/?capacity=4"
    for client, code in ((api, 401), (client_for(coach), 403), (client_for(student), 403)):
        assert client.post("/api/v1/cohorts/", new_cohort(), format="json").status_code == code
        patched = client.patch(f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 9}, format="json")
        assert patched.status_code == code
        assert client.get(preview).status_code == code
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert Cohort.objects.count() == 1


def test_an_unknown_cohort_is_a_404(admin_user) -> None:
    client = client_for(admin_user)
    assert client.patch("/api/v1/cohorts/999/", {"capacity": 3}, format="json").status_code == 404
    assert client.get("/api/v1/cohorts/999/capacity-preview/?capacity=3").status_code == 404


def test_the_staff_cohort_list_costs_the_same_queries_for_2_or_20_cohorts(
    coach, django_assert_num_queries
) -> None:
    for count in (2, 20):
        for _ in range(count - Cohort.objects.count()):
            CohortFactory().coaches.add(coach)
        client = client_for(User.objects.get(pk=coach.pk))
        # the user's roles, the count, the page with its counts, the page's coaches
        with django_assert_num_queries(4):
            answer = client.get("/api/v1/cohorts/")
        assert answer.json()["count"] == count
