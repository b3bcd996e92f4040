"""Real answers against the served OpenAPI schema, checked by openapi-core (a validator nobody
here wrote): every request of the access matrix, as every role, on the matrix's world. No answer
may fall outside its schema: its status code declared for the operation, its content type among
the declared ones, its body matching. Runs in both passes of the suite (SQLite, PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest
from rest_framework.test import APIClient

from careers.reports import reporting_year_of
from tests.conftest import client_for
from tests.factories import JobPlacementFactory, ProgramFactory, StudentFactory
from tests.hardening import operations
from tests.hardening.access_table import API
from tests.hardening.world import ROLES, build_world


def served_schema() -> OpenAPI:
    return OpenAPI.from_dict(APIClient().get("/api/schema/", {"format": "json"}).json())


def problems(schema: OpenAPI, response: object) -> str | None:
    """What openapi-core finds wrong with the answer, or None."""
    request = response.wsgi_request
    try:
        schema.validate_response(
            MockRequest("http://testserver", request.method, request.path, args=request.GET),
            DjangoOpenAPIResponse(response),
        )
    except OpenAPIError as exc:
        # A body that does not match says where: each JSON Schema error with its path.
        errors = getattr(exc.__cause__, "schema_errors", ())
        found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors]
        return "; ".join(found) or f"{type(exc).__name__}: {exc}"
    return None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_every_answer_of_the_access_matrix_is_within_the_schema(role: str) -> None:
    schema = served_schema()
    world = build_world()
    wrong = []
    for operation in sorted(API, key=lambda o: (o[1], o[0])):
        response = operations.call(role, operation, world)
        if found := problems(schema, response):
            wrong.append(f"{operation[0]} {operation[1]} -> {response.status_code}: {found}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_nulls_the_api_answers_are_within_the_schema(admin_user: object) -> None:
    """null beside a reference: a program with no open cohort, a student without a coach, a
    placement with no published pay, the report's program totals (no cohort) and overall row
    (no program). OpenAPI 3.0 ignores `nullable` next to `allOf: [$ref]`, as openapi-core does."""
    ProgramFactory(slug="dialysis")  # no cohort: no next one
    started = timezone.localdate() - timedelta(days=30)
    student = StudentFactory(coach=None, cohort__starts_on=started, period=started)
    placement = JobPlacementFactory(student=student)
    staff = client_for(admin_user)
    answers = {
        "program": APIClient().get("/api/v1/programs/dialysis/"),
        "student": staff.get(f"/api/v1/students/{student.pk}/"),
        "placement": staff.get(f"/api/v1/job-placements/{placement.pk}/"),
        "report": staff.get("/api/v1/reports/outcomes/", {"year": reporting_year_of(started)}),
    }
    assert answers["program"].json()["next_cohort"] is None
    assert answers["student"].json()["coach"] is None
    assert answers["placement"].json()["reference_pay"] is None
    report = answers["report"].json()
    assert report["overall"]["program"] is None
    assert report["totals"]
    assert [row["cohort"] for row in report["totals"]] == [None] * len(report["totals"])

    schema = served_schema()
    wrong = {name: found for name, r in answers.items() if (found := problems(schema, r))}
    assert not wrong
