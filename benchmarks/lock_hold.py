"""The apply_burst server's probe of the cohort lock: how long each transaction holds it, from
the moment `SELECT ... FOR [NO KEY] UPDATE` on the cohort returns (the lock is granted) to the end
of its COMMIT. One line per hold, in milliseconds, appended to the file named by BENCH_LOCK_LOG."""

import os
import re
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

from enrollment.models import Cohort

LOCK_STATEMENT = re.compile(f'FROM "{Cohort._meta.db_table}" .* FOR (NO KEY )?UPDATE', re.DOTALL)


class LockHoldProbe:
    """Middleware: watches the request's statements for the cohort lock."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log = os.environ["BENCH_LOCK_LOG"]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with connection.execute_wrapper(self._watch):
            return self.get_response(request)

    def _watch(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        if LOCK_STATEMENT.search(sql):
            granted = time.perf_counter()
            transaction.on_commit(lambda: self._write(time.perf_counter() - granted))
        return result

    def _write(self, seconds: float) -> None:
        with open(self.log, "a") as log:
            log.write(f"{seconds * 1000:.3f}\n")
