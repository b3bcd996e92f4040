"""outcomes_report: the outcome report over 10,000 synthetic students.

`seed_demo --students 100`, then `--students 10000` (which adds the other 9,900), on a scratch
database beside the configured one (SQLite by default, PostgreSQL when DATABASE_URL says so). The
report's queries are counted at both sizes: they must be equal and at most 10. Then
`careers.reports.outcome_report` for the last complete reporting year is timed against one
hand-written SQL aggregate of the same figures per cohort. Target: ratio <= 2.
"""

import io
import os
import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import BenchmarkError, metric, samples_ms, scratch_database
from careers.reports import TERMS, outcome_report, reporting_year_of, year_bounds

STUDENTS = (100, 10_000)
RUNS = 15
RAW_SQL = """
SELECT p.cohort_id,
  SUM(CASE WHEN p.started_on < %(start)s
      AND (p.ended_on IS NULL OR p.ended_on >= %(start)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.started_on >= %(start)s AND p.reentry_after IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.started_on >= %(start)s AND p.reentry_after < %(start)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.ended_on IS NULL OR p.ended_on > %(end)s THEN 1 ELSE 0 END),
  SUM(p.graduated),
  SUM(CASE WHEN p.graduated = 1 AND p.unavailable = 0 AND p.in_field = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.graduated = 1 AND p.unavailable = 0 AND p.in_field = 0 AND p.related = 1
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.graduated = 1 AND p.unavailable = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.graduated = 1 AND p.sat = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.graduated = 1 AND p.passed = 1 THEN 1 ELSE 0 END)
FROM (
  SELECT e.cohort_id, e.started_on, e.ended_on, e.reentry_after,
    CASE WHEN e.end_reason = 'graduated' AND e.ended_on >= %(start)s AND e.ended_on <= %(end)s
      THEN 1 ELSE 0 END AS graduated,
    CASE WHEN EXISTS (SELECT 1 FROM careers_jobplacement j WHERE j.student_id = e.student_id
      AND j.classification = 'in_field') THEN 1 ELSE 0 END AS in_field,
    CASE WHEN EXISTS (SELECT 1 FROM careers_jobplacement j WHERE j.student_id = e.student_id
      AND j.classification = 'related') THEN 1 ELSE 0 END AS related,
    CASE WHEN EXISTS (SELECT 1 FROM careers_unavailability u WHERE u.student_id = e.student_id)
      THEN 1 ELSE 0 END AS unavailable,
    CASE WHEN EXISTS (SELECT 1 FROM careers_examattempt x WHERE x.student_id = e.student_id
      AND x.result IN ('passed', 'failed')) THEN 1 ELSE 0 END AS sat,
    CASE WHEN EXISTS (SELECT 1 FROM careers_examattempt x WHERE x.student_id = e.student_id
      AND x.result = 'passed') THEN 1 ELSE 0 END AS passed
  FROM enrollment_enrollmentperiod e
  WHERE e.started_on <= %(end)s AND (e.ended_on IS NULL OR e.ended_on >= %(start)s)
) p
GROUP BY p.cohort_id
"""


def _seed(students: int) -> float:
    start = time.perf_counter()
    with override_settings(DEBUG=True):  # seed_demo is a development command
        call_command("seed_demo", students=students, stdout=io.StringIO())
    return time.perf_counter() - start


def _ours(year: int) -> dict[int, tuple[int, ...]]:
    report = outcome_report(year=year)
    return {
        row.cohort.pk: tuple(getattr(row.terms, t) for t in TERMS)
        for row in report.rows
        if any(getattr(row.terms, t) for t in TERMS)
    }


def _raw(year: int) -> dict[int, tuple[int, ...]]:
    start, end = year_bounds(year)
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, {"start": start, "end": end})
        rows = cursor.fetchall()
    return {row[0]: tuple(int(n) for n in row[1:]) for row in rows if any(row[1:])}


def run() -> list[dict[str, object]]:
    load = os.getloadavg()[0]
    # The last complete reporting year: the synthetic cohorts cover it from start to end.
    year = reporting_year_of(timezone.localdate()) - 1
    with scratch_database("outcomes"):
        few, many = STUDENTS
        _seed(few)
        with CaptureQueriesContext(connection) as few_queries:
            _ours(year)
        seconds = _seed(many)
        with CaptureQueriesContext(connection) as many_queries:
            ours_figures = _ours(year)
        if ours_figures != _raw(year):
            raise BenchmarkError("the report and the raw SQL disagree on the figures")
        graduates = sum(figures[TERMS.index("g")] for figures in ours_figures.values())
        ours, raw = (
            samples_ms(lambda: outcome_report(year=year), RUNS),
            samples_ms(lambda: _raw(year), RUNS),
        )
        vendor = connection.vendor
    params = {
        "students": many,
        "reporting_year": year,
        "graduates": graduates,
        "runs": RUNS,
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "report_ms",
            round(statistics.median(ours), 2),
            "ms",
            baseline=round(statistics.median(raw), 2),
            params={**params, "baseline": "one hand-written SQL aggregate"},
        ),
        metric(
            "queries_10000_students",
            len(many_queries),
            "queries",
            baseline=len(few_queries),
            params={**params, "baseline": f"queries for {few} students"},
        ),
        metric(
            "seed_9900_more_students_s",
            round(seconds, 2),
            "s",
            params=params,
        ),
    ]
