"""What the report page's "already reported nearby" notice shows, and that 码上办 reports get it.

Two open cases about the same kind of problem in one grid must be told apart without showing
anyone's words, room or name; a report from a building's QR code is compared with the earlier
reports of that building (it carries no map point, only the code's place)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.intake.duplicates import selectors
from wangge.intake.duplicates.models import CaseReporterLink
from wangge.intake.duplicates.text import public_place
from wangge.intake.qrcodes.models import QrCode
from wangge.intake.qrcodes.signing import token_for
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.testing.factories import add_region

pytestmark = pytest.mark.django_db

REPORT = "/r/report/"
JOIN = "/intake/duplicates/join/"


def lines_of(html: str) -> list[str]:
    """The text of each offered case in the notice."""
    blocks = re.findall(r'data-testid="nearby-\d+">(.*?)<button', html, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in blocks]


@pytest.mark.parametrize(("address", "shown"), [
    ("和平路3号楼门口", "和平路3号楼门口"),
    ("和顺西里5号楼2单元301室", "和顺西里5号楼2单元…"),
    ("幸福小区3-2-301", "幸福小区…"),
    ("和平路128号", "和平路128号"),
    ("和平路3号楼东侧路灯杆旁边的第二根灯杆", "和平路3号楼东侧路灯杆旁边的第二…"),
    ("13812345678", ""),
    ("", ""),
])
def test_the_place_a_neighbour_is_shown_stops_before_any_household(address, shown):
    assert public_place(address) == shown


def test_two_open_cases_in_one_grid_are_told_apart_without_rooms_or_words(client, world, tree, report, place):
    morning = report(tree["light"], address="和平路3号楼2单元301室", reporter_phone="13800000001",
                     submitted_at=timezone.now() - dt.timedelta(hours=5))
    evening = report(tree["light"], north_m=60, address="和平路5号楼北门", reporter_phone="13800000002",
                     description="和平路5号楼北门的路灯坏了一个星期，晚上漆黑一片")
    lng, lat = place(north_m=30)
    html = client.post(REPORT, {"description": "和平路的路灯坏了一个星期，晚上很黑", "category": str(tree["light"].pk),
                                "longitude": str(lng), "latitude": str(lat)}).content.decode()
    lines = lines_of(html)
    assert len(lines) == 2 and lines[0] != lines[1]
    text = " ".join(lines)
    assert "和平路3号楼2单元" in text and "和平路5号楼北门" in text
    # The room (301室) of the morning's caller, not the digits anywhere (an option's id may hold them).
    assert "301室" not in html and "单元301" not in html and "13800000001" not in html and morning.description not in html
    assert morning.number not in html and evening.number not in html
    # When each was reported, to the minute (the date alone was the same for both).
    for case in (morning, evening):
        assert timezone.localtime(case.submitted_at).strftime("%m-%d %H:%M") in text
    assert "米" in text  # how far from the spot the resident chose


@pytest.fixture
def building(world):
    grid = Region.objects.get(pk=world.grids[0].pk)  # the tree paths of build_world's objects may be stale
    return add_region(grid, RegionLevel.BUILDING, "3号楼")


@pytest.fixture
def building_code(world, building):
    return QrCode.objects.create(region=building, community=Region.objects.get(pk=world.communities[0].pk),
                                 place_name="东园第1网格 · 3号楼")


def qr_form(code, tree, **extra) -> dict:
    return {"qr": token_for(code.pk), "via": "qr", "description": "3号楼楼道的灯不亮了，晚上上下楼很黑",
            "category": str(tree["light"].pk), **extra}


def test_a_report_from_a_buildings_code_is_offered_the_open_case_of_that_building(client, world, tree,
                                                                                   building_code, building):
    first = client.post(REPORT, qr_form(building_code, tree, reporter_phone="13800000001"))
    assert first.status_code == 302
    earlier = Case.objects.get()
    assert earlier.region == building and earlier.longitude is None

    html = client.post(REPORT, qr_form(building_code, tree, description="3号楼的楼道灯坏了",
                                       reporter_phone="13900005555")).content.decode()
    assert 'data-testid="already-reported"' in html and "3号楼" in " ".join(lines_of(html))
    assert Case.objects.count() == 1

    ref = re.search(r'name="ref" value="([^"]+)"', html).group(1)
    joined = client.post(JOIN, {**qr_form(building_code, tree, description="3号楼的楼道灯坏了",
                                          reporter_phone="13900005555"), "ref": ref})
    assert joined.status_code == 200
    mine = Case.objects.exclude(pk=earlier.pk).get()
    # Filed as a 码上办 report at the code's place, counted on the earlier one.
    assert mine.channel == Channel.QR_PAGE and mine.region == building
    assert CaseReporterLink.objects.get(case=earlier).from_case == mine
    assert selectors.reporter_count(earlier) == 2


def test_a_report_from_another_building_of_the_grid_is_compared_but_not_the_same_spot(world, tree, building):
    grid = Region.objects.get(pk=world.grids[0].pk)
    other = add_region(grid, RegionLevel.BUILDING, "8号楼")
    matches = selectors.find_matches(text="楼道灯不亮", category_id=tree["light"].pk, spot=building, threshold=0)
    assert matches == []  # nothing filed yet: no error, no match
    assert selectors.grid_of(building) == grid.pk == selectors.grid_of(other)
    assert selectors.grid_of(grid) == grid.pk and selectors.grid_of(None) is None


def test_a_joined_report_is_not_offered_as_a_second_problem(client, world, tree, report, place):
    existing = report(tree["light"])
    lng, lat = place(north_m=30)
    form = {"description": "3号楼门口的路灯不亮了，晚上很黑", "category": str(tree["light"].pk),
            "longitude": str(lng), "latitude": str(lat), "reporter_phone": "13900005555"}
    html = client.post(REPORT, form).content.decode()
    client.post(JOIN, {**form, "ref": re.search(r'name="ref" value="([^"]+)"', html).group(1)})
    assert Case.objects.count() == 2
    # A third resident sees one problem, counted twice — not the two reports apart.
    html = client.post(REPORT, {**form, "reporter_phone": "13700007777"}).content.decode()
    lines = lines_of(html)
    assert len(lines) == 1 and "2 位居民" in lines[0]
    ref = re.search(r'name="ref" value="([^"]+)"', html).group(1)
    assert selectors.read_report_ref(ref) == existing.pk


def test_the_clerk_sees_two_reports_from_one_buildings_code_as_possible_duplicates(client, world, tree,
                                                                                   building_code):
    from wangge.intake.duplicates.actions import find_in_new_cases
    from wangge.intake.duplicates.models import DuplicateCandidate

    client.post(REPORT, qr_form(building_code, tree))
    client.post(REPORT, qr_form(building_code, tree, description="楼道里的灯坏了", file_anyway="1"))
    earlier, later = Case.objects.order_by("pk")
    find_in_new_cases()
    candidate = DuplicateCandidate.objects.get(case=later)
    assert candidate.candidate == earlier and candidate.reasons["spot"] is True
