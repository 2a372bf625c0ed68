"""The one writer of every export (Excel, CSV): text never becomes a formula (导出防公式注入).

A resident writes the title and description of a case, and staff names categories and grids:
text that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) is
taken by Excel and LibreOffice for a formula when the file is opened — ``=HYPERLINK("http://…",
"x")`` becomes a live link, worse ones run commands (OWASP "CSV injection"). Every cell therefore
goes through ``safe_cell``: such text gets a leading single quote, and in a workbook the cell is
also typed as a string, so no spreadsheet evaluates it. Numbers, dates and booleans pass as they
are. An export never writes a real formula.

Exports use this module and nothing else to make files::

    wb = new_workbook()
    ws = wb.active
    put(ws, 1, 1, case.title)              # a cell, neutralised
    content = workbook_bytes(wb)          # every cell checked once more, then saved

    write_xlsx(headers, rows, title=…)    # a one-sheet workbook → bytes
    write_csv(headers, rows)              # UTF-8 CSV (with a BOM, for Excel) → bytes
    stream_xlsx(path_or_stream, headers, rows)   # the same, row by row, for large exports
    stream_csv(text_stream, headers, rows)

A test (``core/tests/test_exports.py``) checks that no other module makes a workbook or a CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_FORMULA, TYPE_STRING, Cell
from openpyxl.worksheet.worksheet import Worksheet

# What makes a spreadsheet read text as a formula (OWASP), the full-width forms a Chinese input
# method types (＝ ＋ － ＠), and the tab / line breaks that may precede them.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet take ``text`` for a formula? (Leading spaces are skipped: some do.)"""
    return text.startswith(FORMULA_LEADERS) or text.lstrip(" ").startswith(FORMULA_LEADERS)


def safe_cell(value):
    """``value`` as a cell may hold it: text that would be a formula gets a leading ``'``."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def put(ws: Worksheet, row: int, column: int, value) -> Cell:
    """Write ``value`` into the cell at (``row``, ``column``); text is always text."""
    cell = ws.cell(row=row, column=column)
    _set(cell, value)
    return cell


def _set(cell: Cell, value) -> None:
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        # Control characters a workbook cannot hold (openpyxl would refuse the whole export).
        cell.value = safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = TYPE_STRING  # openpyxl types a str starting with "=" as a formula
    else:
        cell.value = value


def new_workbook() -> Workbook:
    return Workbook()


def neutralise(wb: Workbook) -> None:
    """Make every cell of ``wb`` safe, however it was written (``ws["A1"] = …`` included)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA or isinstance(cell.value, str):
                    _set(cell, str(cell.value))


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx file of ``wb``, every cell neutralised first."""
    neutralise(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx(headers: Sequence, rows: Iterable[Sequence], *, title: str = "") -> bytes:
    """A one-sheet workbook: a header row, then ``rows``."""
    buffer = io.BytesIO()
    stream_xlsx(buffer, headers, rows, title=title)
    return buffer.getvalue()


def stream_xlsx(target, headers: Sequence | None, rows: Iterable[Sequence], *, title: str = "") -> int:
    """Write a one-sheet workbook row by row to ``target`` (a path or a binary stream) — openpyxl's
    write-only mode: any number of rows in little memory. Returns how many rows were written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31] if title else None)  # 31: Excel's limit for a sheet name

    def cells(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(ws)
            _set(cell, value)
            out.append(cell)
        return out

    if headers:
        ws.append(cells(str(h) for h in headers))
    n = 0
    for values in rows:
        ws.append(cells(values))
        n += 1
    wb.save(target)
    return n


def write_csv(headers: Sequence | None, rows: Iterable[Sequence]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so that Excel reads Chinese) with every text
    field neutralised; ``None`` is an empty field."""
    buffer = io.StringIO()
    stream_csv(buffer, headers, rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def stream_csv(stream, headers: Sequence | None, rows: Iterable[Sequence]) -> int:
    """Write CSV rows to a text ``stream`` (opened by the caller: ``encoding="utf-8-sig",
    newline=""`` for a file Excel reads), every text field neutralised. Returns how many rows."""
    writer = csv.writer(stream, lineterminator="\r\n")
    if headers:
        writer.writerow([safe_cell(str(h)) for h in headers])
    n = 0
    for values in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in values])
        n += 1
    return n
