"""What the access matrix and the bad-input sweep found, pinned one behaviour per test."""

import pytest

from documents.models import ExportJob
from tests.conftest import client_for
from tests.factories import CohortFactory, StudentFactory


@pytest.mark.django_db
def test_it_refuses_leave_for_a_student_without_an_open_period(admin_user: object) -> None:
    # A student added by hand in the admin has no enrollment period; that was a 500.
    student = StudentFactory()
    response = client_for(admin_user).post(
        f"/api/v1/students/{student.pk}/leave/", {"reason": "Family"}
    )
    assert response.status_code == 409
    assert "no open enrollment period" in response.json()["detail"]


@pytest.mark.django_db
def test_it_asks_for_credentials_with_401(api: object) -> None:
    response = api.get("/api/v1/students/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_it_refuses_a_nul_in_a_status_token_without_a_500(api: object) -> None:
    # On PostgreSQL the lookup itself was a DataError, so a 500; no query sees it now.
    response = api.get("/api/v1/applications/1/", {"token": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"token": ["Null characters are not allowed."]}


@pytest.mark.django_db
def test_it_refuses_a_nul_in_a_lookup_field_with_a_field_error(api: object) -> None:
    # `program` is looked up by slug before any validator runs: a 500 on PostgreSQL.
    response = api.post("/api/v1/applications/", {"program": "a\x00b"}, format="json")
    assert response.status_code == 400
    assert response.json()["program"] == ["Null characters are not allowed."]


@pytest.mark.django_db
def test_it_refuses_fields_the_operation_does_not_take(student: object) -> None:
    response = client_for(student).post("/api/v1/job-applications/", {"status_changed_on": "x"})
    assert response.status_code == 400
    assert response.json()["status_changed_on"] == ["This field is not accepted here."]


@pytest.mark.django_db
def test_it_refuses_an_id_that_is_not_a_whole_number(admin_user: object) -> None:
    # Django reads 1.5 (and true) as the id 1: the employer would have been someone else.
    response = client_for(admin_user).post(
        "/api/v1/employers/from-site/", {"site": 1.5}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["site"] == ["An id is a whole number."]


@pytest.mark.django_db
def test_it_refuses_an_export_of_a_cohort_named_by_a_fraction(admin_user: object) -> None:
    # The export's input took 1.5 as cohort 1, and dropped fields it does not take: a 202.
    cohort = CohortFactory()
    response = client_for(admin_user).post(
        "/api/v1/exports/",
        {"kind": "roster", "cohort": cohort.pk + 0.5, "when": "now"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["cohort"] == ["An id is a whole number."]
    assert response.json()["when"] == ["This field is not accepted here."]
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_a_verification_code_or_status_token_is_a_404(api: object) -> None:
    # Secrets in page addresses are slugs; a NUL never reaches the database (a 500 on PostgreSQL).
    assert api.get("/verify/%00/").status_code == 404
    assert api.get("/status/%00/").status_code == 404


@pytest.mark.django_db
def test_a_moment_with_an_offset_postgresql_refuses_is_read_in_utc(student: object) -> None:
    # Schemathesis found it: Python reads -18:41, PostgreSQL refused it (a 500).
    response = client_for(student).get(
        "/api/v1/coaching-sessions/", {"starts_after": "2026-01-01T07:34:28-18:41"}
    )
    assert response.status_code == 200
