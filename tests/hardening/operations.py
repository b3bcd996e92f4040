"""Every operation of the API, read from the generated OpenAPI schema and cross-checked against
the URL resolver, and a well-formed request body for each write, built from its schema."""

import json
import re
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.tokens import issue_token
from tests.hardening.world import World

API_PREFIX = "/api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")
METHODS_UPPER = tuple(method.upper() for method in METHODS)
Operation = tuple[str, str]  # ("POST", "/api/v1/hour-logs/{id}/approve/")


@cache
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def schema_operations() -> set[Operation]:
    return {
        (method.upper(), path)
        for path, item in schema()["paths"].items()
        for method in item
        if method in METHODS
    }


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append((prefix + str(pattern.pattern), pattern.callback))
    return routes


def _template(route: str) -> str:
    """`^students/(?P<pk>[^/.]+)/progress/$` or `coach/<int:pk>/` as `/students/{id}/progress/`."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route.replace("{pk}", "{id}")


def routes() -> list[tuple[str, object]]:
    """Every route the URL resolver serves, as (path template, view)."""
    return [(_template(route), callback) for route, callback in _walk(get_resolver().url_patterns)]


def resolver_api_operations() -> set[Operation]:
    """The (method, path) pairs the URL resolver answers under /api/v1/, from each view's
    actions; format-suffix twins (`.json`) and the browsable root are left out."""
    found = set()
    for path, view in routes():
        if not path.startswith(API_PREFIX) or "{format}" in path or path == API_PREFIX:
            continue
        actions = getattr(view, "actions", None)
        if actions is not None:
            methods = [m for m in actions if m in METHODS]
        else:
            view_class = view.view_class
            methods = [m for m in METHODS if hasattr(view_class, m)]
        found |= {(method.upper(), path) for method in methods}
    return found


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return _resolve(schema()["components"]["schemas"][node["$ref"].split("/")[-1]])
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            options = [_resolve(option) for option in node[key]]
            return next((o for o in options if o.get("enum") != [""]), options[0])
    return node


def request_schema(operation: Operation) -> tuple[str, dict[str, Any]] | None:
    """The content type and resolved object schema of the operation's request body, if any."""
    method, path = operation
    body = schema()["paths"].get(path, {}).get(method.lower(), {}).get("requestBody")
    if not body:
        return None
    content_type, media = next(iter(body["content"].items()))
    return content_type, _resolve(media["schema"])


def properties(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: _resolve(prop)
        for name, prop in node.get("properties", {}).items()
        if not prop.get("readOnly")
    }


def valid_body(operation: Operation, world: World) -> dict[str, Any]:
    """A body that passes validation for the owner (or staff) of the world's records: the
    required fields from the schema, references pointing at the world's records."""
    found = request_schema(operation)
    if found is None:
        return {}
    _, node = found
    required = set(node.get("required", []))
    # Required fields, and every reference to a record (a student, an externship, ...), so that
    # an outsider's request names the world's records rather than their own.
    body = {
        name: _value(name, prop, world)
        for name, prop in properties(node).items()
        if name in required or name in REFERENCES
    }
    body.update(OVERRIDES.get(operation, lambda w: {})(world))
    return body


REFERENCES = {
    "student": lambda w: w.student.pk,
    "externship": lambda w: w.externship.pk,
    "site": lambda w: w.site.pk,
    "employer": lambda w: w.ids["employers"],
    "cohort": lambda w: w.cohort.pk,
    "supervisor": lambda w: w.externship.supervisor_id,
    "programs": lambda w: [w.cohort.program.slug],
    "ids": lambda w: [w.hour_log.pk],
}


