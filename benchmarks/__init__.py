"""Pathway's benchmarks: `python -m benchmarks [NAME]` prints one JSON line per metric.

Each module named in `benchmarks.__main__.BENCHMARKS` has `run() -> list[dict]`, whose dicts come
from `metric()`; the runner adds the benchmark's name.
"""

import time
from collections.abc import Callable

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
