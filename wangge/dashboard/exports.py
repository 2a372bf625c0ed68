"""The current dashboard view as an Excel workbook (.xlsx): summary with the rates and their
formulas (as text), rankings, breakdown by category and channel, and the overdue list. Written
through ``wangge.core.exports`` (``put``, ``workbook_bytes``): a title a resident typed as
``=HYPERLINK(…)`` arrives as text, never as a live formula."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from wangge.cases.sla import LOCAL_TZ
from wangge.core import exports
from wangge.core.exports import new_workbook, put

from . import metrics

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
PERCENT = "0.0%"


def _header(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, 1):
        cell = put(ws, row, col, str(value))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _rate_cells(ws, row: int, col: int, rates: dict) -> None:
    for k in metrics.RATE_KEYS:
        cell = put(ws, row, col, rates[k])
        cell.number_format = PERCENT
        col += 1


def _rate_headers() -> list:
    return [r.label for r in metrics.RATES]


def _summary(ws, ctx: dict) -> None:
    sel = ctx["sel"]
    ws.title = pgettext("dashboard", "Summary")
    put(ws, 1, 1, pgettext("dashboard", "Command dashboard") + " — " + sel.title).font = Font(bold=True, size=14)
    put(ws, 2, 1, _("Period") + f": {sel.period.start:%Y-%m-%d} — {sel.period.end:%Y-%m-%d}")
    put(ws, 3, 1, _("Exported at") + f": {timezone.localtime(timezone.now(), LOCAL_TZ):%Y-%m-%d %H:%M}")
    _header(ws, 5, [_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Formula")])
    row = 6
    for r in ctx["rates"]:
        put(ws, row, 1, str(r["def"].label))
        cell = put(ws, row, 2, r["value"])
        cell.number_format = PERCENT
        put(ws, row, 3, r["numerator"])
        put(ws, row, 4, r["denominator"])
        put(ws, row, 5, str(r["def"].formula))
        row += 1
    row += 1
    _header(ws, row, [_("Status"), pgettext("dashboard", "Cases")])
    row += 1
    summary = ctx["summary"]
    for label, value in [(pgettext("dashboard", "Filed"), summary["filed"]), (_("Valid"), summary["valid"]),
                         (_("Open"), summary["open"]), (_("Overdue (red light)"), summary["overdue"])]:
        put(ws, row, 1, label)
        put(ws, row, 2, value)
        row += 1
    for s in ctx["statuses"]:
        put(ws, row, 1, s["label"])
        put(ws, row, 2, s["count"])
        row += 1
    _widths(ws, [22, 12, 12, 12, 90])


def _ranking(ws, ctx: dict) -> None:
    ws.title = _("Ranking")
    row = 1
    for title, rows in [(_("Communities"), ctx["communities"]), (_("Grids"), ctx["grids"]),
                        (pgettext("dashboard", "Departments"), ctx["departments"])]:
        heading = _("%(level)s — ranked by %(metric)s") % {"level": title, "metric": ctx["rank_label"]}
        put(ws, row, 1, heading).font = Font(bold=True)
        row += 1
        _header(ws, row, [_("Rank"), pgettext("dashboard", "Name"), pgettext("dashboard", "Filed"), _("Open"), _("Overdue (red light)"), *_rate_headers()])
        row += 1
        for r in rows:
            for col, value in enumerate([r["rank"], r["name"], r["filed"], r["open"], r["overdue"]], 1):
                put(ws, row, col, value)
            _rate_cells(ws, row, 6, r["rates"])
            row += 1
        row += 1
    _widths(ws, [8, 24, 10, 10, 12, 12, 12, 12, 12])


def _breakdown(ws, ctx: dict) -> None:
    ws.title = _("By category")
    row = 1
    for title, rows in [(_("By category"), ctx["categories"]), (_("By channel"), ctx["channels"])]:
        put(ws, row, 1, title).font = Font(bold=True)
        row += 1
        _header(ws, row, [pgettext("dashboard", "Name"), pgettext("dashboard", "Filed"), _("Resolved or closed"), _("Open"), *_rate_headers()])
        row += 1
        for r in rows:
            for col, value in enumerate([r["name"], r["filed"], r["solved"], r["open"]], 1):
                put(ws, row, col, value)
            _rate_cells(ws, row, 5, r["rates"])
            row += 1
        row += 1
    _widths(ws, [24, 10, 14, 10, 12, 12, 12, 12])


def _overdue(ws, ctx: dict) -> None:
    ws.title = _("Overdue list")
    _header(ws, 1, [_("Number"), _("Title"), _("Status"), _("Community"), _("Grid"), _("Category"),
                    _("Handler"), _("Deadline"), _("Hours overdue"), _("Times urged")])
    for row, case in enumerate(ctx["overdue"], 2):
        values = [
            case.number, case.title, str(case.get_status_display()),
            case.community.name if case.community else "", case.grid.name if case.grid else "",
            case.category.display_name if case.category else "", str(case.handler or ""),
            timezone.localtime(case.due_at, LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if case.due_at else "",
            round(case.overdue_for.total_seconds() / 3600, 1), case.urge_count,
        ]
        for col, value in enumerate(values, 1):
            put(ws, row, col, value)
    _widths(ws, [20, 36, 10, 14, 14, 14, 18, 18, 12, 10])


def workbook_bytes(ctx: dict) -> bytes:
    wb = new_workbook()
    _summary(wb.active, ctx)
    _ranking(wb.create_sheet(), ctx)
    _breakdown(wb.create_sheet(), ctx)
    _overdue(wb.create_sheet(), ctx)
    return exports.workbook_bytes(wb)
