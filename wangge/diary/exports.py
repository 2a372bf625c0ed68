"""A month of a worker's diary as Excel (through ``wangge.core.exports``) and as a PDF laid out
like the paper diary: one block per day — date, weather, work done, problems found, handling,
notes, sign-off. ReportLab's built-in CID font ``STSong-Light`` draws the Chinese (no system font)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.exports import write_xlsx

from .choices import NoteSection
from .selectors import DayView

CID_FONT = "STSong-Light"
SECTIONS = [NoteSection.WORK, NoteSection.PROBLEM, NoteSection.HANDLING, NoteSection.NOTE]


def _entry_text(item) -> str:
    if hasattr(item, "written_at"):  # a note
        prefix = _("[correction %(at)s] ") % {"at": timezone.localtime(item.written_at).strftime("%m-%d %H:%M")} \
            if item.is_correction else ""
        return prefix + item.text
    return f"{timezone.localtime(item.at).strftime('%H:%M')} {item.text}"


def _column(view: DayView, section: str) -> str:
    return "\n".join(_entry_text(x) for x in view.section(section))


def _sign(view: DayView) -> str:
    row = view.row
    if row and row.signed_by_id:
        return f"{row.signed_by} {timezone.localtime(row.signed_at):%Y-%m-%d} {row.sign_note}".strip()
    return ""


def month_xlsx(worker, views: list[DayView]) -> bytes:
    headers = [_("Date"), _("Weather"), *[str(NoteSection(s).label) for s in SECTIONS], _("Status"), _("Signed off")]
    rows = [[v.day, v.row.weather if v.row else "", *[_column(v, s) for s in SECTIONS],
             str(v.row.get_status_display()) if v.row else "", _sign(v)] for v in views]
    return write_xlsx(headers, rows, title=_("Work diary"))


KEEP_TOGETHER_ROWS = 16


def month_pdf(worker, views: list[DayView], *, title: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    body = ParagraphStyle("body", fontName=CID_FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=14, leading=18)
    label = ParagraphStyle("label", parent=body, textColor=colors.HexColor("#444444"))

    def para(text: str, style=body):
        return Paragraph(escape(text or "—").replace("\n", "<br/>"), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title)
    story = [para(title, head), Spacer(1, 4 * mm)]
    for v in views:
        data = [[para(_("Date"), label), para(v.day.isoformat()), para(_("Weather"), label),
                 para(v.row.weather if v.row else "")]]
        for s in SECTIONS:
            # One row per entry, so a busy day splits across pages instead of overflowing one.
            entries = [_entry_text(x) for x in v.section(s)] or [""]
            for i, text in enumerate(entries):
                data.append([para(str(NoteSection(s).label), label) if i == 0 else "", para(text), "", ""])
        data.append([para(_("Signed off"), label), para(_sign(v)), "", ""])
        table = Table(data, colWidths=[28 * mm, 72 * mm, 22 * mm, 58 * mm], repeatRows=1)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        style += [("SPAN", (1, i), (3, i)) for i in range(1, len(data))]
        table.setStyle(TableStyle(style))
        # An ordinary day stays on one page; only a busy one is split (its header row repeated).
        story += [KeepTogether([table]) if len(data) <= KEEP_TOGETHER_ROWS else table, Spacer(1, 3 * mm)]
    doc.build(story)
    return buffer.getvalue()
