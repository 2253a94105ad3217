"""A report as CSV, safe to open in a spreadsheet.

Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets (a learner named
``=HYPERLINK("http://x")``). Such text cells get a leading single quote, which makes the
spreadsheet show the text as it is. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

from webapp.reports.queries import LearnerRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    "Name",
    "Email",
    "Status",
    "Progress (%)",
    "Modules completed",
    "Modules in path",
    "Completion date",
    "Time watched (min)",
    "Missed classes",
    "Missed classes caught up",
)


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with ``'``; other values
    as they are (``None`` as an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_cells(row: LearnerRow) -> tuple:
    """One learner's cells, in ``HEADER`` order."""
    completed = row.completion_date
    return (
        row.name,
        row.email,
        row.status.label,
        row.percent,
        row.completed_modules,
        row.total_modules,
        completed.isoformat() if completed else None,
        round(row.watched_seconds / 60, 1),
        row.missed_classes,
        row.caught_up,
    )


Column = tuple[str, Callable[[LearnerRow], object]]


def to_csv(rows: Iterable[LearnerRow], extra: Sequence[Column] = ()) -> str:
    """The header and one line per learner, every cell through ``safe_cell``; a UTF-8
    byte order mark first so that spreadsheets read names as UTF-8. ``extra`` columns
    (header, cell of a row) follow the standard ones (quiz answers, exams passed, …)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEADER, *(name for name, _ in extra)])
    for row in rows:
        cells = [*row_cells(row), *(cell(row) for _, cell in extra)]
        writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue()


def filename(parts: Sequence[str]) -> str:
    """``report-<parts>.csv`` with only ``[a-z0-9-]`` (safe in a header)."""
    text = "-".join(["report", *parts]).lower()
    return re.sub(r"[^a-z0-9-]+", "-", text).strip("-") + ".csv"
