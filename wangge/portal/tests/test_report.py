"""Report a problem (反映问题): the plain form post, what it writes, and every way it refuses."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case, CaseAttachment, CaseEvent, Category
from wangge.cases.models.event import ActorKind
from wangge.testing import LAT0, LNG0

from .conftest import png

pytestmark = pytest.mark.django_db

REPORT = "/r/report/"


def good(world, **extra) -> dict:
    """What a resident without JavaScript posts: the community/grid list, no coordinates."""
    data = {
        "description": "3号楼门口的路灯坏了一个星期，晚上很黑",
        "region": str(world.grids[0].pk),
        "address": "和平路1号3号楼门口",
        "reporter_name": "李四",
        "reporter_phone": "13900001234",
        "category": "",
    }
    data.update(extra)
    return data


def refused(response, text: str) -> None:
    """The form came back with ``text`` shown and nothing was written."""
    assert response.status_code == 200
    assert text in response.content.decode(), response.content.decode()[:3000]
    assert Case.objects.count() == 0
    assert CaseAttachment.objects.count() == 0


# --- the page -------------------------------------------------------------------------------


def test_landing_and_report_page_show_the_form_in_chinese(client, world, categories):
    for url in ("/r/", REPORT):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "反映问题" in html and "问题在哪里" in html
        # Plain words for residents, grouped by top-level category; a lone top level is a choice.
        assert "街道与环境" in html and "乱摆摊、占道经营" in html and "路灯不亮" in html and "其他问题" in html
        assert f'value="{categories["stall"].pk}"' in html
        # The no-JavaScript way of saying where: communities with their grids.
        assert "东园社区（不确定哪个网格）" in html and "东园第1网格" in html
        assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
        assert 'data-testid="report-submit"' in html


def test_english_switch(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": REPORT}, follow=True)
    html = response.content.decode()
    assert "Report a problem" in html and "Where is it?" in html
    assert "反映问题" not in html


def test_inactive_categories_are_not_offered(client, world, categories):
    Category.objects.filter(pk=categories["light"].pk).update(is_active=False)
    html = client.get(REPORT).content.decode()
    assert "路灯不亮" not in html and "乱摆摊、占道经营" in html


# --- what a good report writes ----------------------------------------------------------------


def test_plain_post_without_javascript_files_a_case(client, world, categories):
    response = client.post(REPORT, good(world, category=str(categories["stall"].pk)))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:reported", kwargs={"token": case.tracking_token})
    assert case.channel == Channel.WEB
    assert case.status == CaseStatus.SUBMITTED
    assert case.created_by is None
    assert case.grid == world.grids[0] and case.community == world.communities[0]
    assert case.category == categories["stall"]
    assert case.reporter_phone == "13900001234" and case.reporter_name == "李四"
    assert case.address == "和平路1号3号楼门口"
    assert CaseEvent.objects.get(case=case).actor_kind == ActorKind.RESIDENT

    done = client.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert case.number in html
    assert f"/r/t/{case.tracking_token}/" in html
    assert "接下来会怎样" in html and "前处理并答复您" in html and "个工作日内" in html
    assert done["Cache-Control"].startswith("max-age=0") or "no-store" in done["Cache-Control"]


def test_qr_page_reports_are_recorded_as_such(client, world):
    html = client.get(REPORT + "?via=qr").content.decode()
    assert 'name="via" value="qr"' in html
    client.post(REPORT + "?via=qr", good(world, via="qr"))
    assert Case.objects.get().channel == Channel.QR_PAGE


def test_tapped_point_decides_the_grid(client, world):
    lng, lat = world.point_in(world.grids[3])
    client.post(REPORT, good(world, longitude=str(lng), latitude=str(lat)))
    case = Case.objects.get()
    assert case.grid == world.grids[3]
    assert (case.longitude, case.latitude) == (lng, lat)


def test_community_without_a_grid(client, world):
    client.post(REPORT, good(world, region=str(world.communities[1].pk)))
    case = Case.objects.get()
    assert case.community == world.communities[1] and case.grid is None


def test_photos_are_stored_with_the_case(client, world):
    client.post(REPORT, {**good(world), "photos": [png("a.png"), png("b.png", colour="blue")]})
    case = Case.objects.get()
    stored = list(case.attachments.all())
    assert [a.content_type for a in stored] == ["image/png", "image/png"]
    assert {a.original_name for a in stored} == {"a.png", "b.png"}
    assert all(a.uploaded_by is None for a in stored)


def test_a_photo_with_a_very_long_name_is_filed(client, world):
    """Phones and chat apps save pictures under long Chinese names: 100 characters are 300
    bytes, more than a file system allows in one name (it was a 500 and the report was lost)."""
    name = "微信图片_" + "小区东门井盖丢失现场照片" * 9 + ".png"
    response = client.post(REPORT, {**good(world), "photos": [png(name)]})
    case = Case.objects.get()
    assert response.status_code == 302
    photo = case.attachments.get()
    assert photo.original_name == name[:200]
    assert photo.file.name.endswith(".png") and len(photo.file.name.rsplit("/", 1)[-1].encode()) <= 255
    shown = client.get(f"/r/t/{case.tracking_token}/photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"


def test_a_full_width_phone_number_is_taken(client, world):
    """The number typed with a Chinese input method in full-width mode is stored as digits, and
    its last 4 then find the report."""
    response = client.post(REPORT, good(world, reporter_phone="＋８６ １３９－００００－５６７８"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.reporter_phone == "13900005678" and case.reporter_phone_last4 == "5678"
    assert client.post("/r/track/", {"number": case.number, "phone_last4": "5678"}).status_code == 302


def test_anonymous_report_keeps_no_name(client, world):
    client.post(REPORT, good(world, anonymous="on"))
    case = Case.objects.get()
    assert case.reporter_anonymous and case.reporter_name == ""


def test_phone_is_optional_and_the_link_is_then_the_only_way(client, world):
    response = client.post(REPORT, good(world, reporter_phone="", reporter_name=""), follow=True)
    assert Case.objects.get().reporter_phone == ""
    assert "只能通过这个链接查询进度" in response.content.decode()


def test_phone_in_usual_spellings(client, world):
    client.post(REPORT, good(world, reporter_phone="+86 139 0000 1234"))
    assert Case.objects.get().reporter_phone == "13900001234"


# --- refusals: the form comes back in plain Chinese and nothing is written ----------------------


def test_description_is_required(client, world):
    refused(client.post(REPORT, good(world, description="   ")), "请说一说遇到了什么问题")


def test_huge_description(client, world):
    refused(client.post(REPORT, good(world, description="很" * 100_000)), "内容太长了")


def test_body_beyond_the_request_limit_is_a_400_not_a_500(client, world):
    response = client.post(REPORT, good(world, description="很" * 1_000_000))  # 3 MB of form text
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_text_where_photos_belong_is_ignored(client, world):
    client.post(REPORT, good(world, photos="not-a-file"))
    assert Case.objects.get().attachments.count() == 0


def test_location_is_required(client, world):
    refused(client.post(REPORT, good(world, region="")), "请在地图上点一下问题所在的位置")


def test_point_outside_every_grid(client, world):
    refused(client.post(REPORT, good(world, longitude=str(LNG0 - 1), latitude=str(LAT0 - 1))),
            "不在我们的服务范围内")


@pytest.mark.parametrize("lng, lat", [
    ("abc", "39.9"), ("nan", "nan"), ("inf", "39.9"), ("1e999", "1"), ("200", "39.9"), ("116.3", "-91"),
    ("116.3", ""), ("", "39.9"), ("116.3;drop table", "39.9"),
])
def test_garbage_coordinates(client, world, lng, lat):
    refused(client.post(REPORT, good(world, longitude=lng, latitude=lat)), "没能识别您选择的位置")


@pytest.mark.parametrize("region", ["abc", "999999", "-1", "1.5", "[1]"])
def test_garbage_region(client, world, region):
    refused(client.post(REPORT, good(world, region=region)), "请从列表中选择所在社区或网格")


def test_region_must_be_a_community_or_grid(client, world):
    refused(client.post(REPORT, good(world, region=str(world.district.pk))), "请从列表中选择所在社区或网格")


def test_retired_grid_is_refused(client, world):
    grid = world.grids[1]
    grid.is_active = False
    grid.save()
    refused(client.post(REPORT, good(world, region=str(grid.pk))), "请从列表中选择所在社区或网格")


@pytest.mark.parametrize("category", ["abc", "999999", "1;2"])
def test_garbage_category(client, world, categories, category):
    refused(client.post(REPORT, good(world, category=category)), "请从列表中选择问题类型")


def test_retired_category_is_refused(client, world, categories):
    Category.objects.filter(pk=categories["stall"].pk).update(is_active=False)
    refused(client.post(REPORT, good(world, category=str(categories["stall"].pk))), "请从列表中选择问题类型")


def test_children_of_a_retired_top_level_category_are_not_offered(client, world, categories):
    Category.objects.filter(pk=categories["street"].pk).update(is_active=False)
    assert "乱摆摊、占道经营" not in client.get(REPORT).content.decode()
    refused(client.post(REPORT, good(world, category=str(categories["stall"].pk))), "请从列表中选择问题类型")


def test_non_image_photo(client, world):
    fake = SimpleUploadedFile("photo.png", b"this is not a picture at all", content_type="image/png")
    refused(client.post(REPORT, {**good(world), "photos": [png(), fake]}), "“photo.png”不是照片")


def test_pdf_is_not_a_photo(client, world):
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    refused(client.post(REPORT, {**good(world), "photos": [pdf]}), "不是照片")


def test_empty_photo(client, world):
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    response = client.post(REPORT, {**good(world), "photos": [empty]})
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_seven_photos(client, world):
    photos = [png(f"p{i}.png") for i in range(7)]
    refused(client.post(REPORT, {**good(world), "photos": photos}), "最多只能上传 6 张照片，您选择了 7 张")


def test_photos_must_be_chosen_again_after_another_error(client, world):
    response = client.post(REPORT, {**good(world, description=""), "photos": [png()]})
    refused(response, "刚才选择的照片没有保留")


@pytest.mark.parametrize("phone", ["abc", "123", "1380000123456789", "13800001234'--"])
def test_bad_phone(client, world, phone):
    refused(client.post(REPORT, good(world, reporter_phone=phone)), "这看起来不是一个电话号码")


def test_long_name_and_address(client, world):
    refused(client.post(REPORT, good(world, reporter_name="名" * 51)), "姓名太长了")
    refused(client.post(REPORT, good(world, address="址" * 201)), "地址太长了")


def error_summary(html: str) -> list[tuple[str, str]]:
    """The (anchor, field name) links of the summary above the form, in order."""
    block = re.search(r'<ul data-testid="error-summary">(.*?)</ul>', html, re.DOTALL)
    assert block, "no error summary"
    return re.findall(r'<a href="#([\w-]+)"[^>]*>([^<]+)</a>', block.group(1))


def autofocused(html: str) -> list[str]:
    """The ids of the fields that take the focus when the page opens."""
    return [re.search(r'\bid="([\w-]+)"', tag).group(1)
            for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html) if re.search(r"\sautofocus\b", tag)]


def test_error_summary_names_and_links_the_field_and_focuses_it(client, world, categories):
    """On a phone a bad number is ~2000px below the top: the summary says which field and links to it."""
    html = client.post(REPORT, good(world, reporter_phone="12345")).content.decode()
    assert error_summary(html) == [("id_reporter_phone", "手机号")]
    summary = html[html.index('data-testid="form-errors"'):html.index('data-testid="report-form"')]
    assert "请修改以下内容后再提交" in summary and "这看起来不是一个电话号码" in summary
    assert autofocused(html) == ["id_reporter_phone"]
    assert 'id="id_reporter_phone"' in html


def test_error_summary_follows_the_page_and_focuses_the_first(client, world, categories):
    html = client.post(REPORT, good(world, description="坏了", region="", reporter_phone="abc")).content.decode()
    assert error_summary(html) == [("id_description", "问题描述"), ("id_region", "位置"), ("id_reporter_phone", "手机号")]
    assert autofocused(html) == ["id_description"]
    # A field the form renders itself (the grid list) takes the focus too.
    html = client.post(REPORT, good(world, region="")).content.decode()
    assert error_summary(html) == [("id_region", "位置")]
    assert autofocused(html) == ["id_region"]
    # Nothing takes the focus on a fresh form.
    assert autofocused(client.get(REPORT).content.decode()) == []


def test_error_summary_keeps_the_photos_message(client, world):
    html = client.post(REPORT, {**good(world, reporter_phone="abc"), "photos": [png()]}).content.decode()
    assert error_summary(html) == [("id_reporter_phone", "手机号")]
    assert "刚才选择的照片没有保留" in html


def test_values_keep_what_the_resident_typed(client, world):
    html = client.post(REPORT, good(world, region="", description="路灯坏了很久")).content.decode()
    assert "路灯坏了很久" in html and "13900001234" in html and "和平路1号3号楼门口" in html


def test_csrf_is_required():
    from wangge.testing import build_world

    world = build_world()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(REPORT, good(world))
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_other_methods_are_refused(client, world):
    assert client.put(REPORT).status_code == 405
    assert client.delete(REPORT).status_code == 405


def test_grids_json_for_the_map(client, world):
    world.grids[2].is_active = False
    world.grids[2].save()
    data = client.get("/r/grids.json").json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {world.grids[0].name, world.grids[1].name, world.grids[3].name}
    first = next(f for f in data["features"] if f["id"] == world.grids[0].pk)
    assert first["properties"]["community"] == "东园社区"
    assert first["geometry"]["type"] == "Polygon"


def test_the_category_picker_in_english_uses_the_english_names(client, world, categories):
    """An English name where the category has one (事件分类 ``name_en``); the residents' words in
    Chinese otherwise, and always on the Chinese page."""
    Category.objects.filter(pk=categories["street"].pk).update(name_en="Streets and environment")
    Category.objects.filter(pk=categories["stall"].pk).update(name_en="Street vending")
    client.post("/i18n/setlang/", {"language": "en", "next": REPORT})
    html = client.get(REPORT).content.decode()
    assert "Streets and environment" in html and "Street vending" in html and "路灯不亮" in html
    assert "乱摆摊、占道经营" not in html and "街道与环境" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": REPORT})
    html = client.get(REPORT).content.decode()
    assert "乱摆摊、占道经营" in html and "Street vending" not in html
