"""Periodic work such as offer expiries and reminders.

Apps register jobs with `@periodic` (in their `tasks.py`); `manage.py periodic` runs them, once or
in a loop, from `make worker` or cron. Every job must be safe to run at any time and repeatedly.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

JOBS: dict[str, Callable[[], int]] = {}


def periodic(job: Callable[[], int]) -> Callable[[], int]:
    """Register a job that returns how many things it settled."""
    JOBS[f"{job.__module__}.{job.__qualname__}"] = job
    return job


def run_all() -> dict[str, int | str]:
    """Run every job; one job's failure is logged and does not stop the others."""
    results: dict[str, int | str] = {}
    for name, job in JOBS.items():
        try:
            results[name] = job()
        except Exception as exc:
            logger.exception("periodic job %s failed", name)
            results[name] = f"failed: {exc}"
    return results
