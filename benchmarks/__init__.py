"""Pathway's benchmarks: `python -m benchmarks [NAME]` prints one JSON line per metric.

Each module named in `benchmarks.__main__.BENCHMARKS` has `run() -> list[dict]`, whose dicts come
from `metric()`; the runner adds the benchmark's name.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# In-process Django and the benchmark server run with DEBUG off, which needs a real-looking key.
SECRET_KEY = "benchmark-only-secret-key-never-used-outside-benchmarks-0123456789"


class BenchmarkError(Exception):
    """A benchmark could not run (e.g. PostgreSQL does not answer); the message is one line."""


def metric(
    name: str,
    value: float,
    unit: str,
    *,
    params: dict[str, object],
    baseline: float | None = None,
) -> dict[str, object]:
    """One result line; `ratio` is value / baseline when there is a nonzero baseline."""
    return {
        "metric": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": round(value / baseline, 3) if baseline else None,
        "params": params,
    }


def samples_ms(call: Callable[[], object], runs: int) -> list[float]:
    """Wall time of `runs` calls, in milliseconds each."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def paired_samples_ms(
    ours: Callable[[], object], baseline: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """Wall times of `ours` and `baseline`, called in turn, so that a change in the machine's load
    falls on both alike."""
    a, b = [], []
    for _ in range(runs):
        a += samples_ms(ours, 1)
        b += samples_ms(baseline, 1)
    return a, b


@contextmanager
def scratch_database(name: str = "api") -> Iterator[None]:
    """A freshly migrated database beside the configured one (`var/bench_<name>.sqlite3`, or
    `pathway_bench_<name>` on PostgreSQL), destroyed on exit."""
    from django.conf import settings
    from django.db import connection

    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        scratch = settings.BASE_DIR / "var" / f"bench_{name}.sqlite3"
        scratch.parent.mkdir(exist_ok=True)
        settings_dict.setdefault("TEST", {})["NAME"] = str(scratch)
    else:
        settings_dict.setdefault("TEST", {})["NAME"] = f"pathway_bench_{name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
