"""The seat invariant under real concurrency: threads with their own connections, on whichever
database the pass uses (row locks on PostgreSQL, the IMMEDIATE write lock on SQLite)."""

import pytest
from django.db.models import Count, Q
from rest_framework.test import APIClient

from backend.api import ApplyRateThrottle
from enrollment.applying import application_submit
from enrollment.models import Application, Status
from enrollment.selectors import waitlist
from tests.concurrency import at_once
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """All these clients share one address; the load test sets APPLY_RATE=off the same way."""
    monkeypatch.setattr(ApplyRateThrottle, "THROTTLE_RATES", {"apply": None})


def post_application(cohort_id: int, n: int) -> tuple[int, dict]:
    response = APIClient().post(
        "/api/v1/applications/",
        {**applicant(n, date_of_birth="1998-05-17"), "cohort": cohort_id},
        format="json",
    )
    return response.status_code, response.json()


def assert_invariant(cohort) -> None:
    counts = cohort.applications.aggregate(
        held=Count("id", filter=Q(status__in=[Status.OFFERED, Status.ENROLLED])),
        waiting=Count("id", filter=Q(status=Status.WAITLISTED)),
    )
    assert counts["held"] <= cohort.capacity
    if counts["waiting"]:
        assert counts["held"] == cohort.capacity, "a seat is free while people wait"
    positions = [a.position for a in waitlist(cohort)]
    assert positions == list(range(1, counts["waiting"] + 1))


def test_100_concurrent_applications_for_10_seats_give_10_offers_and_positions_1_to_90() -> None:
    cohort = CohortFactory(capacity=10)
    results = at_once(post_application, [(cohort.pk, n) for n in range(100)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {code for code, _ in results} == {201}
    offered = [body for _, body in results if body["status"] == "offered"]
    positions = sorted(
        body["waitlist_position"] for _, body in results if body["status"] == "waitlisted"
    )
    assert len(offered) == 10
    assert positions == list(range(1, 91))
    # First come, first served: every offer went to someone who arrived before every waiter.
    last_offer = max(
        Application.objects.filter(status=Status.OFFERED).values_list("submitted_at", flat=True)
    )
    first_wait = min(
        Application.objects.filter(status=Status.WAITLISTED).values_list("submitted_at", flat=True)
    )
    assert last_offer <= first_wait
    assert_invariant(cohort)


def test_20_identical_concurrent_submissions_create_one_application() -> None:
    cohort = CohortFactory(capacity=5)
    results = at_once(post_application, [(cohort.pk, 7)] * 20, threads=20)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(code for code, _ in results) == [201] + [409] * 19
    # The repeats learn nothing of the first application.
    assert all("id" not in body for code, body in results if code == 409)
    assert Application.objects.count() == 1


def test_concurrent_accepts_declines_and_withdraws_keep_the_invariant() -> None:
    cohort = CohortFactory(capacity=10)
    people = [application_submit(cohort=cohort, **applicant(n))[0] for n in range(40)]
    verbs = ["accept", "decline", "withdraw", "withdraw"]
    calls = [(person, verbs[n % 4]) for n, person in enumerate(people)]

    def act(person: Application, verb: str) -> int:
        return (
            APIClient()
            .post(f"/api/v1/applications/{person.pk}/{verb}/?token={person.status_token}")
            .status_code
        )

    results = at_once(act, calls, threads=40)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert set(results) <= {200, 409}
    cohort.refresh_from_db()
    assert_invariant(cohort)
    # Every decline or withdraw that succeeded freed a seat that went straight to the next in line.
    assert cohort.applications.filter(status__in=[Status.OFFERED, Status.ENROLLED]).count() == 10


def test_concurrent_capacity_raises_and_applications_never_overbook() -> None:
    from enrollment.services import Actor, cohort_set_capacity

    cohort = CohortFactory(capacity=2)

    def change(kind: str, n: int) -> object:
        if kind == "capacity":
            return cohort_set_capacity(cohort=cohort, capacity=2 + n, actor=Actor(label="staff"))
        return post_application(cohort.pk, n)

    calls = [("apply", n) for n in range(30)] + [("capacity", n) for n in (1, 3, 5)]
    results = at_once(change, calls, threads=33)
    assert [
        r for r in results if isinstance(r, Exception) and "cannot go below" not in str(r)
    ] == []
    cohort.refresh_from_db()
    assert_invariant(cohort)
