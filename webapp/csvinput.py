"""Reading a CSV that a person pasted or uploaded (invitations, cohort members, the
video import manifest): bounded in size and rows, decoded as UTF-8 (with or without a
BOM), a header row required, and spreadsheet formulas refused so that nothing we store
can run when someone opens an export in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvError(ValueError):
    """The whole file is refused; the message says why, for a person."""


@dataclass(frozen=True)
class Row:
    """One data row: its line number as a person counts it (header = 1) and its cells."""

    line: int
    cells: dict[str, str]


def looks_like_formula(value: str) -> bool:
    """True for a cell a spreadsheet would evaluate (CSV injection)."""
    return value.startswith(FORMULA_START)


def read_rows(
    data: bytes | str, required: Sequence[str], optional: Iterable[str] = ()
) -> list[Row]:
    """The rows of ``data`` as dicts keyed by lower-cased header names.

    Raises ``CsvError`` for a file over ``MAX_BYTES`` or ``MAX_ROWS``, one that is not
    UTF-8 text, one without the ``required`` columns or with unknown ones, and for any
    cell that starts like a formula (naming its line and column).
    """
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise CsvError(
            f"The file is {len(raw) / 1_000_000:.1f} MB; a CSV may be at most "
            f"{MAX_BYTES // 1_000_000} MB. Split it into smaller files."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from None
    if "\x00" in text:
        raise CsvError("The file is not a CSV (it holds binary data).")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("The file is empty.") from None
    except csv.Error as exc:
        raise CsvError(f"Line 1 is not valid CSV: {exc}.") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise CsvError(
            f"The first line must name the columns; missing: {', '.join(missing)} "
            f"(found: {', '.join(n for n in names if n) or 'nothing'})."
        )
    known = set(required) | set(optional)
    unknown = [n for n in names if n and n not in known]
    if unknown:
        raise CsvError(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})."
        )
    rows: list[Row] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvError(f"The file has more than {MAX_ROWS} rows; split it.")
            row = {
                name: (cells[i].strip() if i < len(cells) else "")
                for i, name in enumerate(names)
                if name
            }
            for name, value in row.items():
                if looks_like_formula(value):
                    raise CsvError(
                        f"Line {line}, column {name}: “{value[:40]}” starts like a spreadsheet "
                        "formula (=, +, -, @); remove the formula and upload again."
                    )
            rows.append(Row(line, row))
    except csv.Error as exc:
        raise CsvError(f"Line {reader.line_num} is not valid CSV: {exc}.") from None
    return rows
