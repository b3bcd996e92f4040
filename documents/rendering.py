"""HTML to PDF with WeasyPrint, in this process or in a recycled worker process.

WeasyPrint does not give memory back to the system, so large exports render in a separate
process that is replaced after `PDF_RENDERS_PER_WORKER` documents. This module imports no Django
model, so the worker starts with WeasyPrint alone."""

import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from weasyprint import HTML

# Fonts ship with the project (documents/fonts) so a PDF is the same on every machine; the
# templates load them with @font-face relative to this folder.
BASE_URL = str(Path(__file__).resolve().parent) + "/"

_progress: "multiprocessing.Queue[int] | None" = None  # set in each worker process
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_pool_queue: "multiprocessing.Queue[int] | None" = None


def html_to_pdf(parts: list[str]) -> bytes:
    """One PDF from one or more HTML documents, their pages in order (each part is laid out on
    its own, so a long batch can report progress part by part)."""
    documents = []
    for html in parts:
        documents.append(HTML(string=html, base_url=BASE_URL).render())
        if _progress is not None:
            _progress.put(1)
    if len(documents) == 1:
        return documents[0].write_pdf()
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def _worker_started(progress: "multiprocessing.Queue[int]") -> None:
    global _progress
    _progress = progress


def _worker_pool(renders_per_worker: int) -> tuple[ProcessPoolExecutor, "multiprocessing.Queue"]:
    global _pool, _pool_queue
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool_queue = context.Queue()
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                max_tasks_per_child=renders_per_worker,
                initializer=_worker_started,
                initargs=(_pool_queue,),
            )
        return _pool, _pool_queue


def html_to_pdf_in_worker(
    parts: list[str], *, renders_per_worker: int, on_part: Callable[[], None] | None = None
) -> bytes:
    """`html_to_pdf` in the worker process; `on_part` is called here as each part is laid out.
    One render at a time per process that calls this (the export task runs one job at a time)."""
    pool, progress = _worker_pool(renders_per_worker)
    future = pool.submit(html_to_pdf, parts)
    while True:
        try:
            progress.get(timeout=0.2)
        except queue.Empty:
            if future.done():
                break
        else:
            if on_part is not None:
                on_part()
    try:
        return future.result()
    except BrokenProcessPool:
        shutdown_worker()  # the worker died (e.g. out of memory): the next export starts afresh
        raise


def shutdown_worker() -> None:
    """Stop the worker process (tests and benchmarks, to measure a fresh one)."""
    global _pool, _pool_queue
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()
        _pool, _pool_queue = None, None


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB; the benchmarks ask the worker."""
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kb / 1024


def worker_peak_rss_mb() -> float:
    """The worker process's peak resident memory so far (it must have a task left to run)."""
    pool, _ = _worker_pool(1)
    return pool.submit(peak_rss_mb).result()
