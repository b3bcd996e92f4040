"""`Idempotency-Key` for operations a client may retry (applying, logging clinical work): the
first request runs; a retry with the same key gets the first answer again, and the same key with
a different body is a 422. Keys are kept a day (`expire_idempotency_keys`).

The claim (a row under a unique constraint), the work and the answer are one transaction: a
request that dies before it commits (a killed worker, a database that restarts) leaves neither a
claim nor any work, so its retry runs afresh; one that commits leaves both, so its retry gets the
answer. A request that comes while the first is still running waits on the first's uncommitted
row, then replays its answer or, if it died, runs afresh; after `WAIT_FOR_FIRST` it answers 409.
A claim that outlives its request is taken over: an unanswered row older than
`IDEMPOTENCY_CLAIM_TIMEOUT` (one left by an earlier version of this code), and on PostgreSQL a
transaction whose connection falls silent that long (its worker gone but its connection not)."""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.http import client_address
from backend.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# How long a request waits for a first request with its key to finish before answering 409.
WAIT_FOR_FIRST = timedelta(seconds=5)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) chosen by the client; a retry with the same key gets the "
        "first answer again (`Idempotent-Replayed: true`), the same key with a different body "
        "422, and while the first request is still running 409 (send it again after "
        "`Retry-After`). A request that failed (no answer, or 503) may be sent again with the "
        "same key: it gets the first answer or runs afresh. Kept for 24 hours."
    ),
)


def _scope(request: Request) -> str:
    user = request.user
    who = f"user:{user.pk}" if user.is_authenticated else f"client:{_client(request)}"
    return f"{who} {request.path}"[:300]


def _client(request: Request) -> str:
    # The same reading of the client address as the throttles (TRUSTED_PROXIES aware).
    return client_address(request) or "unknown"


def _fingerprint(request: Request) -> str:
    # A body that does not parse raises here: a 400 before the key is claimed, never a replay.
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _error(field_status: int, message: str) -> Response:
    return Response({HEADER: [message]}, status=field_status)


def _still_running() -> Response:
    response = _error(status.HTTP_409_CONFLICT, "The first request with this key is still running.")
    response["Retry-After"] = str(int(WAIT_FOR_FIRST.total_seconds()))
    return response


def _limit_waits() -> None:
    """On PostgreSQL, for this transaction: wait at most WAIT_FOR_FIRST for another request's claim,
    and end the transaction (and its claim) if it stays idle longer than a request may live."""
    if connection.vendor != "postgresql":
        return  # SQLite: a dead process holds no lock, and writers queue on the busy timeout
    wait_ms = int(WAIT_FOR_FIRST.total_seconds() * 1000)
    idle_ms = settings.IDEMPOTENCY_CLAIM_TIMEOUT * 1000
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL lock_timeout = {wait_ms}; "
            f"SET LOCAL idle_in_transaction_session_timeout = {idle_ms}"
        )


def _wait_as_usual() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _lock_wait_ended(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Our claim on the key, or the answer to give instead of running the operation. Runs inside
    the transaction of the operation: the claim commits with the work, or not at all."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass  # the first request with this key has committed
    except OperationalError as exc:
        if _lock_wait_ended(exc):
            return _still_running()
        raise
    try:
        earlier = IdempotencyKey.objects.select_for_update().filter(scope=scope, key=key).first()
    except OperationalError as exc:
        if _lock_wait_ended(exc):
            return _still_running()
        raise
    if earlier is None:  # expired in between: rare enough to ask for a retry
        return _error(status.HTTP_409_CONFLICT, "This key was just released; send it again.")
    if earlier.fingerprint != fingerprint:
        return _error(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "This key was already used with a different request.",
        )
    if earlier.status_code is None:
        now = timezone.now()
        if now - earlier.created_at < timedelta(seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT):
            return _still_running()
        earlier.created_at = now  # its request is long gone: ours now, under the row lock
        earlier.save(update_fields=["created_at"])
        return earlier
    replay = Response(earlier.response_body, status=earlier.status_code)
    replay["Idempotent-Replayed"] = "true"
    return replay


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Make a DRF view method honour `Idempotency-Key`; without the header nothing changes."""

    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view(self, request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return _error(
                status.HTTP_400_BAD_REQUEST,
                f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID.",
            )
        scope, fingerprint = _scope(request), _fingerprint(request)
        refused: Exception | None = None
        # A database error, or a crash (BaseException), rolls back the claim with the work.
        with transaction.atomic():
            _limit_waits()
            claim = _claim(scope, key, fingerprint)
            if isinstance(claim, Response):
                return claim
            _wait_as_usual()
            try:
                response = view(self, request, *args, **kwargs)
            except DatabaseError:
                raise
            except Exception as exc:
                # Refused (a 4xx the handler will give): like without a key, what the operation
                # did before refusing stays (a repeat application's resent link), and the key
                # stays free for a corrected request.
                claim.delete()
                refused = exc
            else:
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    claim.status_code = response.status_code
                    claim.response_body = response.data
                    claim.save(update_fields=["status_code", "response_body"])
        if refused is not None:
            raise refused
        return response

    return wrapper


def expire_keys(now: Any = None) -> int:
    """Forget keys older than a day; returns how many."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
