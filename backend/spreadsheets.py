"""The one writer of CSV files, for every CSV answer (pages and API): UTF-8 with a byte-order
mark, which Excel needs to read the file as UTF-8 rather than the machine's legacy code page
("Peña", not "PeÃ±a"), and `charset=utf-8` in the header."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

CSV_CHARSET = "utf-8"
CSV_CONTENT_TYPE = f"text/csv; charset={CSV_CHARSET}"


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """The rows as a CSV file: CRLF line ends (RFC 4180), a byte-order mark first."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def csv_download(filename: str) -> dict[str, str]:
    """The header that saves an answer as the file `filename`."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> HttpResponse:
    """The rows as a CSV download named `filename`."""
    return HttpResponse(
        csv_bytes(rows), content_type=CSV_CONTENT_TYPE, headers=csv_download(filename)
    )
