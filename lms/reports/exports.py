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


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The same table as an XLSX workbook of one sheet. Text is always written as text (never
    as a formula, whatever its first character) and numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    for column, title in enumerate(header):
        worksheet.write_string(0, column, str(title), bold)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                worksheet.write_number(number, column, int(value))
            elif isinstance(value, int | float):
                worksheet.write_number(number, column, value)
            else:
                worksheet.write_string(number, column, str(value))
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
