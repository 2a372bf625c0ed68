"""Test factories shared by every app: a small territory, staff in each role, cases in any state.

Factories build real rows through the real actions, so a test's case got where it is the way a
user's would.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from wangge.org.choices import DepartmentKind, GridType, RegionLevel, Role
from wangge.org.models import Department, Region, RoleAssignment, User

_seq = itertools.count(1)

# Base point of the test world (a district of Beijing-like coordinates).
LNG0, LAT0 = 116.30, 39.90
CELL = 0.01


def square(lng: float, lat: float, size: float = CELL) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


def add_region(parent: Region | None, level: str, name: str, **extra) -> Region:
    # Zero-padded: the tree is ordered by code, and "x-10" < "x-9" would move earlier siblings.
    code = extra.pop("code", None) or f"{level}-{next(_seq):08d}"
    if parent is None:
        return Region.objects.add_root(dict(name=name, code=code, level=level, **extra))
    return Region.objects.add_child(parent, dict(name=name, code=code, level=level, **extra))


def make_user(role: str | None = None, *, region: Region | None = None, department: Department | None = None,
              username: str | None = None, **extra) -> User:
    username = username or f"{role or 'user'}-{next(_seq)}"
    user = User.objects.create_user(username=username, password="pw", display_name=extra.pop("display_name", username),
                                    **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, region=region, department=department)
    return user


@dataclass
class World:
    """city → district → sub-district → communities A, B → grids A1, A2, B1, B2 (squares)."""

    city: Region
    district: Region
    subdistrict: Region
    communities: list[Region]
    grids: list[Region]
    departments: dict[str, Department]
    users: dict[str, User] = field(default_factory=dict)

    def point_in(self, grid: Region) -> tuple[float, float]:
        """(lng, lat) of the centre of a grid."""
        ring = grid.boundary["coordinates"][0]
        return (ring[0][0] + ring[2][0]) / 2, (ring[0][1] + ring[2][1]) / 2


def build_world() -> World:
    city = add_region(None, RegionLevel.CITY, "测试市")
    district = add_region(city, RegionLevel.DISTRICT, "测试区")
    subdistrict = add_region(district, RegionLevel.SUBDISTRICT, "和平街道")
    communities, grids = [], []
    for i, cname in enumerate(["东园社区", "西园社区"]):
        community = add_region(subdistrict, RegionLevel.COMMUNITY, cname)
        communities.append(community)
        for j in range(2):
            grids.append(
                add_region(
                    community, RegionLevel.GRID, f"{cname[:2]}第{j + 1}网格",
                    grid_type=GridType.URBAN, boundary=square(LNG0 + j * CELL, LAT0 + i * CELL),
                )
            )
    departments = {
        "chengguan": Department.objects.create(name="区城管执法局", code="chengguan", kind=DepartmentKind.DISTRICT, region=district),
        "huanwei": Department.objects.create(name="区环卫中心", code="huanwei", kind=DepartmentKind.DISTRICT, region=district),
        "pingan": Department.objects.create(name="街道平安办", code="pingan", kind=DepartmentKind.SECTION, region=subdistrict),
    }
    world = World(city, district, subdistrict, communities, grids, departments)
    u = world.users
    u["clerk"] = make_user(Role.INTAKE_CLERK, region=subdistrict, username="clerk")
    u["clerk2"] = make_user(Role.INTAKE_CLERK, region=subdistrict, username="clerk2")
    u["leader"] = make_user(Role.LEADER, region=subdistrict, username="leader")
    u["secretary_a"] = make_user(Role.COMMUNITY_SECRETARY, region=communities[0], username="secretary_a")
    u["secretary_b"] = make_user(Role.COMMUNITY_SECRETARY, region=communities[1], username="secretary_b")
    u["worker_a1"] = make_user(Role.GRID_WORKER, region=grids[0], username="worker_a1")
    u["worker_b1"] = make_user(Role.GRID_WORKER, region=grids[2], username="worker_b1")
    u["chengguan"] = make_user(Role.DEPARTMENT_OFFICER, department=departments["chengguan"], username="officer_cg")
    u["huanwei"] = make_user(Role.DEPARTMENT_OFFICER, department=departments["huanwei"], username="officer_hw")
    u["district_leader"] = make_user(Role.LEADER, region=district, username="district_leader")
    u["admin"] = make_user(Role.ADMIN, region=city, username="admin_user")
    return world


def add_subdistrict(world: World, name: str = "光明街道") -> tuple[Region, Region]:
    """A second sub-district of the world's district, with one community and one grid (a square
    east of the world's grids, so a case filed at its centre lands there): ``(sub-district, grid)``."""
    subdistrict = add_region(world.district, RegionLevel.SUBDISTRICT, name)
    community = add_region(subdistrict, RegionLevel.COMMUNITY, f"{name[:2]}社区")
    grid = add_region(community, RegionLevel.GRID, f"{name[:2]}第1网格", grid_type=GridType.URBAN,
                      boundary=square(LNG0 + 5 * CELL, LAT0))
    return subdistrict, grid


