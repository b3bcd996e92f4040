"""api_overhead: the cost of DRF on a paginated list, same process, same middleware, same rows.

`GET /api/v1/cohorts/?page_size=100` (anonymous) against a bare view that runs the same query
(the annotated cohorts; reads never settle offers) through `.values()` and returns a
`JsonResponse`. Both go through one `django.test.Client` and this module's urlconf (the project's
URLs plus the bare view), alternating, on a scratch database that is destroyed afterwards.
"""

import os
import statistics
import time
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from benchmarks import BenchmarkError, metric, scratch_database
from enrollment.models import Cohort, Program, SeatStatus, Track
from enrollment.selectors import cohorts_with_counts

ROWS = 100
REQUESTS = 200
WARMUP = 20
API_URL = f"/api/v1/cohorts/?page_size={ROWS}"
BARE_URL = "/bench/cohorts/"


def _status(row: dict[str, Any], today: date) -> str:
    """`enrollment.selectors.cohort_status` over a `.values()` row."""
    if today >= row["enrollment_cutoff"]:
        return SeatStatus.CLOSED
    if row["program__waitlist_only"] or row["seats_left"] == 0:
        return SeatStatus.WAITLIST_ONLY
    if row["seats_left"] <= row["program__few_left_at"]:
        return SeatStatus.FEW_LEFT
    return SeatStatus.OPEN


def bare_cohorts(request: HttpRequest) -> JsonResponse:
    """The API's first page of cohorts, without DRF."""
    today = timezone.localdate()
    rows = cohorts_with_counts(Cohort.objects.filter(program__is_active=True)).values(
        "id",
        "program__slug",
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "seats_left",
        "enrollment_cutoff",
        "program__waitlist_only",
        "program__few_left_at",
    )[:ROWS]
    results = [
        {
            "id": row["id"],
            "program": row["program__slug"],
            "name": row["name"],
            "starts_on": row["starts_on"],
            "ends_on": row["ends_on"],
            "capacity": row["capacity"],
            "seats_left": row["seats_left"],
            "status": _status(row, today),
        }
        for row in rows
    ]
    return JsonResponse({"results": results})


urlpatterns = [path("bench/cohorts/", bare_cohorts), path("", include("backend.urls"))]


def _seed() -> None:
    """ROWS cohorts over one program per track, with capacities that give every seat status."""
    today = timezone.localdate()
    programs = [
        Program.objects.create(
            slug=track.value.replace("_", "-"),
            name=track.label,
            track=track.value,
            duration_weeks=8,
            delivery="100% online, evening classes",
            credential="NHA",
        )
        for track in Track
    ]
    for n in range(ROWS):
        starts_on = today + timedelta(days=30 + n)
        Cohort.objects.create(
            program=programs[n % len(programs)],
            name=f"Cohort {n}",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(weeks=8),
            capacity=n % 30,
        )


def _get(client: Client, url: str) -> tuple[float, list[dict[str, Any]]]:
    """One request: its time in ms and its rows."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise BenchmarkError(f"GET {url} answered {response.status_code}")
    return elapsed, response.json()["results"]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def run() -> list[dict[str, object]]:
    """Time the DRF list against the bare view; both must return the same rows."""
    load = os.getloadavg()[0]
    with scratch_database(), override_settings(ROOT_URLCONF=__name__):
        _seed()
        client = Client()
        _, api_rows = _get(client, API_URL)
        _, bare_rows = _get(client, BARE_URL)
        if len(api_rows) != ROWS or api_rows != bare_rows:
            raise BenchmarkError("the API and the bare view do not return the same rows")
        for _ in range(WARMUP):
            _get(client, API_URL)
            _get(client, BARE_URL)
        api, bare = [], []
        for _ in range(REQUESTS):
            api.append(_get(client, API_URL)[0])
            bare.append(_get(client, BARE_URL)[0])
        vendor = connection.vendor
    params = {
        "rows": ROWS,
        "requests": REQUESTS,
        "warmup": WARMUP,
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "list_request_ms",
            round(statistics.median(api), 3),
            "ms",
            baseline=round(statistics.median(bare), 3),
            params=params,
        ),
        metric(
            "list_request_p95_ms",
            round(_p95(api), 3),
            "ms",
            baseline=round(_p95(bare), 3),
            params=params,
        ),
    ]
