"""The bad-input sweep: every write operation with a request body, as a role that may write, gets
wrong types, missing and extra fields, 10,000-character strings, NUL bytes, odd unicode,
negative and huge numbers, impossible dates and bodies that are not JSON. Each must answer 4xx
with field errors and leave the database as it was; valid but odd text must never be a 500.

The cases come from each operation's request-body schema. The world is built once per test and
every request runs in a transaction that is rolled back, so the database "before" is the same
for every case: one snapshot (row count and checksum of every table) taken at the start, and
after each request the tables its SQL wrote to are compared with it."""

import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.hardening import operations
from tests.hardening.access_table import API, expected
from tests.hardening.world import ROLES, World, build_world

FORM = "application/x-www-form-urlencoded"
SMS_SECRET = "sweep-secret"
# Writers, most powerful first: the sweep acts as the first one the matrix lets through.
WRITERS = ("admin", "coach", "student", "anonymous")
EXTRA = "unexpected_field"
# The SMS provider sends fields of its own (AccountSid, NumMedia, ...): they are ignored.
TAKES_EXTRA_FIELDS = {("POST", "/api/v1/messaging/sms/inbound/")}

HUGE = 10**20
LONG = "x" * 10_000
# Text that is valid, only unusual: it may be refused or kept, never a 500.
ODD_TEXT = {
    "odd unicode": "Vitals \U0001f489 ok, a\u200db, e\u0301\u0301, abc\u202edcba, \ufffe",
}
# Always refused.
BAD_TEXT = {
    "10,000 characters": LONG,
    "NUL byte": "before\x00after",
    "lone surrogate": "\ud800",
}
NOT_JSON = {
    "truncated JSON": (b'{"a": ', "application/json"),
    "plain text": (b"hello", "text/plain"),
    "a JSON list": (b"[1, 2]", "application/json"),
    "invalid UTF-8": (b'{"a": "\xff\xfe"}', "application/json"),
}


@dataclass
class Case:
    label: str
    field: str | None  # the field the error must name, if any
    body: Any = None
    raw: bytes | None = None
    content_type: str | None = None
    must_refuse: bool = True


def writer(operation: operations.Operation) -> str:
    """The first role in WRITERS whose answer in the access matrix is a success."""
    if operation in TAKES_EXTRA_FIELDS:
        return "anonymous"  # the SMS provider, with the signature the sweep adds
    for role in WRITERS:
        if expected(operation, role).startswith("2"):
            return role
    # Refused for everyone in the world's state: still, the body is validated first.
    return next(r for r in WRITERS if expected(operation, r) in ("400", "409"))


def write_operations() -> list[operations.Operation]:
    return sorted(
        (op for op in API if op[0] != "GET" and operations.request_schema(op)),
        key=lambda o: (o[1], o[0]),
    )


def wrong_values(prop: dict[str, Any]) -> dict[str, Any]:
    """Values of the wrong type or out of range for the property's schema."""
    kind, form = prop.get("type"), prop.get("format")
    values: dict[str, Any] = {"null": None} if not prop.get("nullable") else {}
    if "enum" in prop:
        values |= {"not a choice": "not-a-choice"}
    elif kind == "integer":
        values |= {
            "text for a number": "twelve",
            "fraction": 1.5,
            "negative": -1,
            "huge": HUGE,
            "boolean for a number": True,
        }
    elif kind == "number":
        values |= {"text for a number": "twelve", "huge": 1e308, "NaN": "NaN"}
    elif kind == "boolean":
        values |= {"text for a boolean": "maybe", "object for a boolean": {"a": 1}}
    elif kind == "array":
        values |= {
            "text for a list": "1,2",
            "list of text": ["x"],
            "list of huge": [HUGE],
            "list of negatives": [-1],
            "10,000 items": list(range(1, 10_001)),
        }
    elif kind == "object":
        values |= {"text for an object": "yes", "list for an object": [1]}
    elif form == "date":
        values |= {
            "30 February": "2026-02-30",
            "month 13": "2026-13-01",
            "year 0": "0000-01-01",
            "a number for a date": 20260101,
        }
    elif form == "date-time":
        values |= {
            "30 February": "2026-02-30T10:00:00Z",
            "hour 25": "2026-03-01T25:00:00Z",
            "a number for a time": 1767225600,
        }
    elif kind == "string" and prop.get("pattern") is None and "time" not in str(prop):
        values |= {"object for text": {"a": 1}} | BAD_TEXT
    if kind == "string" and form in ("date", "date-time"):
        values |= {"NUL byte": "2026-01-01\x00"}
    return values


def cases(operation: operations.Operation, world: World) -> Iterator[Case]:
    content_type, node = operations.request_schema(operation)
    base = operations.valid_body(operation, world)
    fields = operations.properties(node)
    is_form = content_type == FORM
    for name in node.get("required", []):
        yield Case(f"missing {name}", name, {k: v for k, v in base.items() if k != name})
    if operation not in TAKES_EXTRA_FIELDS:
        yield Case("an extra field", EXTRA, {**base, EXTRA: "x"})
    for name, prop in fields.items():
        values = BAD_TEXT if is_form else wrong_values(prop)
        if name == "start_time" or name == "end_time":
            values = {"25 o'clock": "25:00", "NUL byte": "09:00\x00", "object": {"a": 1}}
        for label, value in values.items():
            # A form's invalid UTF-8 is read as U+FFFD, valid (if odd) text.
            refuse = not (is_form and label == "lone surrogate")
            yield Case(f"{name}: {label}", name, {**base, name: value}, must_refuse=refuse)
        if prop.get("type") == "string" and "enum" not in prop and not prop.get("format"):
            for label, value in ODD_TEXT.items():
                yield Case(f"{name}: {label}", name, {**base, name: value}, must_refuse=False)
    if not is_form:
        for label, (raw, kind) in NOT_JSON.items():
            yield Case(label, None, raw=raw, content_type=kind)


