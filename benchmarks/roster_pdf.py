"""roster_pdf: the roster of a 500-student cohort.

Two ratios, both of CPU time in this one process (steadier than wall time while other work
shares the machine; the wall times are reported beside them). `total_cpu_ms` (gathering the rows
in batches, templating and WeasyPrint) against WeasyPrint alone rendering the same final HTML:
our overhead, target <= 1.2. `weasyprint_roster_cpu_ms` (WeasyPrint on our roster HTML) against
WeasyPrint on a plain `<table>` of the same columns, rows and text with the same fonts and page
rules (a cell's lines apart with `<br>`): the layout choice, target <= 0.8. Runs are interleaved
and the median kept.

Memory: the background export renders in a worker process that is replaced after
`PDF_RENDERS_PER_WORKER` documents. Reported: the worker's peak RSS (VmHWM, read in the worker
after the render), and how much the calling process grew over the export (the point of the
worker: WeasyPrint does not give memory back, the worker's exit does).
"""

import os
import re
import resource
import statistics
import time

from django.db import connection
from weasyprint import HTML

from benchmarks import metric, scratch_database
from benchmarks.pdf_world import seed_cohort
from documents import rendering
from documents.selectors import roster_batches
from documents.services import roster_html

STUDENTS = 500
RUNS = 2


def _ours(cohort: object) -> tuple[float, float]:
    """Wall and CPU milliseconds of the whole roster: rows, template, WeasyPrint."""
    wall, cpu = time.perf_counter(), time.process_time()
    html = roster_html(cohort, list(roster_batches(cohort)))
    rendering.html_to_pdf([html])
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _weasyprint(html: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    HTML(string=html, base_url=rendering.BASE_URL).write_pdf()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def plain_table(html: str) -> str:
    """The same rows and columns as a plain <table>, with the roster's own @page and fonts."""
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    page_rules = style.split("body {")[0]
    heading = re.search(r'<div class="heading">(.*?)<div class="r cols">', html, re.S).group(1)
    rows = re.findall(r'<div class="r">(.*?)</div>', html, re.S)
    cells = [re.findall(r'<span class="\w">(.*?)</span>', row, re.S) for row in rows]
    # A plain table separates a cell's lines with <br>, where the roster uses pre-line newlines.
    body = "".join(
        "<tr>" + "".join(f"<td>{c.replace(chr(10), '<br>')}</td>" for c in row) + "</tr>"
        for row in cells
    )
    head = "".join(
        f"<th>{c}</th>"
        for c in ("Student", "Status", "Coach", "Hours", "Procedures", "Exam", "Placement")
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><style>{page_rules}'
        'body { font: 7.5pt/1.3 "Pathway Sans"; margin: 0; }'
        ".heading { position: running(heading); }</style></head><body>"
        f'<div class="heading">{heading}</div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kb / 1024


def run() -> list[dict[str, object]]:
    load = os.getloadavg()[0]
    with scratch_database():
        cohort = seed_cohort(STUDENTS, graduated=False)
        cohort.refresh_from_db()
        html = roster_html(cohort, list(roster_batches(cohort)))
        rendering.html_to_pdf([html.split('<div class="r">')[0] + "</body></html>"])  # warm up
        table = plain_table(html)
        assert table.count("<tr>") == STUDENTS + 1
        ours, alone, plain = [], [], []
        for _ in range(RUNS):
            ours.append(_ours(cohort))
            alone.append(_weasyprint(html))
            plain.append(_weasyprint(table))
        rendering.shutdown_worker()
        before = _rss_mb()
        start = time.perf_counter()
        rendering.html_to_pdf_in_worker(
            [roster_html(cohort, list(roster_batches(cohort)))], renders_per_worker=2
        )
        worker_ms = (time.perf_counter() - start) * 1000
        worker_peak = rendering.worker_peak_rss_mb()
        rendering.shutdown_worker()
        grew = _rss_mb() - before
        self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        vendor = connection.vendor
    pages = html.count('<div class="r">')
    params = {
        "students": STUDENTS,
        "rows": pages,
        "runs": RUNS,
        "statistic": "median",
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    ours_ms, alone_ms, plain_ms = (statistics.median(w for w, _ in x) for x in (ours, alone, plain))
    ours_cpu, alone_cpu, plain_cpu = (
        statistics.median(c for _, c in x) for x in (ours, alone, plain)
    )
    vs_table = {**params, "baseline": "plain <table>, same columns and rows"}
    return [
        metric("total_cpu_ms", round(ours_cpu), "ms", params=params, baseline=round(alone_cpu)),
        metric(
            "weasyprint_roster_cpu_ms",
            round(alone_cpu),
            "ms",
            params=vs_table,
            baseline=round(plain_cpu),
        ),
        metric("total_wall_ms", round(ours_ms), "ms", params=params, baseline=round(alone_ms)),
        metric(
            "weasyprint_roster_wall_ms",
            round(alone_ms),
            "ms",
            params=vs_table,
            baseline=round(plain_ms),
        ),
        metric("cpu_ms_per_row", round(alone_cpu / STUDENTS, 2), "ms", params=params),
        metric("plain_table_cpu_ms_per_row", round(plain_cpu / STUDENTS, 2), "ms", params=params),
        metric(
            "worker_export_ms",
            round(worker_ms, 1),
            "ms",
            params={**params, "note": "data, templating, worker start and render"},
        ),
        metric("worker_peak_rss_mb", round(worker_peak, 1), "MB", params=params),
        metric(
            "caller_rss_growth_mb",
            round(grew, 1),
            "MB",
            params={**params, "note": "the calling process over one export in the worker"},
        ),
        metric(
            "caller_peak_rss_mb",
            round(self_peak, 1),
            "MB",
            params={**params, "note": "includes the in-process renders timed above"},
        ),
    ]
