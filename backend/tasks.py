from backend.idempotency import expire_keys
from backend.periodic import periodic


@periodic
def expire_idempotency_keys() -> int:
    """Forget `Idempotency-Key`s older than 24 hours; returns how many."""
    return expire_keys()
