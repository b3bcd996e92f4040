"""Settings of the apply_burst server: the project's own, with the baseline endpoints added and
the cohort lock's hold times written to BENCH_LOCK_LOG (benchmarks/lock_hold.py)."""

from backend.settings import *  # noqa: F403
from backend.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.burst_urls"
MIDDLEWARE = ["benchmarks.lock_hold.LockHoldProbe", *MIDDLEWARE]
