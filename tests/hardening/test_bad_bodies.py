"""Bodies built to hurt: JSON nested hundreds of levels deep (a RecursionError in whatever walks
it) and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE. Under /api/ each is a JSON 4xx with
`{"detail", "code"}`, on anonymous and signed-in endpoints alike; a form page answers with the
site's own page. Nothing is written."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from coaching.models import CoachNote
from enrollment.models import Application
from messaging.api.views import body_signature
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db

FIVE_MB = 5 * 2**20
NESTED_312 = "[" * 312 + "]" * 312  # 624 bytes: the probe's body
NESTED_100K = "[" * 100_000 + "]" * 100_000  # deeper than Python's own JSON decoder goes


def nested(levels: int) -> str:
    """An otherwise plausible token request whose email is a list nested `levels` deep."""
    return json.dumps({"email": json.loads("[" * (levels - 1) + "]" * (levels - 1)), "x": 1})


@pytest.fixture
def coach_api(coach) -> APIClient:
    return client_for(coach)


def endpoints(coach_api: APIClient) -> list[tuple[str, APIClient, str]]:
    """(label, client, path): two anonymous endpoints and one that needs a signed-in coach."""
    anonymous = APIClient(raise_request_exception=False)
    return [
        ("anonymous applications", anonymous, "/api/v1/applications/"),
        ("anonymous token", anonymous, "/api/v1/auth/token/"),
        ("coach's notes", coach_api, "/api/v1/coach-notes/"),
    ]


@pytest.mark.parametrize("body", [NESTED_312, NESTED_100K], ids=["312 levels", "100,000 levels"])
def test_deeply_nested_json_is_a_json_400_that_says_so(coach_api, body) -> None:
    CohortFactory(program=ProgramFactory())
    for label, client, path in endpoints(coach_api):
        response = client.post(path, body, content_type="application/json")

        assert response.status_code == 400, label
        assert response["Content-Type"] == "application/json", label
        assert response.json() == {
            "detail": "JSON nested more than 20 levels deep is not accepted.",
            "code": "too_deep",
        }, label
    assert Application.objects.count() == CoachNote.objects.count() == 0


def test_twenty_levels_are_read_and_answered_with_field_errors(api) -> None:
    just_enough = api.post("/api/v1/auth/token/", nested(20), content_type="application/json")
    one_more = api.post("/api/v1/auth/token/", nested(21), content_type="application/json")

    assert just_enough.status_code == 400
    assert "email" in just_enough.json()  # read, then refused field by field
    assert one_more.json()["code"] == "too_deep"


def test_a_body_over_the_limit_is_a_json_413_that_says_so(coach_api) -> None:
    student = StudentFactory()
    big = json.dumps({"student": student.pk, "body": "x" * FIVE_MB, "email": "a@b.test"})
    for label, client, path in endpoints(coach_api):
        response = client.post(path, big, content_type="application/json")

        assert response.status_code == 413, label
        assert response["Content-Type"] == "application/json", label
        assert response.json() == {
            "detail": "The request body is larger than 2.5 MB, the most this API accepts.",
            "code": "too_large",
        }, label
    assert Application.objects.count() == CoachNote.objects.count() == 0


def test_an_oversized_form_gets_the_sites_own_page(settings) -> None:
    settings.SITE_NAME = "Riverside Career Institute"
    cohort = CohortFactory(program=ProgramFactory())
    # As a browser sends it, with the CSRF check on: the check would be the first to read it.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/apply/phlebotomy/")
    form = {
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "cohort": str(cohort.pk),
        "first_name": "R" * FIVE_MB,
    }

    response = client.post("/apply/phlebotomy/", form)

    assert response.status_code == 413
    page = response.content.decode()
    assert "Riverside Career Institute" in page
    assert "That was too much to send" in page
    assert "larger than 2.5 MB" in page
    assert Application.objects.count() == 0


def test_too_many_fields_is_the_sites_page_or_json_never_a_bare_400(settings) -> None:
    settings.SMS_WEBHOOK_SECRET = "s3cret"
    CohortFactory(program=ProgramFactory())
    too_many = "&".join(f"f{n}=1" for n in range(1_500))
    client = Client(raise_request_exception=False)

    page = client.post(
        "/apply/phlebotomy/", too_many, content_type="application/x-www-form-urlencoded"
    )
    api = client.post(
        "/api/v1/messaging/sms/inbound/",
        too_many,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Signature": body_signature(too_many.encode(), "s3cret")},
    )

    assert page.status_code == 400
    assert "We could not read that request" in page.content.decode()
    assert api.status_code == 400
    assert api.json() == {
        "detail": "The request has more fields than we accept.",
        "code": "too_many",
    }
