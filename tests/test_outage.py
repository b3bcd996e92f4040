"""A database that cannot answer: 503 with `Retry-After`, JSON `{"detail", "code"}` under /api/,
the "try again in a moment" page elsewhere, and one WARNING line per request in the log.

The database is really unreachable here, not mocked: the connection is closed and pointed at a
port where nothing listens (PostgreSQL) or at a file in a folder that does not exist (SQLite), so
that each request fails at its first query, as while the server restarts. A restart in the
middle of requests, on a real server, is in tests/test_faults.py.

Cast: an anonymous visitor, an applicant using the API, and Sam, a signed-in student."""

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import issue_token
from tests.conftest import with_role
from tests.factories import CohortFactory, ProgramFactory, applicant
from tests.outages import database_down

pytestmark = pytest.mark.django_db(transaction=True)


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {"detail": body["detail"], "code": "unavailable"}
    assert "try again" in body["detail"].lower()
    assert int(response["Retry-After"]) > 0


def test_the_api_answers_503_json_with_retry_after() -> None:
    cohort_id = CohortFactory().pk
    sam = issue_token(user=with_role(Role.STUDENT, email="sam@school.test"))
    api = APIClient(raise_request_exception=False)
    with database_down():
        assert_unavailable_json(api.get("/api/v1/programs/"))
        assert_unavailable_json(
            api.post(
                "/api/v1/applications/",
                {**applicant(1, date_of_birth="1998-05-17"), "cohort": cohort_id},
                format="json",
                HTTP_IDEMPOTENCY_KEY="k-1",
            )
        )
        # The token check, before any view runs, meets the outage too: 503, not 401.
        assert_unavailable_json(api.get("/api/v1/hour-logs/", HTTP_AUTHORIZATION=f"Token {sam}"))


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "<h1>Try again in a moment</h1>" in page
    assert "Pathway Career Institute" in page  # the school's page, not "Server Error (500)"


def test_pages_answer_the_try_again_page_with_retry_after() -> None:
    slug = ProgramFactory().slug
    sam = Client(raise_request_exception=False)
    sam.force_login(with_role(Role.STUDENT, email="sam@school.test"))
    visitor = Client(raise_request_exception=False)
    with database_down():
        assert_try_again_page(visitor.get("/"))
        assert_try_again_page(visitor.post(f"/apply/{slug}/", {"first_name": "Robin"}))
        # A signed-in page reads the session first: the page renders without it.
        assert_try_again_page(sam.get("/me/"))


def test_the_log_says_it_once_per_request_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    api = APIClient(raise_request_exception=False)
    visitor = Client(raise_request_exception=False)
    with database_down(), caplog.at_level(logging.INFO):
        api.get("/api/v1/programs/")
        visitor.get("/")
    said = [(r.levelname, r.name, r.getMessage()) for r in caplog.records]
    assert len(said) == 2, said
    assert all(level == "WARNING" and name == "backend.outage" for level, name, _ in said)
    assert said[0][2].startswith("Database unavailable, answered 503 to GET /api/v1/programs/: ")
    assert said[1][2].startswith("Database unavailable, answered 503 to GET /: ")
    assert not [r for r in caplog.records if r.exc_info]  # no traceback
