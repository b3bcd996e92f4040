"""Failed sign-ins per account, whatever the address they come from: after a few wrong passwords
in a row the account waits before its next attempt, a minute at first, twice as long after each
further failure, never more than `LONGEST_WAIT`. A right password after the wait signs in (and
clears the count); failures are forgotten `FORGET_AFTER` after the last one.

Counted in the default cache (the database or Redis), so every process shares the count; keyed
by a digest of the email as typed, lower-cased, whether or not an account has that email (the
answer never tells which)."""

import hashlib
import math
import time

from django.core.cache import cache

FREE_FAILURES = 5  # wrong passwords in a row before the first wait
FIRST_WAIT = 60  # seconds
LONGEST_WAIT = 15 * 60
FORGET_AFTER = 60 * 60  # a count with no failure for this long starts again from zero


def now() -> float:
    """The clock the waits are measured on (a seam for tests, which move it forward)."""
    return time.time()


def _key(email: str) -> str:
    return "failed-sign-ins:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _wait_after(failures: int) -> int:
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT)


def wait_for(email: str) -> int:
    """Seconds before the account may try again; 0 when it may try now."""
    state = cache.get(_key(email))
    if state is None:
        return 0
    return max(0, math.ceil(state["until"] - now()))


def record_failure(email: str) -> None:
    """Count a wrong password (or an unknown email) against the account."""
    key, moment = _key(email), now()
    state = cache.get(key)
    failures = 1
    if state is not None and moment - state["last"] < FORGET_AFTER:
        failures = state["failures"] + 1
    wait = _wait_after(failures)
    state = {"failures": failures, "last": moment, "until": moment + wait}
    cache.set(key, state, timeout=FORGET_AFTER + wait)


def forget(email: str) -> None:
    """A right password: the account starts again from zero."""
    cache.delete(_key(email))
