"""Intake (受理登记): bad input is refused with the fields named and nothing written; good input
gets a day-sequential number, its grid from the coordinates and a territory snapshot that
survives redrawn grids."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wangge.cases import actions
from wangge.cases.choices import CaseLevel, CaseStatus, Channel, EventType
from wangge.cases.errors import ActionForbidden, InvalidInput
from wangge.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseNumberSequence,
    Category,
)
from wangge.core.actors import Actor
from wangge.notifications.models import Notification
from wangge.org.choices import GridType, RegionLevel
from wangge.testing import LAT0, LNG0, add_region, file_case, make_category

from .core_helpers import clock, local  # noqa: F401 (fixture)


def jpeg(name: str = "photo.jpg", size: int = 8) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), "blue").save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def nothing_written() -> tuple:
    return (Case.objects.count(), CaseEvent.objects.count(), CaseAttachment.objects.count(),
            list(CaseNumberSequence.objects.values_list("day", "last")), Notification.objects.count())


BAD_INPUT = {
    "missing description": (dict(description="   "), {"description": "required"}),
    "description too long": (dict(description="很" * 5001), {"description": "too_long"}),
    "outside every grid": (dict(longitude=LNG0 + 5, latitude=LAT0 + 5), {"location": "outside_grids"}),
    "not coordinates": (dict(longitude=200.0, latitude=39.9), {"longitude": "invalid"}),
    "half coordinates": (dict(longitude=LNG0, latitude=None), {"longitude": "incomplete"}),
    "no location": (dict(longitude=None, latitude=None), {"location": "required"}),
    "invalid phone (letters)": (dict(reporter_phone="138abcd1234"), {"reporter_phone": "invalid"}),
    "invalid phone (10 digits)": (dict(reporter_phone="1381234123"), {"reporter_phone": "invalid"}),
    "unknown channel": (dict(channel="fax"), {"channel": "invalid"}),
    "bad star": (dict(star=5), {"star": "invalid"}),
    "bad handling type": (dict(handling_type="urgent"), {"handling_type": "invalid"}),
    "not a photo": (dict(attachments=[SimpleUploadedFile("a.txt", b"hello, not a picture")]), {"attachments": "bad_type"}),
    "empty file": (dict(attachments=[SimpleUploadedFile("a.jpg", b"")]), {"attachments": "empty"}),
}


@pytest.mark.parametrize("params, fields", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_and_nothing_written(world, params, fields):
    before = nothing_written()
    with pytest.raises(InvalidInput) as info:
        file_case(world, **params)
    assert info.value.fields == fields
    assert str(info.value.message)
    assert info.value.status_code == 400
    assert nothing_written() == before


def test_oversized_photo(world, settings):
    settings.WANGGE_ATTACHMENT_MAX_BYTES = 500
    before = nothing_written()
    with pytest.raises(InvalidInput) as info:
        file_case(world, attachments=[jpeg(size=400)])
    assert info.value.fields == {"attachments": "too_large"}
    assert "photo.jpg" in str(info.value.message)
    assert nothing_written() == before


def test_too_many_attachments(world, settings):
    settings.WANGGE_ATTACHMENT_MAX_COUNT = 2
    with pytest.raises(InvalidInput) as info:
        file_case(world, attachments=[jpeg(), jpeg(), jpeg()])
    assert info.value.fields == {"attachments": "too_many"}


def test_a_photo_named_like_a_photo_must_be_one(world):
    fake = SimpleUploadedFile("evil.jpg", b"MZ\x90\x00 not an image at all", content_type="image/jpeg")
    with pytest.raises(InvalidInput):
        file_case(world, attachments=[fake])


def test_unknown_or_inactive_category(world):
    retired = make_category("旧分类", is_active=False)
    deleted = make_category("已删除")
    Category.objects.filter(pk=deleted.pk).delete()
    before = nothing_written()
    with pytest.raises(InvalidInput) as info:
        file_case(world, category=retired)
    assert info.value.fields == {"category": "inactive"}
    with pytest.raises(InvalidInput) as info:
        file_case(world, category=deleted)
    assert info.value.fields == {"category": "unknown"}
    with pytest.raises(InvalidInput) as info:
        file_case(world, category=Category(name="没存过", code="never"))
    assert info.value.fields == {"category": "unknown"}
    assert nothing_written() == before


def test_retired_grid_is_refused(world):
    grid = world.grids[1]
    grid.is_active = False
    grid.save()
    before = nothing_written()
    with pytest.raises(InvalidInput) as info:
        file_case(world, longitude=None, latitude=None, region=grid)
    assert info.value.fields == {"region": "inactive"}
    with pytest.raises(InvalidInput) as info:  # its polygon no longer finds it either
        file_case(world, grid=grid)
    assert info.value.fields == {"location": "outside_grids"}
    assert nothing_written() == before


def test_residents_file_only_through_their_channels(world):
    with pytest.raises(ActionForbidden):
        actions.create_case(actor=Actor.of_resident(), channel=Channel.HOTLINE, description="路灯不亮",
                            region=world.grids[0])
    case = actions.create_case(actor=Actor.of_resident(), channel=Channel.QR_PAGE, description="路灯不亮", region=world.grids[0],
                               reporter_phone="+86 138-1234-5678")
    assert case.created_by is None
    assert case.reporter_phone_last4 == "5678"
    event = case.events.get()
    assert (event.type, event.actor_kind, event.to_status) == (EventType.CREATED, "resident", CaseStatus.SUBMITTED)


def test_refused_intake_leaves_no_gap_in_the_numbers(world, clock):
    clock.set(local("2026-11-24 09:00"))
    first = file_case(world)
    for params, _fields in BAD_INPUT.values():
        with pytest.raises(InvalidInput):
            file_case(world, **params)
    second = file_case(world)
    assert (first.number, second.number) == ("WG20261124-00001", "WG20261124-00002")


def test_numbers_follow_the_local_day(world, clock):
    clock.set(local("2026-11-24 23:59"))  # 15:59 UTC
    a = file_case(world)
    b = file_case(world)
    clock.set(local("2026-11-25 00:01"))  # still Nov 24 in UTC
    c = file_case(world)
    assert [a.number, b.number, c.number] == ["WG20261124-00001", "WG20261124-00002", "WG20261125-00001"]


def test_good_intake_finds_the_grid_and_snapshots_the_territory(world):
    grid = world.grids[3]  # 西园 second grid
    photo = jpeg()
    case = file_case(world, grid=grid, attachments=[photo], reporter_phone="010-62345678")
    assert (case.grid, case.community, case.subdistrict, case.district) == (
        grid, world.communities[1], world.subdistrict, world.district)
    assert case.region == grid
    assert case.status == CaseStatus.SUBMITTED and case.current_level == CaseLevel.SUBDISTRICT
    assert case.title == "小区门口有流动摊贩占道经营，影响通行"[:30]
    created = case.events.get()
    assert created.data["grid"]["id"] == grid.pk
    assert case.attachments.get().event == created


def test_building_location_keeps_its_grid(world):
    building = add_region(world.grids[0], RegionLevel.BUILDING, "5号楼")
    case = file_case(world, longitude=None, latitude=None, region=building)
    assert (case.region, case.grid, case.community) == (building, world.grids[0], world.communities[0])


def test_redrawn_grids_do_not_move_old_cases(world):
    """S1: 37 grids merged into 24 — the old case keeps the grid it was filed in."""
    a1, a2 = world.grids[0], world.grids[1]
    lng, lat = world.point_in(a1)
    old_case = file_case(world, grid=a1)
    # Redraw: A1 and A2 are retired and merged into one new grid covering both.
    for grid in (a1, a2):
        grid.is_active = False
        grid.save()
    merged_boundary = {"type": "Polygon", "coordinates": [[[LNG0, LAT0], [LNG0 + 0.02, LAT0], [LNG0 + 0.02, LAT0 + 0.01],
                                                            [LNG0, LAT0 + 0.01], [LNG0, LAT0]]]}
    merged = add_region(world.communities[0], RegionLevel.GRID, "东园合并网格", grid_type=GridType.URBAN,
                        boundary=merged_boundary)
    new_case = file_case(world, longitude=lng, latitude=lat)
    assert new_case.grid == merged
    old_case.refresh_from_db()
    assert old_case.grid == a1 and old_case.community == world.communities[0]
    # A case elsewhere is unaffected by the redraw.
    assert file_case(world, grid=world.grids[2]).grid == world.grids[2]
