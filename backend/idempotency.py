"""`Idempotency-Key` for operations a client may retry (applying, logging clinical work): the
first request runs; a retry with the same key gets the first answer again, and the same key with
a different body is a 422. Keys are kept a day (`expire_idempotency_keys`).

The claim is a row under a unique constraint, written before the operation runs, so that two
requests sent at the same moment run the operation once: the second sees the claim and answers
409 until the first has finished."""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
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

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) chosen by the client; a retry with the same key gets the "
        "first answer again (`Idempotent-Replayed: true`), the same key with a different body "
        "422, and while the first request is still running 409. Kept for 24 hours."
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


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Our claim on the key, or the answer to give instead of running the operation."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    earlier = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if earlier is None:  # expired in between: rare enough to ask for a retry
        return _error(status.HTTP_409_CONFLICT, "This key was just released; send it again.")
    if earlier.fingerprint != fingerprint:
        return _error(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "This key was already used with a different request.",
        )
    if earlier.status_code is None:
        return _error(status.HTTP_409_CONFLICT, "The first request with this key is still running.")
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
        claim = _claim(_scope(request), key, _fingerprint(request))
        if isinstance(claim, Response):
            return claim
        try:
            response = view(self, request, *args, **kwargs)
        except BaseException:
            claim.delete()  # nothing was answered: a retry may run it again
            raise
        if response.status_code >= 500:
            claim.delete()
        else:
            claim.status_code = response.status_code
            claim.response_body = response.data
            claim.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper


def expire_keys(now: Any = None) -> int:
    """Forget keys older than a day; returns how many."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
