"""CSV exports: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese names), each
cell that a spreadsheet could take for a formula neutralised (OWASP, "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text; one that starts with =, +, -, @, tab or carriage return gets a leading
    apostrophe, so that no spreadsheet evaluates it. Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(round(value, 2)) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file, BOM first, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + buffer.getvalue()
