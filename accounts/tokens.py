"""API tokens: issued at each sign-in, lapsing after `API_TOKEN_IDLE_DAYS` without use, revoked
all at once when their person signs out everywhere or changes password (`User.save`).

A token's last use is recorded at most once an hour, so a busy client does not write on every
request; the idle period therefore counts from its last use to within the hour."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiToken, User

NOTE_USE_EVERY = timedelta(hours=1)
# An expired token is kept this long to answer `token_expired` (not "invalid"), then forgotten.
KEEP_EXPIRED_FOR = timedelta(days=30)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(days=settings.API_TOKEN_IDLE_DAYS)


def issue_token(*, user: User) -> str:
    """A new token for the user; the key is shown this once and only its digest is kept."""
    key = secrets.token_hex(20)
    ApiToken.objects.create(user=user, digest=_digest(key))
    return key


def token_for_key(key: str) -> ApiToken | None:
    """The token with this key, its user loaded; None when there is none (or it was revoked)."""
    return ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()


def has_lapsed(token: ApiToken, now: datetime) -> bool:
    """Unused for longer than `API_TOKEN_IDLE_DAYS`."""
    return token.last_used_at < now - idle_limit()


def note_use(token: ApiToken, now: datetime) -> None:
    """Record that the token was used, unless that was done within the hour."""
    if token.last_used_at < now - NOTE_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk, last_used_at__lt=now - NOTE_USE_EVERY).update(
            last_used_at=now
        )
        token.last_used_at = now


def revoke_tokens(*, user: User) -> int:
    """Sign the user out of the API everywhere; returns how many tokens went."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def forget_expired_tokens(now: datetime | None = None) -> int:
    """Delete tokens that lapsed more than `KEEP_EXPIRED_FOR` ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - idle_limit() - KEEP_EXPIRED_FOR
    deleted, _ = ApiToken.objects.filter(last_used_at__lt=cutoff).delete()
    return deleted
