"""Schemathesis over the whole generated OpenAPI schema, in process (WSGI), as each role in turn:
no 5xx, no response outside the schema, no status code the schema does not document.

The world holds one of everything, made with low ids, so generated ids often find a real object;
writes that succeed change it, which is fine: each example runs in the test's transaction."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis import checks

from accounts.models import Role
from accounts.tokens import issue_token
from backend.wsgi import application
from tests.factories import (
    ApplicationFactory,
    ComplianceDocumentFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    JobPlacementFactory,
    ProcedureLogFactory,
    StudentFactory,
    UserFactory,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# What the issue asks: no 5xx, responses and content types within the schema, and no status code
# the schema does not document. (A well-formed request may still break a domain rule: 400.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ROLES = ("anonymous", Role.STUDENT, Role.COACH, Role.SUPERVISOR, Role.ADMIN)
# Each role is fuzzed once across the suite's two passes (the fuzz was over half of a pass's
# time): student and admin, who write the most and reach every operation, on PostgreSQL, the
# production database (an ISO offset it refused was a 500 found there); anonymous, coach and
# supervisor on SQLite.
WRITERS = (Role.STUDENT, Role.ADMIN)
FUZZED = tuple(role for role in ROLES if (role in WRITERS) == (connection.vendor == "postgresql"))
EXAMPLES = 6


SENT: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _count_requests() -> Iterator[None]:
    """How much was fuzzed, printed at the end of the module (visible with `-s`)."""
    yield
    operations = {label.split("|")[0] for label in SENT}
    print(f"\nschemathesis: {len(SENT)} requests over {len(operations)} operations")


@pytest.fixture(autouse=True)
def _connections_kept_open() -> Iterator[None]:
    """Django's test client keeps the test's database connection open across a request; calling
    the WSGI app directly would close it at the end of each request, as Django's test client
    prevents in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: None) -> dict[str, str]:
    """One object of each kind, and an API token per role."""
    tokens, users = {}, {}
    for role in ROLES[1:]:
        users[role] = UserFactory(email=f"{role}@fuzz.test", is_staff=role == Role.ADMIN)
        users[role].groups.add(Group.objects.get_or_create(name=role)[0])
        tokens[role] = issue_token(user=users[role])
    student = StudentFactory(user=users[Role.STUDENT], coach=users[Role.COACH])
    externship = ExternshipFactory(student=student, supervisor=users[Role.SUPERVISOR])
    HourLogFactory(externship=externship)
    ProcedureLogFactory(externship=externship)
    ApplicationFactory(cohort=student.cohort)
    ExamAttemptFactory(student=student)
    JobApplicationFactory(student=student)
    JobPlacementFactory(student=student)
    ComplianceDocumentFactory(student=student)
    return tokens


@pytest.mark.parametrize("role", FUZZED)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_within_its_schema(case, role, world) -> None:
    headers = {} if role == "anonymous" else {"Authorization": f"Token {world[role]}"}
    SENT.append(f"{case.operation.label}|{role}")
    case.call_and_validate(headers=headers, checks=CHECKS)
