"""`Authorization: Token <key>` for the API, with the tokens of accounts/tokens.py."""

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts import tokens
from accounts.models import ApiToken, User


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token header, read against our tokens: an unknown or revoked key, an inactive user
    and a token unused for `API_TOKEN_IDLE_DAYS` each answer 401 with its own `code`."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = tokens.token_for_key(key)
        if token is None:
            raise AuthenticationFailed(
                {
                    "detail": "Invalid token: it was never issued, or it was revoked. Sign in "
                    "again for a new one.",
                    "code": "token_invalid",
                }
            )
        if not token.user.is_active:
            raise AuthenticationFailed(
                {"detail": "This account is inactive.", "code": "user_inactive"}
            )
        now = timezone.now()
        if tokens.has_lapsed(token, now):
            days = tokens.idle_limit().days
            raise AuthenticationFailed(
                {
                    "detail": f"This token expired after {days} days without use. Sign in "
                    "again for a new one.",
                    "code": "token_expired",
                }
            )
        tokens.note_use(token, now)
        return token.user, token
