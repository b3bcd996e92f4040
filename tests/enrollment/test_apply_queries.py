"""The application endpoint is the hot path of an enrollment rush: its queries are pinned."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db


def test_a_new_application_costs_a_fixed_handful_of_queries(
    api, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(capacity=1)
    for n in range(3):
        api.post("/api/v1/applications/", {**applicant(n), "cohort": cohort.pk}, format="json")
    body = {
        **applicant(9, consent={"updates_sms": True, "email": True}),
        "cohort": cohort.pk,
    }
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.post("/api/v1/applications/", body, format="json")
    assert response.json()["waitlist_position"] == 3
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # First the throttle, in the shared cache's table (no REDIS_URL): read this address's count,
    # count the table's rows (Django culls past MAX_ENTRIES), find the row and update it.
    # Inside the transaction, before the cohort lock: the submitted application, its consent
    # rows and their field-history rows (one statement each). Under the lock: lock the cohort,
    # one aggregate of its seats, the decision (status and place in line), the application's
    # field-history row and its two status-history rows (one statement). After commit, the
    # email task (run at once in tests) reads the application, logs the message and records it
    # as sent (an email about the application needs no consent read).
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == [
        *("SELECT", "SELECT", "SELECT", "UPDATE"),
        *("INSERT", "INSERT", "INSERT"),
        *("SELECT", "SELECT", "UPDATE", "INSERT", "INSERT"),
        *("SELECT", "INSERT", "UPDATE"),
    ], statements
