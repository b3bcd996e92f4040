"""certificates_batch: 200 certificates of completion as one document with page breaks, against
one document per certificate.

`batch_cpu_ms_per_certificate`: gathering, templating (with each QR code) and WeasyPrint for all
200 as one HTML document, in CPU time of the one process (so "per core", and steady while other
work shares the machine), divided by 200: target <= 25 ms. Its baseline is the same work one
document per certificate, measured on the first SINGLES certificates and divided by their
number: target ratio <= 0.1 (10x faster). `batch_wall_ms_per_certificate` is the same in wall
time. `split_ms_per_certificate` is the extra cost of splitting the batch into a file per
student with pypdf, where one is needed.
"""

import io
import os
import re
import statistics
import time

from django.db import connection
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from benchmarks import metric, scratch_database
from benchmarks.pdf_world import seed_cohort
from documents import rendering
from documents.models import Certificate
from documents.services import certificates_html, certificates_in_order

CERTIFICATES = 200
SINGLES = 30
RUNS = 2


def _batch(ids: list[int]) -> tuple[float, float, bytes]:
    """Wall and CPU milliseconds, and the PDF."""
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = rendering.html_to_pdf([certificates_html(certificates_in_order(ids))])
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, pdf


def _one_each(ids: list[int]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for pk in ids:
        rendering.html_to_pdf([certificates_html(certificates_in_order([pk]))])
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _split(pdf: bytes) -> tuple[float, int]:
    """A file per certificate. WeasyPrint shares one resource dictionary between pages, so each
    page keeps only the images its own content draws (else every file carries all 200 QR codes)."""
    start = time.perf_counter()
    files = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = DictionaryObject(page["/Resources"].get_object())  # a copy for this page
        images = resources.get("/XObject")
        if images is not None:
            drawn = set(re.findall(rb"/([\w.-]+) Do", page.get_contents().get_data()))
            resources[NameObject("/XObject")] = DictionaryObject(
                {k: v for k, v in images.get_object().items() if k[1:].encode() in drawn}
            )
            page[NameObject("/Resources")] = resources
        writer = PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        files.append(out.getvalue())
    return (time.perf_counter() - start) * 1000, len(files)


def run() -> list[dict[str, object]]:
    load = os.getloadavg()[0]
    with scratch_database():
        seed_cohort(CERTIFICATES, graduated=True)
        ids = list(Certificate.objects.order_by("id").values_list("pk", flat=True))
        assert len(ids) == CERTIFICATES
        _batch(ids[:2])  # warm up: fonts, templates, imports
        batch, batch_cpu, single, single_cpu = [], [], [], []
        for _ in range(RUNS):
            wall, cpu, pdf = _batch(ids)
            batch.append(wall)
            batch_cpu.append(cpu)
            wall, cpu = _one_each(ids[:SINGLES])
            single.append(wall)
            single_cpu.append(cpu)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        split_ms, files = _split(pdf)
        vendor = connection.vendor
    if pages != CERTIFICATES or files != CERTIFICATES:
        raise ValueError(f"expected {CERTIFICATES} pages and files, got {pages} and {files}")
    per_batch = statistics.median(batch) / CERTIFICATES
    per_single = statistics.median(single) / SINGLES
    cpu_batch = statistics.median(batch_cpu) / CERTIFICATES
    cpu_single = statistics.median(single_cpu) / SINGLES
    params = {
        "certificates": CERTIFICATES,
        "one_each_measured_on": SINGLES,
        "runs": RUNS,
        "statistic": "median",
        "processes": 1,
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "batch_cpu_ms_per_certificate",
            round(cpu_batch, 2),
            "ms",
            params=params,
            baseline=round(cpu_single, 2),
        ),
        metric(
            "batch_wall_ms_per_certificate",
            round(per_batch, 2),
            "ms",
            params=params,
            baseline=round(per_single, 2),
        ),
        metric("batch_total_ms", round(statistics.median(batch), 1), "ms", params=params),
        metric(
            "split_ms_per_certificate",
            round(split_ms / CERTIFICATES, 2),
            "ms",
            params={**params, "note": "pypdf, one file per student from the batch"},
        ),
    ]