def _value(name: str, prop: dict[str, Any], world: World) -> Any:
    today = timezone.localdate()
    if name in REFERENCES:
        return REFERENCES[name](world)
    if "enum" in prop:
        return next(value for value in prop["enum"] if value)
    kind, form = prop.get("type"), prop.get("format")
    if form == "date":
        return (today - timedelta(days=2)).isoformat()
    if form == "date-time":
        return (timezone.now() + timedelta(days=5)).replace(microsecond=0).isoformat()
    if form == "email":
        return "someone@example.com"
    if kind == "integer":
        return max(prop.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "Checked by the access matrix."


def query(operation: Operation, world: World) -> dict[str, Any]:
    """Query parameters a read needs to name the world's record."""
    return QUERIES.get(operation, lambda w: {})(world)


QUERIES = {
    ("GET", "/api/v1/exam-attempts/readiness/"): lambda w: {"student": w.student.pk},
    ("GET", "/api/v1/reports/outcomes/students/"): lambda w: {"figure": "be"},
    ("GET", "/api/v1/cohorts/{id}/capacity-preview/"): lambda w: {"capacity": 12},
}

# Where the schema alone does not make a body the rules accept.
OVERRIDES = {
    ("POST", "/api/v1/applications/"): lambda w: {
        "cohort": w.target_application.cohort_id,
        "email": "new.applicant@example.com",
        "phone": "+12025550199",
        "date_of_birth": "1999-03-04",
        "education": "hs_diploma",
    },
    ("POST", "/api/v1/auth/token/"): lambda w: {
        "email": "avery@school.test",
        "password": "correct-horse-battery",
    },
    ("POST", "/api/v1/hour-logs/"): lambda w: {"start_time": "09:00", "end_time": "12:00"},
    ("POST", "/api/v1/procedure-logs/"): lambda w: {"kind": "venipuncture"},
    ("POST", "/api/v1/procedure-logs/bulk-approve/"): lambda w: {"ids": [w.procedure_log.pk]},
    ("POST", "/api/v1/externships/"): lambda w: {
        "site": w.other_site.pk,
        "supervisor": w.other_site.supervisors.get().pk,
        "starts_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "ends_on": (timezone.localdate() + timedelta(days=80)).isoformat(),
    },
    ("POST", "/api/v1/cohorts/"): lambda w: {
        "program": w.cohort.program.slug,
        "starts_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "ends_on": (timezone.localdate() + timedelta(days=120)).isoformat(),
        "capacity": 12,
    },
    ("PATCH", "/api/v1/cohorts/{id}/"): lambda w: {"capacity": 12},
    ("POST", "/api/v1/people/"): lambda w: {
        "role": "supervisor",
        "email": "new.supervisor@site-a.test",
    },
    ("PATCH", "/api/v1/people/{id}/"): lambda w: {"time_zone": "America/Chicago"},
    ("POST", "/api/v1/employers/"): lambda w: {"name": "Springfield Clinic"},
    ("POST", "/api/v1/sites/"): lambda w: {"capacity": 2, "agreement_valid_until": "2099-01-01"},
    ("PUT", "/api/v1/sites/{id}/"): lambda w: {
        "capacity": 2,
        "agreement_valid_until": "2099-01-01",
        "name": "Site A",
    },
    ("POST", "/api/v1/job-placements/"): lambda w: {"hourly_wage_cents": 2000},
    ("POST", "/api/v1/exam-attempts/"): lambda w: {
        "sat_on": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "result": "scheduled",
        "override_reason": "Retake approved by the program director",
    },
    ("PATCH", "/api/v1/coaching-sessions/{id}/"): lambda w: {"next_step": "Mock interview"},
    ("PATCH", "/api/v1/employers/{id}/"): lambda w: {"address": "3 Elm Street"},
    ("PATCH", "/api/v1/exam-attempts/{id}/"): lambda w: {"scaled_score": 300},
    ("PATCH", "/api/v1/job-applications/{id}/"): lambda w: {"role": "Phlebotomist"},
    ("PATCH", "/api/v1/job-placements/{id}/"): lambda w: {"title": "Lead phlebotomist"},
    ("PATCH", "/api/v1/unavailabilities/{id}/"): lambda w: {"evidence_note": "Orders on file"},
    ("PATCH", "/api/v1/sites/{id}/"): lambda w: {"address": "4 Oak Street"},
    ("PATCH", "/api/v1/externships/{id}/"): lambda w: {"status": "completed"},
    ("POST", "/api/v1/students/{id}/withdraw/"): lambda w: {"reason": "Moving away"},
    ("POST", "/api/v1/students/{id}/leave/"): lambda w: {"reason": "Family"},
    ("POST", "/api/v1/messaging/sms/inbound/"): lambda w: {"From": "+12025550100", "Body": "HELP"},
}


def url(operation: Operation, world: World) -> str:
    """The operation's path with `{id}` (or `{slug}`) filled in with the world's record."""
    _, path = operation
    if "{" not in path:
        return path
    collection = path.removeprefix(API_PREFIX).split("/{")[0]
    if collection not in world.ids:
        raise LookupError(
            f"{path}: the world has no record of {collection!r}; add one to `world.ids` in "
            "tests/hardening/world.py"
        )
    return re.sub(r"\{\w+\}", str(world.ids[collection]), path)


def client_for_role(role: str, world: World) -> APIClient:
    """An API client signed in as the role with a real token (anonymous and applicant: none)."""
    client = APIClient(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=user)}")
    return client


def send(
    client: APIClient,
    operation: Operation,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    content_type: str | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Make the request inside a transaction that is rolled back afterwards, so that every call
    meets the same world."""
    method, _ = operation
    found = request_schema(operation) if method != "GET" else None
    if content_type is None:
        content_type = found[0] if found else "application/json"
    if raw is None:
        if body is None:
            raw = b""
        elif content_type == "application/x-www-form-urlencoded":
            raw = urlencode(body).encode()
        else:
            raw = json.dumps(body).encode()
    if params:
        path = f"{path}?{urlencode(params)}"
    with transaction.atomic():
        response = client.generic(
            method,
            path,
            raw,
            content_type=content_type,
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
        )
        transaction.set_rollback(True)
    return response


def call(role: str, operation: Operation, world: World) -> Response:
    """The access matrix's request: the operation as the role, on the world's records, with a
    body the rules accept from the records' owner."""
    method, _ = operation
    params = query(operation, world)
    if role == "applicant":
        params = {**params, "token": world.applicant_token}
    body = valid_body(operation, world) if method != "GET" else None
    return send(client_for_role(role, world), operation, url(operation, world), body, params=params)
