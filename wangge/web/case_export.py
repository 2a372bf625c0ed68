"""导出 Excel — the case list as the user sees it (the same filters on the same scope) as an .xlsx file.

Bounded at city scale: at most ``EXPORT_CAP`` cases, newest first as the list shows them, read in
chunks (``.iterator``) and written row by row (openpyxl's write-only mode, through
``core.exports.stream_xlsx``) into a temporary file that is streamed to the browser — memory stays
flat however long the list. A longer list is cut at the cap: the page asks first to narrow the
filters, and a file that was cut says so (its sheet name and a last row).

Residents' names and phones are always masked: the file leaves the system, and no one's export
unmasks anything (the one way to a reporter's full details is 显示, logged case by case). The
description is not exported for the same reason: residents write their names, phones and
addresses into it. Every export is recorded (``audit.DataExportRecord``: who, when, the filters,
the rows, whether it was cut).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wangge.audit.actions import record_data_export
from wangge.audit.choices import ExportedList
from wangge.cases.selectors import mask_name, mask_phone
from wangge.core.exports import stream_xlsx

# Enough for a month of a district's cases; a bigger file is no longer read, only filtered again.
EXPORT_CAP = 50_000
CHUNK = 2_000
ORDER = ("-submitted_at", "-pk")  # the list's order: the newest first


# What a row reads (``.only``): the rest of the case — its description above all — stays in the database.
FIELDS = ("number", "title", "channel", "category", "category__name", "category__name_en", "star", "status", "light", "grid", "grid__name",
          "community", "community__name", "subdistrict", "subdistrict__name", "lead_department", "lead_department__name", "address", "reporter_name",
          "reporter_phone", "reporter_anonymous", "submitted_at", "accepted_at", "accept_due_at", "dispatch_due_at",
          "resolve_due_at", "resolved_at", "closed_at", "resolved_on_time", "satisfaction")


def headers() -> list[str]:
    return [
        _("Number"), _("Title"), _("Channel"), _("Category"), _("Star"), _("Status"), _("Light"), _("Grid"),
        _("Community"), _("Sub-district"), _("Lead department"), _("Address"),
        pgettext("case export", "Reporter (masked)"), pgettext("case export", "Phone (masked)"),
        _("Filed at"), pgettext("case export", "Accepted at"), pgettext("case export", "Accept by"),
        pgettext("case export", "Dispatch by"), pgettext("case export", "Resolve by"),
        pgettext("case export", "Resolved at"), pgettext("case export", "Closed at"),
        pgettext("case export", "Resolved on time"), pgettext("case export", "Satisfaction"),
    ]


def over_cap(queryset: QuerySet) -> bool:
    """Does the list hold more than ``EXPORT_CAP`` cases? (One row past the cap is looked for —
    a bounded walk, never a count of millions.)"""
    return queryset.order_by(*ORDER).values_list("pk", flat=True)[EXPORT_CAP:EXPORT_CAP + 1].exists()


def _local(moment) -> str:
    """Local time as text, as the other exports write it: sorts as it reads, and a spreadsheet's
    default column width shows it (a date cell would read ######)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def row(case) -> list:
    return [
        case.number, case.title, case.get_channel_display(), case.category.display_name if case.category_id else "",
        case.star, case.get_status_display(), case.get_light_display(),
        case.grid.name if case.grid_id else "", case.community.name if case.community_id else "",
        case.subdistrict.name if case.subdistrict_id else "",
        case.lead_department.name if case.lead_department_id else "", case.address,
        _("Anonymous") if case.reporter_anonymous else mask_name(case.reporter_name), mask_phone(case.reporter_phone),
        _local(case.submitted_at), _local(case.accepted_at), _local(case.accept_due_at),
        _local(case.dispatch_due_at), _local(case.resolve_due_at), _local(case.resolved_at), _local(case.closed_at),
        _yes_no(case.resolved_on_time), case.get_satisfaction_display() if case.satisfaction else "",
    ]


def cut_note() -> str:
    return _("Only the newest %(cap)s cases are in this file: the filtered list holds more. "
             "Narrow the filters (dates, grid, category) and export again for the rest.") % {"cap": f"{EXPORT_CAP:,}"}


class TooLong(Exception):
    """The list holds more than ``EXPORT_CAP`` cases and a cut file was not asked for."""


@dataclass
class Export:
    file: object  # a binary file, at its start
    rows: int
    cut: bool
    filename: str


def export_cases(*, actor, queryset: QuerySet, filters: str, allow_cut: bool = False, request=None) -> Export:
    """The cases of ``queryset`` (already scoped to ``actor`` and filtered) as a workbook in a
    temporary file, at most ``EXPORT_CAP`` of them; the export is recorded. A longer list raises
    ``TooLong`` unless ``allow_cut`` (the user was told and asked for the newest cases anyway)."""
    cut = over_cap(queryset)
    if cut and not allow_cut:
        raise TooLong()
    cases = (queryset.order_by(*ORDER)
             .select_related("category", "grid", "community", "subdistrict", "lead_department")
             .only(*FIELDS)
             [:EXPORT_CAP])
    counted = {"rows": 0}

    def rows():
        for case in cases.iterator(chunk_size=CHUNK):
            counted["rows"] += 1
            yield row(case)
        if cut:
            yield []
            yield [cut_note()]

    title = _("Case list")
    if cut:
        title = _("Case list (newest %(cap)d)") % {"cap": EXPORT_CAP}
    # Spooled: a small file stays in memory, a big one goes to disk.
    file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    stream_xlsx(file, headers(), rows(), title=title)
    file.seek(0)
    record_data_export(actor=actor, what=ExportedList.CASES, filters=filters, rows=counted["rows"], cut=cut,
                       request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(file=file, rows=counted["rows"], cut=cut, filename=f"{_('Case list')}-{stamp}.xlsx")
