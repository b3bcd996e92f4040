"""Request bodies are JSON: the schema says `application/json` and nothing else, and a form or
multipart body is a 415 in JSON that writes nothing. The SMS webhook alone reads a form, as
providers send it."""

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from enrollment.models import Application
from tests.conftest import client_for
from tests.factories import CohortFactory
from tests.hardening import operations

WEBHOOK = "/api/v1/messaging/sms/inbound/"
FORM = "application/x-www-form-urlencoded"


def test_every_request_body_in_the_schema_is_json_but_the_sms_webhooks_form() -> None:
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, item in operations.schema()["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    }
    assert bodies.pop(f"POST {WEBHOOK}") == ["application/x-www-form-urlencoded"]
    assert {path: types for path, types in bodies.items() if types != ["application/json"]} == {}
    assert len(bodies) > 30


@pytest.mark.parametrize("kind", ["form", "multipart"])
@pytest.mark.django_db
def test_a_form_body_to_the_api_is_a_415_in_json_that_writes_nothing(kind: str) -> None:
    body = {"cohort": CohortFactory().pk, "first_name": "Jamie", "last_name": "Reyes"}
    if kind == "form":
        response = APIClient().post("/api/v1/applications/", urlencode(body), content_type=FORM)
    else:
        response = APIClient().post("/api/v1/applications/", body, format="multipart")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert "Unsupported media type" in response.json()["detail"]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_form_post_is_a_415_too(admin_user: object) -> None:
    response = client_for(admin_user).post(
        "/api/v1/employers/",
        "name=Springfield+Clinic",
        content_type=FORM,
    )
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")


@pytest.mark.django_db
def test_the_browsable_api_offers_json_only(admin_user: object) -> None:
    """Its HTML form would post form-encoded data: only the raw JSON form is left."""
    client = APIClient()
    client.force_login(admin_user)
    page = client.get("/api/v1/employers/", HTTP_ACCEPT="text/html").content.decode()
    assert '<option value="application/json" selected>application/json</option>' in page
    assert "multipart/form-data" not in page
    assert "application/x-www-form-urlencoded" not in page
