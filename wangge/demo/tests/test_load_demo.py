"""The demo sub-district: what a visitor finds after ``make demo`` must be complete and genuine."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from shapely.geometry import shape

from wangge.cases.choices import CaseStatus, EventType, Light, Satisfaction
from wangge.cases.models import Case, CaseEvent, Category
from wangge.cases.sla import LOCAL_TZ
from wangge.demo.data import DEMO_PASSWORD
from wangge.demo.loader import load_demo
from wangge.org import geo
from wangge.org.choices import GridType, RegionLevel, Role
from wangge.org.models import Department, Region, RoleAssignment, User

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^WG(\d{8})-(\d{5})$")


@pytest.fixture
def demo():
    """A small demo: the full sub-district with 60 cases (the case desk alone: the apps' own demo
    data is theirs to test, and ``test_steady_state`` loads it once)."""
    geo.invalidate()
    yield load_demo(cases=60, seed=11, apps=False)
    geo.invalidate()


@pytest.fixture(scope="module")
def territory(django_db_setup, django_db_blocker):
    """The demo sub-district, its staff and categories, without cases: loaded once for the
    module, rolled back at its end."""
    geo.invalidate()
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(cases=0, apps=False)
        transaction.set_rollback(True)
    geo.invalidate()


def test_small_demo_has_every_state_role_and_a_genuine_timeline(demo):
    assert demo.failures == {}, f"stories refused by the actions: {dict(demo.failures)}"
    # 60 stories of the case desk, filed first; the apps' own demo data (load_app_demos, after
    # the stories) may file more — a patrol's findings become cases too — and is theirs to test.
    assert Case.objects.count() >= 60
    cases = list(Case.objects.order_by("pk")[:60])

    # Every state a visitor should find, ratings of each kind, lights of each colour.
    assert set(CaseStatus.values) <= {c.status for c in cases}
    rated = {c.satisfaction for c in cases if c.status == CaseStatus.CLOSED}
    assert set(Satisfaction.values) <= rated
    open_lights = {c.light for c in cases if c.status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)}
    assert {Light.AMBER, Light.GREEN} <= open_lights
    assert any(c.light == Light.RED for c in cases)
    assert any(c.escalation_count for c in cases)
    assert any(c.reopen_count for c in cases)

    # Numbers: unique, sequential per (local) day of submission.
    assert len({c.number for c in cases}) == len(cases)
    by_day: dict[str, list[tuple]] = {}
    for c in cases:
        m = NUMBER.match(c.number)
        assert m, c.number
        assert m.group(1) == c.submitted_at.astimezone(LOCAL_TZ).strftime("%Y%m%d")
        by_day.setdefault(m.group(1), []).append((c.submitted_at, int(m.group(2))))
    for day, items in by_day.items():
        assert [n for _t, n in sorted(items)] == list(range(1, len(items) + 1)), day

    # Timelines: one CREATED event first, then a chain of status changes ending in the status.
    events: dict[int, list[CaseEvent]] = {}
    for e in CaseEvent.objects.order_by("created_at", "pk"):
        events.setdefault(e.case_id, []).append(e)
    for c in cases:
        timeline = events[c.pk]
        assert timeline[0].type == EventType.CREATED, c.number
        assert [e.type for e in timeline].count(EventType.CREATED) == 1
        assert timeline[0].created_at == c.submitted_at
        status = CaseStatus.SUBMITTED
        for e in timeline[1:]:
            assert e.created_at >= c.submitted_at
            if e.to_status:
                assert e.from_status == status, (c.number, e.type, e.from_status, status)
                status = e.to_status
        assert status == c.status, c.number
        # Back-dated, but never in the future.
        assert timeline[-1].created_at <= timezone.now()

    # Coordinates inside the grid the case was filed in.
    polygons = {g.pk: shape(g.boundary) for g in Region.objects.filter(level=RegionLevel.GRID)}
    for c in cases:
        assert polygons[c.grid_id].contains(shapely.Point(c.longitude, c.latitude)), c.number


def test_territory_tiles_the_subdistrict_and_every_grid_is_found(territory):
    subdistrict = Region.objects.get(level=RegionLevel.SUBDISTRICT)
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    grids = list(Region.objects.filter(level=RegionLevel.GRID))
    assert communities.count() == 6 and len(grids) == 24
    assert {g.grid_type for g in grids} == set(GridType.values)
    assert Region.objects.filter(level=RegionLevel.BUILDING).exists()
    assert Region.objects.filter(level=RegionLevel.UNIT).exists()

    shapes = [geo.parse_boundary(g.boundary) for g in grids]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            assert a.intersection(b).area < 1e-12, "grids overlap"
    outline = geo.parse_boundary(subdistrict.boundary)
    assert abs(shapely.union_all(shapes).area - outline.area) < 1e-12, "grids leave gaps"
    for grid, polygon in zip(grids, shapes, strict=True):
        point = polygon.representative_point()
        assert geo.find_grid(point.x, point.y) == grid


def test_staff_in_every_role_departments_and_categories(territory):
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="worker01").check_password(DEMO_PASSWORD)
    assert Department.objects.count() >= 12

    roots = Category.objects.filter(depth=1)
    names = set(roots.values_list("name", flat=True))
    assert {"市容环境", "环境卫生", "道路设施", "供暖", "供水", "物业纠纷", "噪音扰民", "油烟扰民", "安全隐患",
            "违章建筑", "邻里纠纷", "养老服务"} <= names
    for root in roots.annotate(n=Count("id")):
        children = Category.objects.get_children(root)
        assert 2 <= children.count() <= 4, root.name
        for leaf in children:
            assert leaf.default_department_id and leaf.keywords and leaf.resident_label
            assert leaf.effective_policy() is not None
    # An English name for each, shown on pages read in English.
    assert not Category.objects.filter(name_en="").exists()


def test_if_empty_leaves_loaded_data_alone_and_logins_are_printed(territory):
    before = (Case.objects.count(), User.objects.count())
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert (Case.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError):
        call_command("load_demo", "--cases", "5", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in ("admin", "clerk", "worker01", "secretary1", "chengguan", "leader", "sysadmin"):
        assert username in text