def make_category(name: str = "占道经营", *, department: Department | None = None, policy=None, star: int = 1,
                  parent=None, **extra):
    from wangge.cases.models import Category

    code = extra.pop("code", None) or f"cat-{next(_seq)}"
    fields = dict(name=name, code=code, default_department=department, sla_policy=policy, default_star=star, **extra)
    return Category.objects.add_child(parent, fields) if parent else Category.objects.add_root(fields)


def file_case(world: World, *, grid: Region | None = None, actor=None, category=None, **extra):
    """A submitted case in ``grid`` (default: the first), filed by the clerk over the hotline."""
    from wangge.cases.actions import create_case
    from wangge.cases.choices import Channel

    grid = grid or world.grids[0]
    lng, lat = world.point_in(grid)
    params = dict(
        actor=actor if actor is not None else world.users["clerk"],
        channel=Channel.HOTLINE,
        description="小区门口有流动摊贩占道经营，影响通行",
        category=category,
        longitude=lng,
        latitude=lat,
        address="和平路1号",
        reporter_name="张三",
        reporter_phone="13812341234",
    )
    params.update(extra)
    return create_case(**params)


def calls_from(world: World, phone: str, *, cases: int = 3, name: str = "张三丰", other_phone: str = "13900003333"):
    """A caller's history (来电历史): ``cases`` cases filed from ``phone`` under ``name``, and one
    of the same words from someone else; returns (theirs, other)."""
    theirs = [file_case(world, reporter_phone=phone, reporter_name=name) for _ in range(cases)]
    return theirs, file_case(world, reporter_phone=other_phone)


def case_in_state(world: World, status: str, *, category=None, co_handlers=(), **extra):
    """A case brought to ``status`` through the real actions (lead: 城管; ``co_handlers``:
    dispatch targets that assist — joint handling)."""
    from wangge.cases import actions
    from wangge.cases.choices import CaseStatus

    clerk = world.users["clerk"]
    category = category or make_category(department=world.departments["chengguan"])
    case = file_case(world, category=category, **extra)
    if status == CaseStatus.SUBMITTED:
        return case
    if status == CaseStatus.REJECTED:
        return actions.reject_case(case=case, actor=clerk, reason="重复来电")
    case = actions.accept_case(case=case, actor=clerk)
    if status == CaseStatus.ACCEPTED:
        return case
    case = actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]),
                                 co_handlers=co_handlers)
    if status == CaseStatus.DISPATCHED:
        return case
    officer = world.users["chengguan"]
    case = actions.claim_case(case=case, actor=officer)
    if status == CaseStatus.IN_PROGRESS:
        return case
    if status == CaseStatus.SUSPENDED:
        return actions.suspend_case(case=case, actor=officer, reason="等待业主回复")
    report_in_all(world, case)
    case = actions.resolve_case(case=case, actor=officer, result="已清理摊贩，恢复通行")
    if status == CaseStatus.RESOLVED:
        return case
    if status == CaseStatus.CLOSED:
        return close_after_revisit(case, clerk)
    if status == CaseStatus.MERGED:
        raise ValueError("use merge_case on two cases")
    raise ValueError(status)


def report_in_all(world: World, case):
    """Every co-handler summoned to ``case`` reports in (报到), each through one of the world's
    people behind it — as joint handling expects before the lead resolves."""
    from wangge.cases import actions, permissions
    from wangge.cases.choices import AssignmentRole

    for assignment in case.assignments.filter(active=True, role=AssignmentRole.ASSIST, reported_in_at__isnull=True):
        person = next((u for u in world.users.values() if permissions.holds(u, assignment)), None)
        if person is None:
            raise ValueError(f"nobody in the test world reports in for {assignment.target}")
        case = actions.report_in(case=case, actor=person)
    return case


def close_after_revisit(case, clerk, *, satisfaction: str = "satisfied"):
    """结案 the honest way: the callback (三看) and the resident's rating are recorded first."""
    from wangge.cases import actions

    case = actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True, note="电话回访")
    case = actions.rate_case(case=case, actor=clerk, satisfaction=satisfaction)
    return actions.close_case(case=case, actor=clerk)
