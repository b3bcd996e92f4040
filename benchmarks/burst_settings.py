"""Settings of the apply_burst server: the project's own, with the baseline endpoint added."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.burst_urls"