def _model_tables() -> dict[str, Any]:
    return {
        model._meta.db_table: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed or model._meta.auto_created
    }


def _table_state(model: Any) -> tuple[int, str]:
    rows = list(model.objects.order_by("pk").values_list())
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table."""
    return {table: _table_state(model) for table, model in _model_tables().items()}


WRITE_SQL = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def touched(queries: list[dict[str, str]]) -> set[str]:
    return {m.group(1) for q in queries if (m := WRITE_SQL.match(q["sql"] or ""))}


def _signed(raw: bytes) -> dict[str, str]:
    return {"X-Signature": hmac.new(SMS_SECRET.encode(), raw, hashlib.sha256).hexdigest()}


def attempt(
    world: World, role: str, operation: operations.Operation, case: Case, before: dict
) -> str | None:
    """Send one case; what went wrong, or None."""
    cache.clear()  # throttles count per test; the sweep sends hundreds
    content_type, _ = operations.request_schema(operation)
    raw = case.raw
    if raw is None:
        raw = (_form(case.body) if content_type == FORM else _json(case.body)).encode()
    headers = _signed(raw) if content_type == FORM else None
    client = operations.client_for_role(role, world)
    path = operations.url(operation, world)
    tables = _model_tables()
    connection.queries_log.clear()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = operations.send(
            client,
            operation,
            path,
            raw=raw,
            content_type=case.content_type or content_type,
            headers=headers,
        )
        changed = {
            table
            for table in touched(queries.captured_queries)
            if table in tables and _table_state(tables[table]) != before[table]
        }
        transaction.set_rollback(True)
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if not case.must_refuse:
        return None
    if not 400 <= status < 500:
        return f"{status}, not refused"
    if changed:
        return f"{status} but changed {sorted(changed)}"
    try:
        errors = response.json()
    except ValueError:
        return f"{status} without a JSON body"
    if not isinstance(errors, dict) or not errors:
        return f"{status} without errors: {errors!r:.120}"
    if case.field and case.field not in errors and status == 400:
        return f"{status} without an error for {case.field}: {errors!r:.160}"
    return None


def _form(body: dict[str, Any]) -> str:
    # A lone surrogate goes as its (invalid) UTF-8 bytes, as a broken client would send it.
    return urlencode(body, errors="surrogatepass")


def _json(body: Any) -> str:
    import json

    # `ensure_ascii` writes a lone surrogate as the escape \ud800, as a client would send it.
    return json.dumps(body, ensure_ascii=True)


@pytest.fixture
def sms_secret(settings: Any) -> None:
    settings.SMS_WEBHOOK_SECRET = SMS_SECRET


# Writes that take no body: the address names the record and the verb is the whole request.
NO_BODY = {
    ("POST", "/api/v1/applications/{id}/accept/"),
    ("POST", "/api/v1/applications/{id}/decline/"),
    ("POST", "/api/v1/applications/{id}/move/"),
    ("POST", "/api/v1/hour-logs/{id}/approve/"),
    ("POST", "/api/v1/procedure-logs/{id}/approve/"),
    ("POST", "/api/v1/job-placements/{id}/verify/"),
    ("DELETE", "/api/v1/auth/token/"),
    ("DELETE", "/api/v1/exam-attempts/{id}/"),
    ("DELETE", "/api/v1/externships/{id}/"),
    ("DELETE", "/api/v1/job-applications/{id}/"),
    ("DELETE", "/api/v1/job-placements/{id}/"),
    ("DELETE", "/api/v1/sites/{id}/"),
    ("DELETE", "/api/v1/unavailabilities/{id}/"),
}


def test_it_sweeps_every_write_that_takes_a_body() -> None:
    """A write whose schema shows no body escapes the sweep: it must be one that takes none."""
    writes = {op for op in operations.schema_operations() if op[0] != "GET"}
    unswept = sorted(writes - set(write_operations()) - NO_BODY)
    assert not unswept, (
        f"{unswept} declare no request body in the schema; describe it (@extend_schema(request=))"
        " or, if it takes none, add it to NO_BODY in tests/hardening/test_bad_input.py"
    )
    assert set(WRITERS) <= set(ROLES)


@pytest.mark.django_db
@pytest.mark.usefixtures("sms_secret")
def test_it_refuses_bad_input_with_field_errors_and_changes_nothing() -> None:
    world = build_world()
    before = snapshot()
    failures, count = [], 0
    for operation in write_operations():
        role = writer(operation)
        for case in cases(operation, world):
            count += 1
            problem = attempt(world, role, operation, case, before)
            if problem:
                failures.append(f"{operation[0]} {operation[1]} as {role}, {case.label}: {problem}")
    print(f"bad-input sweep: {count} cases over {len(write_operations())} write operations")
    assert not failures, f"{len(failures)} of {count} cases:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_it_notices_a_table_that_a_request_changed() -> None:
    """The sweep's own check: a write shows up as a touched table whose state differs."""
    world = build_world()
    before = snapshot()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        world.student.coach_notes.create(author=world.users["coach"], body="Left behind")
        tables = touched(queries.captured_queries)
        changed = {t for t in tables if _table_state(_model_tables()[t]) != before[t]}
        transaction.set_rollback(True)
    assert changed == {"coaching_coachnote"}
