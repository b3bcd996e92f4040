"""The access matrix: every API operation (from the generated schema, cross-checked with the URL
resolver) as every role, against records that belong to student Avery (see `world.py`).

The expected answer of each cell is declared once, in `access_table.py`; an operation without a
row fails here with what to add. Someone else's record is a 404, never a 403, so ids do not leak;
403 is for a role that may not use the operation at all; 401 for no credentials."""

from typing import Any

import pytest
from django.core.cache import cache

from tests.hardening import operations
from tests.hardening.access_table import API, expected
from tests.hardening.world import ROLES, World, build_world

MISSING = (
    "{count} API operation(s) have no row in the access matrix. Add to `API` in "
    "tests/hardening/access_table.py one line each, with the answer for every role "
    "({roles}):\n{rows}"
)


def test_it_has_a_row_for_every_operation_in_the_schema() -> None:
    missing = sorted(operations.schema_operations() - API.keys(), key=lambda o: (o[1], o[0]))
    rows = "\n".join(f'    ("{m}", "{p}"): "..."' for m, p in missing)
    assert not missing, MISSING.format(count=len(missing), roles=" ".join(ROLES), rows=rows)


def test_it_has_no_row_for_an_operation_that_is_gone() -> None:
    stale = sorted(API.keys() - operations.schema_operations())
    assert not stale, f"Rows in tests/hardening/access_table.py for no operation: {stale}"


def test_it_finds_every_routed_api_operation_in_the_schema() -> None:
    """A route the schema does not describe would escape the matrix (and the documentation)."""
    hidden = sorted(operations.resolver_api_operations() - operations.schema_operations())
    assert not hidden, (
        f"The URL resolver serves {hidden}, which the OpenAPI schema leaves out: describe them "
        "(drf-spectacular's @extend_schema) so the access matrix covers them."
    )


def _listed(data: Any, target: object) -> bool:
    rows = data["results"] if isinstance(data, dict) and "results" in data else data
    return any(target in (row.get("id"), row.get("slug")) for row in rows)


def _answer(world: World, role: str, operation: operations.Operation) -> str:
    """What the role gets, in the table's notation ("200-": a list without the target)."""
    method, path = operation
    response = operations.call(role, operation, world)
    code = str(response.status_code)
    collection = path.removeprefix(operations.API_PREFIX).rstrip("/")
    if code == "200" and method == "GET" and collection in world.ids:
        return code if _listed(response.json(), world.ids[collection]) else "200-"
    return code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_it_answers_each_operation_as_declared(role: str) -> None:
    world = build_world()
    wrong = []
    for operation in sorted(API, key=lambda o: (o[1], o[0])):
        want = expected(operation, role)
        got = _answer(world, role, operation)
        if got != want:
            wrong.append(f"{operation[0]} {operation[1]}: expected {want}, got {got}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_it_answers_405_to_every_method_an_address_does_not_serve() -> None:
    """PUT on a frozen log, DELETE of a note, POST to a report: the admin, who passes every role
    check, sees 405; with no handler for the method, no other role can get further."""
    world = build_world()
    served: dict[str, set[str]] = {}
    for method, path in operations.schema_operations():
        served.setdefault(path, set()).add(method)
    admin = operations.client_for_role("admin", world)
    wrong = []
    for path, methods in sorted(served.items()):
        for method in sorted(set(operations.METHODS_UPPER) - methods):
            cache.clear()  # the sign-in throttle would answer 429
            response = operations.send(
                admin, (method, path), operations.url((method, path), world), {}
            )
            if response.status_code != 405:
                wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
