from django.core.management import call_command


def test_the_openapi_schema_validates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/applications/" in out.read_text()


def test_the_schema_and_docs_are_served(client, db) -> None:
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_a_body_in_a_media_type_the_api_does_not_read_is_a_documented_415(db) -> None:
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/v1/applications/"]["post"]["responses"]
    assert "415" in create
    assert "415" not in schema["paths"]["/api/v1/programs/"]["get"]["responses"]

    answer = APIClient().post("/api/v1/applications/", "cohort=1", content_type="text/plain")
    assert answer.status_code == 415
    assert "detail" in answer.json()


def test_the_token_endpoint_documents_signing_in_and_signing_out_everywhere(db) -> None:
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/?format=json").json()
    token = schema["paths"]["/api/v1/auth/token/"]

    assert {"200", "400", "413", "429"} <= set(token["post"]["responses"])
    assert token["post"]["security"] == [{}]  # signing in needs no credentials
    assert "token_expired" in token["post"]["description"]
    assert {"204", "401"} <= set(token["delete"]["responses"])
    assert {"tokenAuth": []} in token["delete"]["security"]
