"""The site's own pages for 400, 403, 404, 500 and a failed CSRF check, with debugging off as under
`make run`: in the site's layout, with the school's name and a way home, never Django's debug
page or a bare "403 Forbidden"; JSON under /api/.

This module is also the URLconf of the 500 tests: the site's routes plus two that fail."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from accounts.models import Role
from backend.urls import handler400, handler403, handler404, handler500  # noqa: F401
from backend.urls import urlpatterns as site_urlpatterns
from tests.conftest import with_role

pytestmark = pytest.mark.django_db


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the disk is full")


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason nobody should read")


urlpatterns = [
    path("fails/", fails),
    path("refuses/", refuses),
    path("api/v1/fails/", fails),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def _debugging_off(settings: object) -> None:
    settings.DEBUG = False  # as `make run` serves (pytest-django's default too: said out loud)


def assert_branded(page: str, heading: str) -> None:
    assert f"<h1>{heading}</h1>" in page
    assert settings.SITE_NAME in page
    assert '<a href="/">Go to the home page</a>' in page


def test_a_missing_page_is_the_branded_404(client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_branded(response.content.decode(), "Page not found")


def test_a_missing_api_address_answers_json(client) -> None:
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_of_another_role_is_the_branded_403(client) -> None:
    student = with_role(Role.STUDENT, email="robin@example.com")
    client.force_login(student)

    response = client.get("/coach/")

    assert response.status_code == 403
    page = response.content.decode()
    assert_branded(page, "You cannot open this page")
    assert "You are signed in as robin@example.com" in page
    assert '<a href="/start/">Go to your own page</a>' in page


@pytest.mark.urls(__name__)
def test_the_403_page_keeps_the_reason_to_itself(client) -> None:
    page = client.get("/refuses/").content.decode()

    assert_branded(page, "You cannot open this page")
    assert "internal reason" not in page


def test_a_request_for_a_host_the_site_does_not_serve_is_the_branded_400(client, settings) -> None:
    settings.ALLOWED_HOSTS = ["school.example"]

    response = client.get("/", HTTP_HOST="elsewhere.example")

    assert response.status_code == 400
    assert_branded(response.content.decode(), "We could not read that request")


@pytest.mark.urls(__name__)
def test_a_server_error_is_the_branded_500_and_reads_no_database(
    django_assert_num_queries,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(with_role(Role.COACH, email="coach@example.com"))

    # Signed in, yet no query: the page reads neither the session nor the user (the database
    # may be what failed).
    with django_assert_num_queries(0):
        response = client.get("/fails/")

    assert response.status_code == 500
    page = response.content.decode()
    assert_branded(page, "Sorry, something went wrong on our side")
    assert settings.DEFAULT_FROM_EMAIL in page
    assert "the disk is full" not in page
    # The layout's style is the site's stylesheet, a file the policy allows.
    assert re.search(r'<link rel="stylesheet" href="/static/pathway\.css">', page)
    assert "Traceback" not in page


@pytest.mark.urls(__name__)
def test_a_server_error_under_the_api_answers_json() -> None:
    response = Client(raise_request_exception=False).get("/api/v1/fails/")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


def test_a_form_sent_without_its_csrf_token_is_the_branded_page(client) -> None:
    guarded = Client(enforce_csrf_checks=True)

    response = guarded.post("/login/", {"username": "robin@example.com", "password": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert_branded(page, "This form has expired")
    assert "403 Forbidden" not in page
    assert "CSRF" not in page


def test_signing_out_lands_on_the_sites_page_not_the_admins(client) -> None:
    client.force_login(with_role(Role.STUDENT, email="robin@example.com"))

    page = client.post("/logout/").content.decode()

    assert "<h1>You are signed out</h1>" in page
    assert f"{settings.SITE_NAME}</a>" in page  # the school's, not the host's name
    assert "Django administration" not in page
