"""What the schema says of types, files and the webhook is what the API does: ids are integers,
null is allowed where the API answers null, file downloads declare their media type, and the SMS
webhook declares its signature headers and its JSON errors."""

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.hardening import operations

WEBHOOK = "/api/v1/messaging/sms/inbound/"


def path_operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in operations.schema()["paths"].items()
        for method, operation in item.items()
        if method in operations.METHODS
    ]


def test_every_id_in_a_path_is_an_integer_and_a_slug_a_string() -> None:
    kinds = {}
    for method, path, operation in path_operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                kinds[f"{method} {path} {parameter['name']}"] = parameter["schema"]
    ids = {name: schema for name, schema in kinds.items() if name.endswith(" id")}
    assert len(ids) > 40
    assert {name: s for name, s in ids.items() if s != {"type": "integer"}} == {}
    assert kinds["GET /api/v1/programs/{slug}/ slug"] == {"type": "string"}
    assert set(kinds) == set(ids) | {"GET /api/v1/programs/{slug}/ slug"}


@pytest.mark.django_db
def test_an_id_that_is_not_a_number_is_a_404_from_the_address() -> None:
    response = APIClient().get("/api/v1/cohorts/first/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def _nullable_references(node: object, where: str = "") -> list[str]:
    """Where `nullable` stands beside a reference, which OpenAPI 3.0 ignores there."""
    found = []
    if isinstance(node, dict):
        if node.get("nullable") and ("$ref" in node or "allOf" in node):
            found.append(where)
        for key, value in node.items():
            found += _nullable_references(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _nullable_references(value, f"{where}/{index}")
    return found


def test_null_beside_a_reference_is_a_branch_of_its_own() -> None:
    schema = operations.schema()
    assert _nullable_references(schema) == []
    components = schema["components"]["schemas"]
    for component, field in [
        ("Program", "next_cohort"),
        ("Student", "coach"),
        ("JobPlacement", "reference_pay"),
        ("OutcomeRow", "program"),
        ("OutcomeRow", "cohort"),
    ]:
        branches = components[component]["properties"][field]["oneOf"]
        assert {"type": "object", "nullable": True, "enum": [None]} in branches, component


def test_file_downloads_declare_their_media_type() -> None:
    paths = operations.schema()["paths"]
    binary = {"type": "string", "format": "binary"}
    for path in (
        "/api/v1/cohorts/{id}/roster.pdf",
        "/api/v1/students/{id}/certificate.pdf",
        "/api/v1/exports/{id}/download/",
    ):
        assert paths[path]["get"]["responses"]["200"]["content"] == {
            "application/pdf": {"schema": binary}
        }
    report = paths["/api/v1/reports/outcomes/"]["get"]["responses"]["200"]["content"]
    assert report["text/csv"]["schema"] == {"type": "string"}
    assert report["application/json"]["schema"] == {"$ref": "#/components/schemas/OutcomeReport"}


def test_every_error_answer_declares_its_json_body() -> None:
    missing = [
        f"{method} {path} {code}"
        for method, path, operation in path_operations()
        for code, response in operation["responses"].items()
        if code[0] in "45" and "application/json" not in response.get("content", {})
    ]
    assert missing == []


def test_the_sms_webhook_declares_its_signature_headers_and_errors() -> None:
    webhook = operations.schema()["paths"][WEBHOOK]["post"]
    headers = {p["name"] for p in webhook["parameters"] if p["in"] == "header"}
    assert headers == {"X-Twilio-Signature", "X-Signature"}
    assert {"400", "403", "415", "429"} <= set(webhook["responses"])
    assert list(webhook["responses"]["200"]["content"]) == ["text/xml"]


@pytest.mark.django_db
@override_settings(SMS_WEBHOOK_SECRET="webhook-secret")
def test_the_sms_webhook_answers_its_errors_in_json_as_declared() -> None:
    forged = APIClient().post(
        WEBHOOK,
        "From=%2B12025550100&Body=STOP",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT="text/html",
        HTTP_X_TWILIO_SIGNATURE="bm90IHJpZ2h0",
    )
    assert forged.status_code == 403
    assert forged["Content-Type"] == "application/json"
    assert forged.json()["detail"] == "The signature is missing or wrong."
