"""The printed sheet (张贴单) of a code: the place's name, how to report, the office's hotline and
the QR code, on A4 or A5, as SVG or PDF; and a community's batch (one PDF, or a zip of SVGs).

One layout (``_layout``) in millimetres feeds both writers, so the SVG and the PDF agree.

Fonts. The SVG names the usual Chinese fonts and lets the printing computer choose (every office
PC has one). The PDF uses ReportLab's built-in ``STSong-Light`` — an Adobe-GB1 CID font that
ships with ReportLab as metrics only: nothing to install on the server and nothing embedded; PDF
viewers and printers supply the glyphs (Acrobat, WPS, Chrome, Preview, pdf.js all do). An office
that wants the font inside the file sets ``WANGGE_QR_PDF_FONT`` to a TrueType font (.ttf / .ttc,
e.g. SimHei or WenQuanYi Zen Hei); a font ReportLab cannot read (the CFF-based Noto CJK .ttc,
for one) is logged and the built-in font used instead.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from wangge.org.choices import RegionLevel

from .choices import SHEET_MM, SheetSize
from .models import QrCode
from .selectors import scan_url

log = logging.getLogger(__name__)

SVG_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','SimHei','WenQuanYi Zen Hei',sans-serif"
CID_FONT = "STSong-Light"
BLUE = "#1456a0"


def hotline() -> str:
    return str(getattr(settings, "WANGGE_OFFICE_HOTLINE", "") or "")


def text_width(text: str, size: float) -> float:
    """Width in the units of ``size``: a Chinese character is one em, anything else about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def wrap(text: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][:-1] + "…"]
    return lines


@dataclass(frozen=True)
class Text:
    x: float  # the centre, or the left edge when ``anchor == "start"``
    y: float  # the baseline
    size: float
    text: str
    bold: bool = False
    color: str = "#000000"
    anchor: str = "middle"


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    texts: list[Text]
    qr_x: float
    qr_y: float  # top edge
    qr_side: float
    matrix: list[list[bool]]
    band: float  # height of the coloured band at the top


def office_line(code: QrCode) -> str:
    sub = code.region.ancestor_at(RegionLevel.SUBDISTRICT)
    return " · ".join(n for n in ((sub.name if sub else ""), code.community.name) if n)


def _layout(code: QrCode, size: str, url: str) -> Layout:
    w, h = SHEET_MM[SheetSize(size)]
    k = w / 210  # everything scales with the paper's width (A5 = 0.7 × A4)
    margin = 14 * k
    texts = []
    band = 34 * k
    texts.append(Text(w / 2, 17 * k, 15 * k, _("Scan & Report"), bold=True, color="#ffffff"))
    texts.append(Text(w / 2, 27 * k, 7 * k, _("Scan the code to report a problem here"), color="#ffffff"))
    y = band + 15 * k
    texts.append(Text(w / 2, y, 6 * k, office_line(code), color="#333333"))
    y += 13 * k
    place_size = 11 * k
    for line in wrap(code.place_name, place_size, w - 2 * margin, max_lines=2):
        texts.append(Text(w / 2, y, place_size, line, bold=True))
        y += place_size * 1.3
    side = 118 * k
    qr_y = y + 2 * k
    qr = segno.make(url, error="m", micro=False)
    matrix = [[bool(v) for v in row] for row in qr.matrix_iter(scale=1, border=0)]
    y = qr_y + side + 12 * k
    steps = [
        _("1. Scan the code with WeChat or your phone's camera."),
        _("2. Say what is wrong, add a photo if you can: the place is filled in."),
        _("3. Keep the tracking number to follow how it is handled."),
    ]
    step_size = 5.4 * k
    for step in steps:
        for line in wrap(step, step_size, w - margin - (w - side) / 2, max_lines=2):
            texts.append(Text((w - side) / 2, y, step_size, line, anchor="start"))  # under the code's left edge
            y += step_size * 1.45
    y += 4 * k
    if hotline():
        texts.append(Text(w / 2, y, 8 * k, _("Hotline: %(phone)s") % {"phone": hotline()}, bold=True, color=BLUE))
        y += 10 * k
    texts.append(Text(w / 2, h - 16 * k, 4.4 * k, _("Emergencies: call 110, 119 or 120."), color="#555555"))
    foot = _("Please do not cover or damage this code.") + f"  {code.reference}"
    texts.append(Text(w / 2, h - 9 * k, 3.6 * k, foot, color="#777777"))
    return Layout(w, h, texts, (w - side) / 2, qr_y, side, matrix, band)


