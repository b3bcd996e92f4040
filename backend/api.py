"""The API shell: pagination, throttles and the one exception handler."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.fields import Field
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from backend import outage
from backend.errors import DomainError, TooManyFailedSignIns
from backend.http import client_address

# The largest id a BigAutoField holds; beyond it a lookup overflows in the database driver.
MAX_ID = 2**63 - 1


def _is_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _ids_are_whole(field: Field, value: object) -> bool:
    if isinstance(field, PrimaryKeyRelatedField):
        return value is None or _is_id(value)
    many = isinstance(field, ManyRelatedField)
    if many and isinstance(field.child_relation, PrimaryKeyRelatedField):
        return not isinstance(value, list) or all(_is_id(item) for item in value)
    return True


# Mixed into every input serializer (first among its bases): a field the operation does not take
# is an error rather than silently dropped, and an id must be a whole number (Django would read
# 1.5, or true, as the id 1). A comment, not a docstring: drf-spectacular would give the
# docstring to every request body in the schema, whose readers are API clients.
class StrictInput:
    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            fields = self.fields
            for name in data:
                if name not in fields or fields[name].read_only:
                    errors[name] = ["This field is not accepted here."]
                elif not _ids_are_whole(fields[name], data[name]):
                    errors[name] = ["An id is a whole number."]
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not errors:
                raise
            detail = exc.detail
            if not isinstance(detail, dict):
                detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
            raise ValidationError({**detail, **errors}) from None
        if errors:
            raise ValidationError(errors)
        return value


class JsonWhateverAccepted(DefaultContentNegotiation):
    """For a view whose answer is not the client's choice (a PDF, the SMS webhook's TwiML): any
    `Accept` is served, and an error comes in the view's first renderer, JSON."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ByClientAddress(AnonRateThrottle):
    """Counted per `client_address` (TRUSTED_PROXIES aware), the address consent records keep."""

    def get_ident(self, request: Request) -> str:
        # Requests without a readable address share one allowance rather than escape the count.
        return client_address(request) or "unknown"


class ApplyRateThrottle(ByClientAddress):
    """Anonymous applications per client address (`APPLY_RATE`; `off` disables it)."""

    scope = "apply"


class LoginRateThrottle(ByClientAddress):
    """Sign-in attempts per client address: the API token, the login page, password resets."""

    scope = "login"


class TokenRateThrottle(ByClientAddress):
    """Anonymous requests per client address to anything opened by a secret in the address or a
    signature: status pages and their actions, emailed review links, the SMS webhook
    (`ANON_RATE`); signed-in users are not counted."""

    scope = "token"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors and Django validation errors as 4xx JSON, and a database
    that cannot answer as 503 (backend/outage.py)."""
    if outage.is_outage(exc):
        outage.log_once(context["request"]._request, exc)
        return outage.unavailable(
            Response({"detail": outage.DETAIL, "code": outage.CODE}, status=503)
        )
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        body["code"] = exc.code
        response = Response(body, status=exc.status_code)
        if isinstance(exc, TooManyFailedSignIns):
            response["Retry-After"] = str(exc.wait)
        return response
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OverflowError):
        # An id or number too large for the database (SQLite raises this one).
        return Response({"detail": "A number is out of range."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # What the database cannot hold (a NUL byte in a query, a number beyond its range).
        return Response(
            {"detail": "A value cannot be stored or looked up.", "code": "invalid"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # A database constraint caught what the services did not: a conflict, never a 500.
        return Response(
            {"detail": "This change conflicts with the current data.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
