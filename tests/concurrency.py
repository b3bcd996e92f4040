"""Run calls at the same moment on real threads, each with its own database connection."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from django.db import connections


def at_once(call: Callable[..., Any], arguments: Sequence[tuple], threads: int = 50) -> list[Any]:
    """Call `call(*args)` for every args, `threads` at a time, released together by a barrier.

    Returns the results in the order of `arguments`; an exception is returned, not raised."""
    barrier = threading.Barrier(min(threads, len(arguments)))

    def worker(args: tuple) -> Any:
        try:
            # The last, smaller wave breaks the barrier: nobody is left to wait for.
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            return call(*args)
        except Exception as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(worker, arguments))