def _runs(row: list[bool]) -> Iterable[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    x = 0
    while x < len(row):
        if row[x]:
            start = x
            while x < len(row) and row[x]:
                x += 1
            yield start, x - start
        else:
            x += 1


# ---------------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------------


def sheet_svg(code: QrCode, *, size: str = SheetSize.A4, url: str | None = None) -> str:
    """The sheet as an SVG document sized in millimetres (prints at the right size)."""
    lay = _layout(code, size, url or scan_url(code))
    n = len(lay.matrix)
    module = lay.qr_side / n
    path = "".join(
        f"M{lay.qr_x + x * module:.3f} {lay.qr_y + y * module:.3f}h{length * module:.3f}v{module:.3f}h{-length * module:.3f}z"
        for y, row in enumerate(lay.matrix) for x, length in _runs(row)
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}mm" height="{lay.height}mm" '
        f'viewBox="0 0 {lay.width} {lay.height}" font-family="{SVG_FONTS}">',
        f"<title>{escape(code.place_name)} · {escape(code.reference)}</title>",
        f'<rect width="{lay.width}" height="{lay.height}" fill="#ffffff"/>',
        f'<rect width="{lay.width}" height="{lay.band:.3f}" fill="{BLUE}"/>',
        f'<path d="{path}" fill="#000000" shape-rendering="crispEdges" data-role="qr"/>',
    ]
    for t in lay.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        parts.append(
            f'<text x="{t.x:.2f}" y="{t.y:.2f}" font-size="{t.size:.2f}" text-anchor="{t.anchor}" '
            f'fill="{t.color}"{weight}>{escape(t.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def pdf_font() -> str:
    """The name of the font registered with ReportLab for the sheets (see the module's note)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    path = getattr(settings, "WANGGE_QR_PDF_FONT", "")
    if path:
        name = "WanggeSheet"
        if name in pdfmetrics.getRegisteredFontNames():
            return name
        try:
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            return name
        except Exception as exc:  # a missing file, a CFF/OpenType font ReportLab cannot embed
            log.warning("WANGGE_QR_PDF_FONT %s cannot be used (%s); using %s", path, exc, CID_FONT)
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _pdf_page(canvas, code: QrCode, size: str, url: str, font: str) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import mm

    lay = _layout(code, size, url)
    top = lay.height  # PDF y runs upwards: flip every y
    canvas.setFillColor(HexColor(BLUE))
    canvas.rect(0, (top - lay.band) * mm, lay.width * mm, lay.band * mm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    n = len(lay.matrix)
    module = lay.qr_side / n
    for y, row in enumerate(lay.matrix):
        for x, length in _runs(row):
            canvas.rect((lay.qr_x + x * module) * mm, (top - lay.qr_y - (y + 1) * module) * mm,
                        length * module * mm, module * mm, stroke=0, fill=1)
    for t in lay.texts:
        canvas.setFillColor(HexColor(t.color))
        canvas.setFont(font, t.size * mm)
        draw = canvas.drawString if t.anchor == "start" else canvas.drawCentredString
        draw(t.x * mm, (top - t.y) * mm, t.text)
        if t.bold:  # the CID font has no bold face: overprint, shifted by a hair
            draw(t.x * mm + 0.25, (top - t.y) * mm, t.text)
    canvas.showPage()


def sheets_pdf(codes: Iterable[QrCode], *, size: str = SheetSize.A4, title: str = "") -> bytes:
    """One page per code, in the order given: a single sheet, or a community's batch."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    w, h = SHEET_MM[SheetSize(size)]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(w * mm, h * mm), invariant=1)
    canvas.setTitle(title or _("QR code sheets"))
    canvas.setCreator("Wangge")
    font = pdf_font()
    for code in codes:
        _pdf_page(canvas, code, size, scan_url(code), font)
    canvas.save()
    return buffer.getvalue()


def sheets_svg_zip(codes: Iterable[QrCode], *, size: str = SheetSize.A4) -> bytes:
    """A zip of one SVG sheet per code, named by reference and place."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for code in codes:
            archive.writestr(f"{code.reference}-{file_safe(code.place_name)}-{size}.svg", sheet_svg(code, size=size))
    return buffer.getvalue()


def file_safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s·]+", "_", name).strip("_")[:60] or "sheet"
