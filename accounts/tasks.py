from accounts.tokens import forget_expired_tokens
from backend.periodic import periodic


@periodic
def forget_expired_api_tokens() -> int:
    """Delete API tokens that lapsed more than 30 days ago; returns how many."""
    return forget_expired_tokens()
