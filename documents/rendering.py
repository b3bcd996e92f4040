"""HTML to PDF with WeasyPrint, in this process or in a recycled worker process.

WeasyPrint does not give memory back to the system, so large exports render in a separate
process that is replaced after `PDF_RENDERS_PER_WORKER` documents. That renderer dies with the
process that started it (`_exit_with_parent`), so a killed task worker leaves nothing behind.
This module imports no Django model, so the renderer starts with WeasyPrint alone."""

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from pathlib import Path

from weasyprint import HTML

# Fonts ship with the project (documents/fonts) so a PDF is the same on every machine; the
# templates load them with @font-face relative to this folder.
BASE_URL = str(Path(__file__).resolve().parent) + "/"

_progress: "multiprocessing.Queue[int] | None" = None  # set in each worker process
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_pool_queue: "multiprocessing.Queue[int] | None" = None
# The writing end of the renderers' lifeline: never written, only held (see _exit_with_parent).
_lifeline: "multiprocessing.connection.Connection | None" = None


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


def _exit_with_parent(lifeline: "multiprocessing.connection.Connection") -> None:
    """In the renderer: wait for the end of the lifeline, whose writing end only the parent
    holds. The kernel closes it when the parent dies, however it dies (SIGKILL, out of memory),
    and the renderer then exits at once instead of living on as an orphan. (Linux's
    PR_SET_PDEATHSIG would follow the parent's thread, not its process: a pool started from a
    short-lived thread would lose its renderer with that thread.)"""
    with suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os._exit(1)


def _worker_started(
    progress: "multiprocessing.Queue[int]", lifeline: "multiprocessing.connection.Connection"
) -> None:
    global _progress
    _progress = progress
    threading.Thread(
        target=_exit_with_parent, args=(lifeline,), name="lifeline", daemon=True
    ).start()


def _worker_pool(renders_per_worker: int) -> tuple[ProcessPoolExecutor, "multiprocessing.Queue"]:
    global _pool, _pool_queue, _lifeline
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool_queue = context.Queue()
            reader, _lifeline = context.Pipe(duplex=False)
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                max_tasks_per_child=renders_per_worker,
                initializer=_worker_started,
                initargs=(_pool_queue, reader),
            )
        return _pool, _pool_queue


def html_to_pdf_in_worker(
    parts: list[str],
    *,
    renders_per_worker: int,
    on_part: Callable[[], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> bytes:
    """`html_to_pdf` in the worker process; `on_part` is called here as each part is laid out,
    and `on_wait` every fraction of a second while the renderer works. One render at a time per
    process that calls this (the export task runs one job at a time)."""
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
        if on_wait is not None:
            on_wait()
    try:
        return future.result()
    except BrokenProcessPool:
        shutdown_worker()  # the worker died (e.g. out of memory): the next export starts afresh
        raise


def shutdown_worker() -> None:
    """Stop the worker process (tests and benchmarks, to measure a fresh one)."""
    global _pool, _pool_queue, _lifeline
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()
        if _lifeline is not None:
            _lifeline.close()
        _pool, _pool_queue, _lifeline = None, None, None


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB; the benchmarks ask the worker."""
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kb / 1024


def worker_peak_rss_mb() -> float:
    """The worker process's peak resident memory so far (it must have a task left to run)."""
    pool, _ = _worker_pool(1)
    return pool.submit(peak_rss_mb).result()
