"""A database that cannot answer (PostgreSQL restarting or out of connections, SQLite locked past
its busy timeout) answers 503 with `Retry-After`, never a 500: JSON `{"detail", "code"}` under
/api/, a "try again in a moment" page elsewhere, and one WARNING line per request in the log
instead of a traceback.

DRF views reach it through the API's exception handler (backend.api); everything else (pages,
middleware, a connection refused at the request's first query) through `server_error`, Django's
`handler500`, which sees the exception that is being handled."""

import logging

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

# Django wraps the driver's errors (the driver's is the cause); a few paths raise psycopg's own.
# PostgreSQL ending a transaction left idle too long (backend/idempotency.py) is, by its SQLSTATE,
# an InternalError, though what it did was close the connection.
DATABASE_DOWN = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg.errors.IdleInTransactionSessionTimeout,
)
CODE = "unavailable"
DETAIL = "The service is briefly unavailable. Try again in a moment."
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger(__name__)


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_DOWN) or isinstance(
        getattr(exc, "__cause__", None), DATABASE_DOWN
    )


def log_once(request: HttpRequest, exc: BaseException) -> None:
    """One WARNING line for the request, however many layers meet the same outage (a view, then
    the session middleware saving the session). `request` is Django's, not DRF's wrapper."""
    if getattr(request, "_outage_logged", False):
        return
    request._outage_logged = True  # type: ignore[attr-defined]
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.warning(
        "Database unavailable, answered 503 to %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        reason,
    )


def unavailable(response: HttpResponse) -> HttpResponse:
    """Mark a 503 answer: when to come back, and already logged (Django would add an ERROR line
    per 5xx answer, with a traceback when it comes from an exception)."""
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log
    return response


def page(request: HttpRequest) -> HttpResponse:
    """The branded page, rendered without the database: no context processors (they read the
    session and the user), only what base.html needs."""
    context = {"site_name": settings.SITE_NAME, "request": request}
    html = loader.render_to_string("503.html", context)
    return unavailable(HttpResponse(html, status=503))


def answer(request: HttpRequest, exc: BaseException) -> HttpResponse:
    log_once(request, exc)
    if request.path.startswith("/api/"):
        return unavailable(JsonResponse({"detail": DETAIL, "code": CODE}, status=503))
    return page(request)
