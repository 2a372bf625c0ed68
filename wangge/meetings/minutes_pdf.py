"""纪要 PDF — the minutes as a printable A4 file (ReportLab, its built-in CJK font ``STSong-Light``:
no system font needed, as for the QR sheets)."""

from __future__ import annotations

import io

from django.utils import timezone

CID_FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def render(meeting, minutes) -> bytes:
    from xml.sax.saxutils import escape as esc

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from .actions import minutes_snapshot
    from .choices import MeetingKind
    from .text import outcome_shown

    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    head = ParagraphStyle("h", parent=body, fontSize=12, leading=18, spaceBefore=6)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=meeting.title)
    rows = minutes.items if minutes.status == "final" else minutes_snapshot(meeting)
    when = timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M")
    story = [
        Paragraph(esc(f"{meeting.title} 纪要" + ("" if minutes.status == "final" else "（草稿）")), title),
        Spacer(1, 6 * mm),
        Paragraph(esc(f"会议类型：{MeetingKind(meeting.kind).label}　时间：{when}"
                      + (f"　地点：{meeting.place}" if meeting.place else "")), body),
        Paragraph(esc(f"召集人：{meeting.convener}"), body),
        Paragraph(esc("参会：" + "、".join(p.display_name for p in meeting.participants.all())), body),
    ]
    for r in rows:
        story.append(Paragraph(esc(f"{r['position']}. {r['title']}" + (f"（{r['case']}）" if r["case"] else "")), head))
        story.append(Paragraph(esc(f"议定：{r['decision_label']}。{outcome_shown(r['outcome'], r['decision_label'])}"),
                               body))
        if r["lead_department"]:
            co = "、".join(r["co_departments"])
            story.append(Paragraph(esc(f"牵头：{r['lead_department']}" + (f"；配合：{co}" if co else "")
                                       + f"；期限：{r['deadline']}"), body))
        if r["notes"]:
            story.append(Paragraph(esc(f"讨论：{r['notes']}"), body))
    if minutes.summary:
        story += [Spacer(1, 4 * mm), Paragraph(esc(minutes.summary).replace("\n", "<br/>"), body)]
    for addendum in minutes.addenda.all():
        story += [Spacer(1, 4 * mm), Paragraph(esc(f"补充纪要（{timezone.localtime(addendum.finalised_at):%Y-%m-%d}）："
                                                   f"{addendum.summary}"), body)]
    if minutes.status == "final":
        story += [Spacer(1, 8 * mm), Paragraph(esc(
            f"签发：{minutes.signed_by}　{timezone.localtime(minutes.finalised_at):%Y-%m-%d %H:%M}"), body)]
    doc.build(story)
    return buf.getvalue()
