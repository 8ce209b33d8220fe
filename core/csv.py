"""The one CSV writer of every export: text cells cannot run as spreadsheet formulas.

A spreadsheet opening a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return before one) as a formula: a sponsor's legal name or PO
number ``=HYPERLINK(...)`` would run on the treasurer's machine (CSV injection, OWASP).
Every text cell starting with one of those gets a leading ``'``, which spreadsheets show
as text. Numbers (``int``, ``Decimal``, ``float``) are written as numbers, negative ones
included: ``-1500`` is an amount, not a formula, and must stay summable.

Exports call ``csv_response`` (small), ``csv_streaming_response`` (large querysets,
streamed row by row) or ``csv_text`` (a file built in memory); never ``csv.writer``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

#: What a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"

Row = Sequence[Any]


def csv_cell(value: Any) -> str | int | float | Decimal:
    """``value`` as a safe cell: numbers stay numbers, text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int, but written as text (True/False)
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date):  # dt.datetime too: starts with a digit
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` returns the line (for streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The header and each row as one encoded CSV line, cells neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_text(header: Row, rows: Iterable[Row]) -> str:
    """A whole CSV file as a string."""
    return "".join(csv_lines(header, rows))


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'


def csv_response(*, filename: str, header: Row, rows: Iterable[Row]) -> HttpResponse:
    """A CSV download built in memory."""
    response = HttpResponse(csv_text(header, rows), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response


def csv_streaming_response(*, filename: str, header: Row, rows: Iterable[Row]) -> StreamingHttpResponse:
    """A CSV download streamed row by row (``rows`` may be a lazy generator over a queryset)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response
