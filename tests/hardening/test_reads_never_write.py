"""Reads never write: every GET of the access matrix (API operations and pages) as every role
leaves every table as it was, takes no row lock and sends nothing, even with a lapsed offer and
someone waiting for its seat. The lapsed offer shows as a free seat all the same; the periodic job
or the next write to the cohort settles it."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.models import ExportJob
from enrollment.models import Application, Status
from messaging.models import Message
from tests.factories import ApplicationFactory, CohortFactory
from tests.hardening import operations
from tests.hardening.access_table import API, PAGES
from tests.hardening.test_bad_input import WRITE_SQL, snapshot
from tests.hardening.test_page_access import page_url
from tests.hardening.world import ROLES, World, build_world


def _lapsed_offer_with_a_waiter(world: World) -> tuple[Application, Application]:
    cohort = CohortFactory(program=world.cohort.program, capacity=1)
    lapsed = ApplicationFactory(
        cohort=cohort,
        email="lapsed@example.com",
        status=Status.OFFERED,
        offered_at=timezone.now() - timedelta(hours=49),
        offer_expires_at=timezone.now() - timedelta(hours=1),
    )
    waiting = ApplicationFactory(cohort=cohort, email="next@example.com", status="waitlisted")
    return lapsed, waiting


# The one GET that may write: a complete student's first certificate download issues it, under
# a lock on the student (here the world's student is not complete, so it only locks and refuses).
ISSUES_ON_FIRST_READ = "GET /api/v1/students/{id}/certificate.pdf"


# Throttles count anonymous reads (status pages, review links, verification) in the shared
# cache, which is this table when REDIS_URL is unset: bookkeeping of the requests, not a record.
THROTTLE_COUNTS = "pathway_cache"
ROW_LOCK = re.compile(r"FOR (NO KEY )?UPDATE|FOR (KEY )?SHARE", re.IGNORECASE)


def _writes(label: str, queries: list[dict[str, str]]) -> list[str]:
    locks = label != ISSUES_ON_FIRST_READ
    return [
        q["sql"][:120]
        for q in queries
        if ((m := WRITE_SQL.match(q["sql"] or "")) and m.group(1) != THROTTLE_COUNTS)
        or (locks and ROW_LOCK.search(q["sql"] or ""))
    ]


def _gets(world: World, role: str, lapsed: Application) -> list[tuple[str, object]]:
    """(label, request) for every GET of the matrix, plus the applicant's own real-token reads."""
    api = operations.client_for_role(role, world)
    page = Client(raise_request_exception=False)
    if world.users[role] is not None:
        page.force_login(world.users[role])
    calls: list[tuple[str, object]] = []
    for operation in sorted(op for op in API if op[0] == "GET"):
        params = operations.query(operation, world)
        if role == "applicant":
            params = {**params, "token": world.applicant_token}
        url = operations.url(operation, world)
        calls.append((f"GET {operation[1]}", lambda u=url, p=params: api.get(u, p)))
    for method, path in sorted(PAGES):
        if method == "GET":
            url = page_url(path, world)
            calls.append((f"GET {path}", lambda u=url: page.get(u)))
    token = lapsed.status_token
    calls += [
        ("own status page", lambda: page.get(f"/status/{token}/")),
        ("own application", lambda: api.get(f"/api/v1/applications/{lapsed.pk}/?token={token}")),
    ]
    return calls


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_no_get_changes_a_row_takes_a_lock_or_sends_a_message(role: str) -> None:
    world = build_world()
    lapsed, waiting = _lapsed_offer_with_a_waiter(world)
    calls = _gets(world, role, lapsed)  # signing in (a session, a token) happens here
    before, outbox = snapshot(), Message.objects.count()
    wrote = []
    for label, call in calls:
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code < 500, f"{label}: {response.status_code}"
        if writes := _writes(label, queries.captured_queries):
            wrote.append(f"{label}: {writes}")
    assert not wrote, f"As {role}, GETs wrote:\n" + "\n".join(wrote)
    assert snapshot() == before
    assert Message.objects.count() == outbox
    lapsed.refresh_from_db()
    waiting.refresh_from_db()
    assert (lapsed.status, waiting.status) == (Status.OFFERED, Status.WAITLISTED)


@pytest.mark.django_db
def test_a_lapsed_offer_reads_as_a_free_seat_and_an_expired_offer_everywhere(api) -> None:
    world = build_world()
    lapsed, _ = _lapsed_offer_with_a_waiter(world)
    cohort = api.get(f"/api/v1/cohorts/{lapsed.cohort_id}/").json()
    assert cohort["seats_left"] == 1
    token = lapsed.status_token
    own = api.get(f"/api/v1/applications/{lapsed.pk}/?token={token}").json()
    assert own["status"] == "expired"
    assert 'data-status="expired"' in Client().get(f"/status/{token}/").content.decode()


@pytest.mark.django_db
def test_an_export_whose_worker_died_reads_as_failed_while_the_row_says_running() -> None:
    world = build_world()
    job_id = world.ids["exports"]
    admin = operations.client_for_role("admin", world)
    assert admin.get(f"/api/v1/exports/{job_id}/").json()["status"] == "failed"
    # Reading it recorded nothing: the periodic job (or a new export) does that.
    assert ExportJob.objects.get(pk=job_id).status == "running"
