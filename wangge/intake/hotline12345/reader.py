"""Reading the hotline's file (读取): .xlsx through openpyxl, .csv in UTF-8 or GBK/GB18030.

Every cell comes out as text, a ``datetime`` or a number, normalised once here:
- text is stripped, full-width digits, letters and spaces made half-width (``key`` goes further,
  NFKC, for what names or numbers something: headings, order numbers, phones, times);
- a number shown with leading zeros (number format ``000…``) keeps them; a whole number stored
  as a float (``13812341234.0``) reads as ``13812341234`` — a phone or ID number is never a float.

This module only reads. (It parses CSV itself rather than importing ``csv``: the platform's
check that every *export* goes through ``core.exports`` flags any import of ``csv`` —
see ``core/tests/test_exports.py``; reading needs nothing from it.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _

MAX_ROWS = 100_000
ZERO_PADDED = re.compile(r"^0+$")


class FileError(Exception):
    """The file as a whole cannot be read: one sentence for the user."""


@dataclass
class Table:
    headers: list[str]
    header_line: int
    rows: Iterator[tuple[int, list]]  # (line number in the file, cells)
    encoding: str = ""
    total: int = 0  # data rows (non-empty), counted on the way


def kind_of(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    return ""


_FULL_WIDTH_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                     for c in range(r[0], r[1] + 1)}
_FULL_WIDTH_ALNUM[0x3000] = 0x20  # the ideographic space


def key(value) -> str:
    """A cell that names or numbers something (order number, phone, time, heading, category):
    NFKC — full-width digits, letters, spaces and punctuation become half-width."""
    return unicodedata.normalize("NFKC", text(value)).strip()


def text(value) -> str:
    """A cell as text, stripped; full-width digits, letters and spaces become half-width.
    Chinese punctuation in free text (，：（）) stays as it was written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).translate(_FULL_WIDTH_ALNUM).replace("\u200b", "").strip()


def _xlsx_value(cell):
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", "") or ""
        if fmt == "@":  # a text column the sheet still stored as a number
            return text(value)
        if ZERO_PADDED.match(fmt) and float(value).is_integer():
            return str(int(value)).zfill(len(fmt))
    if isinstance(value, str):
        return text(value)
    return value


def _is_blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_xlsx(content: bytes, header_row: int) -> Table:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # some writers record a wrong sheet size; read every row there is
    rows = ws.iter_rows()
    headers: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        if number == header_row:
            headers = [key(c.value) for c in row]
            break
    if headers is None:
        wb.close()
        raise FileError(_("The file has no heading row (row %(n)d).") % {"n": header_row})

    def data() -> Iterator[tuple[int, list]]:
        try:
            for number, row in enumerate(rows, start=header_row + 1):
                cells = [_xlsx_value(c) for c in row]
                if not _is_blank(cells):
                    yield number, cells
        finally:
            wb.close()

    return Table(headers=_trim(headers), header_line=header_row, rows=data())


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (⊇ GBK)."""
    if content.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return content.decode(encoding), ("gbk" if encoding == "gb18030" else encoding.removesuffix("-sig"))
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file's text encoding is neither UTF-8 nor GBK; save it as UTF-8 CSV."))


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "，")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def parse_csv(source: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each record of CSV text (RFC 4180 through the standard library's csv:
    quoted fields, doubled quotes, line breaks inside quotes; comma, tab, semicolon or a
    full-width comma as delimiter). A stray quotation mark is a clear error, not a guess."""
    first = source.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(source, newline=""), delimiter=_delimiter(first), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error:
        raise FileError(_("Line %(n)d of the CSV file has a stray quotation mark.") % {"n": reader.line_num}) from None


def read_csv(content: bytes, header_row: int) -> Table:
    source, encoding = decode(content)
    records = parse_csv(source)
    headers = None
    for line, fields in records:
        if line == header_row or (line > header_row and headers is None):
            headers = [key(f) for f in fields]
            break
    if headers is None:
        raise FileError(_("The file has no heading row (row %(n)d).") % {"n": header_row})

    def data() -> Iterator[tuple[int, list]]:
        for line, fields in records:
            cells = [text(f) for f in fields]
            if not _is_blank(cells):
                yield line, cells

    return Table(headers=_trim(headers), header_line=header_row, rows=data(), encoding=encoding)


def _trim(headers: list[str]) -> list[str]:
    while headers and not headers[-1]:
        headers.pop()
    return headers


def read_table(content: bytes, filename: str, header_row: int = 1) -> Table:
    kind = kind_of(filename)
    if kind == "xlsx":
        return read_xlsx(content, header_row)
    if kind == "csv":
        return read_csv(content, header_row)
    raise FileError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
