"""The token a printed code carries: it names one code, cannot be altered to name another, and a
forged, altered or retired code gets a clear page in Chinese — never a 500, never a report page."""

from __future__ import annotations

import pytest
from django.core import signing

from wangge.intake.qrcodes import actions, selectors
from wangge.intake.qrcodes.signing import SALT, BadToken, code_id_from, token_for


def test_a_token_names_its_code_and_nothing_else(db):
    token = token_for(42)
    assert code_id_from(token) == 42
    code_id, signature = token.split(":")
    for forged in [f"43:{signature}", f"{code_id}:{signature[:-1]}", f"{code_id}:{'B' if signature[0] != 'B' else 'C'}{signature[1:]}", code_id,
                   signing.Signer(salt="another.purpose").sign("42"), signing.Signer(salt=SALT, key="x" * 50).sign("42"),
                   "", "x" * 500]:
        with pytest.raises(BadToken):
            code_id_from(forged)


def test_scanning_a_code_opens_the_report_page_at_its_place(client, grid_code):
    token = token_for(grid_code.pk)
    response = client.get(f"/q/{token}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/r/report/?qr=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="qr-place"' in html and grid_code.place_name in html
    assert 'id="id_region"' not in html  # nothing to choose: the place is locked


@pytest.mark.parametrize("path", ["/q/{id}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", "/q/{id}/", "/q/not-a-code/",
                                  "/q/{id}:sig/extra/", "/q/%3Cscript%3E/"])
def test_a_forged_or_altered_code_gets_a_clear_page(client, grid_code, path):
    response = client.get(path.format(id=grid_code.pk))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="qr-refused"' in html and "无法识别" in html


def test_a_retired_code_says_so(client, world, grid_code):
    actions.retire_qr_code(actor=world.users["secretary_a"], code=grid_code)
    response = client.get(selectors.scan_path(grid_code))
    assert response.status_code == 410
    assert "此二维码已停用" in response.content.decode()


def test_a_code_whose_place_was_retired_says_so(client, grid_code):
    grid_code.region.is_active = False  # grids redrawn: the old grid retired
    grid_code.region.save(update_fields=["is_active"])
    assert selectors.scan(token_for(grid_code.pk)).problem == "retired"
    assert client.get(selectors.scan_path(grid_code)).status_code == 410


def test_the_report_page_refuses_an_altered_code_too(client, grid_code):
    """Someone edits the ``qr`` of the report page's address instead of the printed code."""
    forged = token_for(grid_code.pk).replace(f"{grid_code.pk}:", f"{grid_code.pk + 1}:")
    response = client.get("/r/report/", {"qr": forged}, follow=True)
    assert response.status_code == 404 and "无法识别" in response.content.decode()


def test_the_scan_url_is_absolute_from_the_public_base(settings, grid_code):
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn/"
    assert selectors.scan_url(grid_code) == f"https://wangge.example.gov.cn/q/{token_for(grid_code.pk)}/"


def test_a_token_no_address_can_carry_still_gets_the_page(client, db):
    response = client.get(selectors.refusal_path("12:abc\n"), follow=True)
    assert response.status_code == 404 and 'data-testid="qr-refused"' in response.content.decode()
