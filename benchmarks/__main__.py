"""Run the benchmarks: `python -m benchmarks` runs all, `python -m benchmarks NAME` runs one.

Stdout carries only the JSON lines of CONTRACT.md section 6; progress, logs and anything Django or
a subprocess prints go to stderr.
"""

import contextlib
import importlib
import json
import os
import sys

from benchmarks import SECRET_KEY, BenchmarkError

BENCHMARKS = (
    "api_overhead",
    "apply_burst",
    "certificates_batch",
    "coach_dashboard",
    "outcomes_report",
    "progress_list",
    "roster_pdf",
)
KEYS = ("bench", "metric", "value", "unit", "baseline", "ratio", "params")


def setup_django() -> None:
    """Configure Django for in-process benchmarks: DEBUG off, no apply throttle."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        APPLY_RATE="off",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()


def main(names: list[str]) -> int:
    """Run the named benchmarks (all when none is named); 0 when every one of them ran."""
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(
            f"Unknown benchmark {', '.join(unknown)}; choose from: {', '.join(BENCHMARKS)}.",
            file=sys.stderr,
        )
        return 2
    failed = 0
    with contextlib.redirect_stdout(sys.stderr):
        setup_django()
    for name in names or BENCHMARKS:
        try:
            with contextlib.redirect_stdout(sys.stderr):
                rows = importlib.import_module(f"benchmarks.{name}").run()
        except BenchmarkError as exc:
            print(f"{name}: {exc}", file=sys.stderr, flush=True)
            failed += 1
            continue
        for row in rows:
            line = {"bench": name, **row}
            if tuple(line) != KEYS:
                raise ValueError(f"{name} returned a row with keys {tuple(line)}, not {KEYS}")
            print(json.dumps(line), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
