"""The printed sheets (A4 / A5, SVG / PDF), a community's batch, and the staff pages that give them."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import segno
from django.utils import translation

from wangge.intake.qrcodes import actions, selectors, sheets
from wangge.intake.qrcodes.models import QrCode

from .conftest import pdf_text


@pytest.fixture(autouse=True)
def hotline(settings):
    settings.WANGGE_OFFICE_HOTLINE = "0796-8221234"
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn"


def test_the_svg_sheet_has_the_place_instructions_hotline_and_the_scan_address(building_code):
    with translation.override("zh-hans"):
        svg = sheets.sheet_svg(building_code, size="A5")
    assert 'width="148mm" height="210mm"' in svg
    for words in ["东园第1网格 · 3号楼", "码上办", "用微信或手机相机扫描二维码", "服务热线：0796-8221234", building_code.reference]:
        assert words in svg, words
    # The code drawn is the one segno makes for the scan address, module for module.
    layout = sheets._layout(building_code, "A5", selectors.scan_url(building_code))
    expected = [[bool(v) for v in row] for row in segno.make(selectors.scan_url(building_code), error="m").matrix_iter(border=0)]
    assert layout.matrix == expected
    assert selectors.scan_url(building_code).startswith("https://wangge.example.gov.cn/q/")


def test_a_name_with_markup_is_text_on_the_sheet(world):
    code = actions.create_qr_code(actor=world.users["clerk"], region=world.grids[0], place_name='<b>"公园"</b>&')
    svg = sheets.sheet_svg(code)
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_the_pdf_sheet_is_a_pdf_with_the_text(building_code):
    with translation.override("zh-hans"):
        pdf = sheets.sheets_pdf([building_code], size="A4")
    assert pdf.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4 in points
    text = pdf_text(pdf)
    for words in ["东园社区 · 东园第1网格 · 3号楼", "扫码反映问题", "服务热线：0796-8221234"]:
        assert words in text, words


def test_a_font_reportlab_cannot_read_falls_back_to_the_builtin_one(settings, building_code):
    settings.WANGGE_QR_PDF_FONT = "/usr/share/fonts/none/missing.ttf"
    assert sheets.pdf_font() == sheets.CID_FONT
    assert sheets.sheets_pdf([building_code]).startswith(b"%PDF-")


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_a_community_batch_prints_every_active_code(client, world, building, grid_code):
    actions.create_codes_for_community(actor=world.users["secretary_a"], community=world.communities[0])
    retired = QrCode.objects.get(region=building)
    actions.retire_qr_code(actor=world.users["secretary_a"], code=retired)
    client.force_login(world.users["secretary_a"])
    url = f"/qrcodes/community/{world.communities[0].pk}/sheets/"

    pdf = client.get(url, {"size": "A5", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.content
    assert body.startswith(b"%PDF-") and _pages(body) == 2  # grid 1 and grid 2; the building's code is retired
    assert "东园第2网格" in pdf_text(body) and "3号楼" not in pdf_text(body)

    archive = zipfile.ZipFile(io.BytesIO(client.get(url, {"size": "A4", "format": "svg"}).content))
    assert len(archive.namelist()) == 2
    assert all(name.endswith("-A4.svg") for name in archive.namelist())
    assert "东园第1网格" in archive.read(archive.namelist()[0]).decode()


def test_print_requests_are_checked(client, world, grid_code):
    client.force_login(world.users["secretary_b"])  # community B's secretary
    assert client.get(f"/qrcodes/community/{world.communities[0].pk}/sheets/").status_code == 404
    assert client.get(f"/qrcodes/{grid_code.pk}/sheet.pdf").status_code == 404
    client.force_login(world.users["secretary_a"])
    bad = client.get(f"/qrcodes/{grid_code.pk}/sheet.pdf", {"size": "A3"})
    assert bad.status_code == 400 and "A4" in bad.content.decode()
    assert client.get(f"/qrcodes/{grid_code.pk}/sheet.doc").status_code == 404
    svg = client.get(f"/qrcodes/{grid_code.pk}/sheet.svg", {"size": "A4"})
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and "sandbox" in svg["Content-Security-Policy"]


def test_the_staff_page_lists_prints_makes_and_retires(client, world, grid_code):
    client.force_login(world.users["secretary_a"])
    page = client.get("/qrcodes/")
    html = page.content.decode()
    assert page.status_code == 200 and "码上办" in html and grid_code.place_name in html and "打印整个社区" in html
    made = client.post(f"/qrcodes/community/{world.communities[0].pk}/make/", follow=True)
    assert "已新建 1 个二维码" in made.content.decode()
    client.post(f"/qrcodes/{grid_code.pk}/retire/")
    grid_code.refresh_from_db()
    assert not grid_code.is_active
    client.force_login(world.users["worker_a1"])  # no intake role: no page
    assert client.get("/qrcodes/").status_code == 404


def test_a_community_without_codes_gets_a_message_not_an_empty_pdf(client, world):
    client.force_login(world.users["secretary_b"])
    response = client.get(f"/qrcodes/community/{world.communities[1].pk}/sheets/", follow=True)
    assert "还没有可打印的二维码" in response.content.decode()


def test_admin_lists_codes_per_community_and_prints_and_retires(client, world, grid_code, building_code):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    listing = client.get("/admin/intake_qrcodes/qrcode/", {"community": world.communities[0].pk})
    assert listing.status_code == 200 and "3号楼" in listing.content.decode()
    ids = [grid_code.pk, building_code.pk]
    printed = client.post("/admin/intake_qrcodes/qrcode/", {"action": "print_a4", "_selected_action": ids})
    assert printed.content.startswith(b"%PDF-") and _pages(printed.content) == 2
    client.post("/admin/intake_qrcodes/qrcode/", {"action": "retire", "_selected_action": [grid_code.pk]})
    grid_code.refresh_from_db()
    assert not grid_code.is_active
