"""The API shell: pagination, throttles and the one exception handler."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApplyRateThrottle(AnonRateThrottle):
    """Anonymous applications per client address (`APPLY_RATE`; `off` disables it)."""

    scope = "apply"


class LoginRateThrottle(AnonRateThrottle):
    """Sign-in attempts per client address: the API token, the login page, password resets."""

    scope = "login"


class TokenRateThrottle(AnonRateThrottle):
    """Anonymous requests per client address to anything opened by a secret in the address or a
    signature: status pages and their actions, emailed review links, the SMS webhook
    (`ANON_RATE`); staff signed in are not counted."""

    scope = "token"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors and Django validation errors as 4xx JSON."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        body["code"] = exc.code
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OverflowError):
        # An id or number too large for the database (SQLite raises this one).
        return Response({"detail": "A number is out of range."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # A database constraint caught what the services did not: a conflict, never a 500.
        return Response(
            {"detail": "This change conflicts with the current data.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
