"""Building the demo sub-district (演示辖区): territory with polygons, departments, staff in every
role, and the category tree. Cases are not made here but in ``wangge.demo.simulate``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import shapely
from django.contrib.auth.hashers import make_password
from shapely.geometry import Polygon, mapping

from wangge.cases.models import Category, SlaPolicy
from wangge.org.choices import GridType, RegionLevel, Role
from wangge.org.models import Department, Region, RoleAssignment, User

from . import data

# The territory's shape does not depend on the --seed of the cases: the map stays the same.
TERRITORY_SEED = 2026


@dataclass
class GridInfo:
    """One grid with what the case simulation needs: its community, polygon and people."""

    region: Region
    community: Region
    spec: data.CommunitySpec
    polygon: Polygon
    buildings: list[tuple[Region, tuple[float, float]]] = field(default_factory=list)
    worker: User | None = None
    chief: User | None = None

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        """A point well inside the grid (not on a shared edge)."""
        inner = self.polygon.buffer(-0.00015)
        minx, miny, maxx, maxy = inner.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if inner.contains(shapely.Point(x, y)):
                return round(x, 6), round(y, 6)


@dataclass
class DemoWorld:
    city: Region
    district: Region
    subdistrict: Region
    communities: list[Region]
    grids: list[GridInfo]
    departments: dict[str, Department]
    officers: dict[str, list[User]]
    users: dict[str, User]
    # Leaf categories with the spec each came from and its root's code.
    leaves: list[tuple[Category, data.CategorySpec, str]]

    def user(self, username: str) -> User:
        return self.users[username]

    def secretary(self, community: Region) -> User:
        return self.users[f"secretary{self.communities.index(community) + 1}"]


def _geojson(geom) -> dict:
    return json.loads(json.dumps(mapping(geom)))


def _lattice(rng: random.Random) -> list[list[tuple[float, float]]]:
    """Vertices of 2 × 2 sub-cells per grid, nudged so that the grids look drawn, not ruled.
    Neighbouring grids share the very same vertices, so the tiling has no gaps or overlaps."""
    cols, rows = data.GRID_COLS * 2, data.GRID_ROWS * 2
    (x0, y0), (w, h) = data.ORIGIN, data.SPAN
    dx, dy = w / cols, h / rows
    points = []
    for r in range(rows + 1):
        row = []
        for c in range(cols + 1):
            jx = 0 if c in (0, cols) and r in (0, rows) else rng.uniform(-0.22, 0.22) * dx
            jy = 0 if c in (0, cols) and r in (0, rows) else rng.uniform(-0.22, 0.22) * dy
            row.append((round(x0 + c * dx + jx, 6), round(y0 + h - r * dy + jy, 6)))
        points.append(row)
    return points


def _grid_polygon(points, gc: int, gr: int) -> Polygon:
    cells = []
    for r in (2 * gr, 2 * gr + 1):
        for c in (2 * gc, 2 * gc + 1):
            cells.append(Polygon([points[r][c], points[r][c + 1], points[r + 1][c + 1], points[r + 1][c]]))
    return shapely.union_all(cells).normalize()


def _add(parent: Region | None, **fields) -> Region:
    if parent is None:
        return Region.objects.add_root(fields)
    return Region.objects.add_child(parent, fields)


def build_territory() -> tuple[Region, Region, Region, list[Region], list[GridInfo]]:
    rng = random.Random(TERRITORY_SEED)
    points = _lattice(rng)
    city = _add(None, name=data.CITY[0], code=data.CITY[1], level=RegionLevel.CITY)
    district = _add(city, name=data.DISTRICT[0], code=data.DISTRICT[1], level=RegionLevel.DISTRICT)
    grid_polys = {
        (gc, gr): _grid_polygon(points, gc, gr) for gc in range(data.GRID_COLS) for gr in range(data.GRID_ROWS)
    }
    subdistrict = _add(
        district, name=data.SUBDISTRICT[0], code=data.SUBDISTRICT[1], level=RegionLevel.SUBDISTRICT,
        boundary=_geojson(shapely.union_all(list(grid_polys.values()))),
    )
    communities, grids = [], []
    for k, spec in enumerate(data.COMMUNITIES):
        cb, rb = k % 3, k // 3
        cells = [(2 * cb, 2 * rb), (2 * cb + 1, 2 * rb), (2 * cb, 2 * rb + 1), (2 * cb + 1, 2 * rb + 1)]
        community = _add(
            subdistrict, name=spec.name, code=f"{data.SUBDISTRICT[1]}-{spec.code}", level=RegionLevel.COMMUNITY,
            boundary=_geojson(shapely.union_all([grid_polys[c] for c in cells])),
        )
        communities.append(community)
        for i, ((name, grid_type), cell) in enumerate(zip(spec.grids, cells, strict=True)):
            polygon = grid_polys[cell]
            region = _add(
                community, name=name, code=f"{community.code}-g{i + 1}", level=RegionLevel.GRID,
                grid_type=GridType(grid_type), boundary=_geojson(polygon), aliases=_grid_aliases(spec, i),
            )
            info = GridInfo(region=region, community=community, spec=spec, polygon=polygon)
            _add_buildings(info, i, rng)
            grids.append(info)
    return city, district, subdistrict, communities, grids


def _grid_aliases(spec, index: int) -> str:
    """What residents call the places in grid ``index`` of a community: a compound (小区), a
    stretch of street numbers, a landmark — found by the address search (org.address)."""
    lines = []
    if index < len(spec.compounds):
        lines.append(spec.compounds[index])
    if index < len(spec.landmarks):
        lines.append(spec.landmarks[index])
    road = spec.roads[index % len(spec.roads)]
    first = (index // len(spec.roads)) * 60 + 1
    lines.append(f"{road}{first}-{first + 59}号")
    return "\n".join(lines)


def _add_buildings(info: GridInfo, index: int, rng: random.Random) -> None:
    count = data.BUILDINGS.get((info.spec.code, index), 0)
    compound = info.spec.compounds[0]
    for b in range(count):
        lng, lat = info.random_point(rng)
        s = 0.00012
        square = Polygon([(lng - s, lat - s), (lng + s, lat - s), (lng + s, lat + s), (lng - s, lat + s)])
        number = index * 10 + b + 1
        building = _add(
            info.region, name=f"{compound}{number}号楼", code=f"{info.region.code}-b{b + 1}",
            level=RegionLevel.BUILDING, boundary=_geojson(square),
        )
        for u in range(data.UNITS_PER_BUILDING):
            _add(building, name=f"{number}号楼{u + 1}单元", code=f"{building.code}-u{u + 1}", level=RegionLevel.UNIT)
        info.buildings.append((building, (lng, lat)))


def build_departments(district: Region, subdistrict: Region) -> dict[str, Department]:
    return {
        spec.code: Department.objects.create(
            name=spec.name, code=spec.code, kind=spec.kind, phone=spec.phone,
            region=subdistrict if spec.kind == "section" else district,
        )
        for spec in data.DEPARTMENTS
    }


class _Names:
    """Plausible Chinese names, never the same twice."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def __call__(self) -> str:
        while True:
            given = "".join(self.rng.choice(data.GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(data.SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name


def build_staff(world_parts: dict) -> dict[str, User]:
    """Staff in every role (one demo password), plus the superuser ``admin``.

    The password is hashed once: hashing it per account would take most of the loading time."""
    rng = random.Random(TERRITORY_SEED + 1)
    name = _Names(rng)
    password = make_password(data.DEMO_PASSWORD)
    district, subdistrict = world_parts["district"], world_parts["subdistrict"]
    communities, grids, departments = world_parts["communities"], world_parts["grids"], world_parts["departments"]

    people: list[tuple[str, str, list[tuple[str, Region | None, Department | None]]]] = [
        ("sysadmin", "系统管理员", [(Role.ADMIN, district, None)]),
        ("clerk", name(), [(Role.INTAKE_CLERK, subdistrict, None)]),
        ("clerk2", name(), [(Role.INTAKE_CLERK, subdistrict, None)]),
        ("leader", name(), [(Role.LEADER, subdistrict, None)]),
        ("district_leader", name(), [(Role.LEADER, district, None)]),
    ]
    for k, community in enumerate(communities, start=1):
        people += [
            (f"secretary{k}", name(), [(Role.COMMUNITY_SECRETARY, community, None)]),
            (f"l1chief{k}", name(), [(Role.STREET_CHIEF_L1, community, None)]),
            (f"l2chief{k}", name(), [(Role.STREET_CHIEF_L2, community, None)]),
        ]
    n_building = n_unit = 0
    for k, info in enumerate(grids, start=1):
        people += [
            (f"worker{k:02d}", name(), [(Role.GRID_WORKER, info.region, None)]),
            # 网格长 is also the third-level street chief (S0).
            (f"gridchief{k:02d}", name(), [(Role.GRID_CHIEF, info.region, None),
                                           (Role.STREET_CHIEF_L3, info.region, None)]),
        ]
        for building, _point in info.buildings:
            n_building += 1
            people.append((f"building{n_building:02d}", name(), [(Role.BUILDING_CHIEF, building, None)]))
            for unit in Region.objects.get_children(building):
                n_unit += 1
                people.append((f"unit{n_unit:02d}", name(), [(Role.UNIT_CHIEF, unit, None)]))
    for spec in data.DEPARTMENTS:
        for username in spec.officers:
            people.append((username, name(), [(Role.DEPARTMENT_OFFICER, None, departments[spec.code])]))

    users = User.objects.bulk_create([
        User(username=username, display_name=display, password=password, is_staff=False,
             phone=f"139{rng.randrange(10**8):08d}")
        for username, display, _roles in people
    ])
    by_name = {u.username: u for u in users}
    RoleAssignment.objects.bulk_create([
        RoleAssignment(user=by_name[username], role=role, region=region, department=department)
        for username, _display, roles in people for role, region, department in roles
    ])
    admin = User(username="admin", display_name="超级管理员", password=password, is_staff=True, is_superuser=True)
    admin.save()
    sysadmin = by_name["sysadmin"]
    sysadmin.is_staff = True
    sysadmin.save(update_fields=["is_staff"])
    by_name["admin"] = admin
    # Reload so that every user's cached roles and scope start empty and correct.
    return {u.username: u for u in User.objects.all()}


def build_categories(departments: dict[str, Department]) -> list[tuple[Category, data.CategorySpec, str]]:
    policies = {p.name: p for p in SlaPolicy.objects.all()}
    # This office escalates its 24-hour and 4-hour cases when they run out of time; a case on a
    # 5- or 15-working-day clock that runs out turns red and is supervised (亮灯督办) instead.
    for name in data.SUPERVISED_POLICIES:
        if name in policies and policies[name].escalate_when_overdue:
            policies[name].escalate_when_overdue = False
            policies[name].save(update_fields=["escalate_when_overdue"])
    leaves = []

    def fields(spec: data.CategorySpec, parent: data.CategorySpec | None) -> dict:
        inherit = parent or spec
        dept_code = spec.department or inherit.department
        return dict(
            name=spec.name, name_en=spec.name_en, code=spec.code, resident_label=spec.label, keywords=spec.keywords,
            default_department=departments.get(dept_code) if dept_code else None,
            default_star=spec.star or inherit.star or 1,
            handling_type=spec.handling or inherit.handling or "general",
            # A child names a policy only where it differs: it inherits its root's otherwise.
            sla_policy=policies.get(spec.policy) if spec.policy else None,
        )

    for root_spec in data.CATEGORIES:
        root = Category.objects.add_root(fields(root_spec, None))
        for child_spec in root_spec.children:
            child = Category.objects.add_child(root, fields(child_spec, root_spec))
            leaves.append((child, child_spec, root_spec.code))
    return leaves


def build_world() -> DemoWorld:
    city, district, subdistrict, communities, grids = build_territory()
    departments = build_departments(district, subdistrict)
    users = build_staff(dict(district=district, subdistrict=subdistrict, communities=communities, grids=grids,
                             departments=departments))
    for k, info in enumerate(grids, start=1):
        info.worker, info.chief = users[f"worker{k:02d}"], users[f"gridchief{k:02d}"]
    officers = {spec.code: [users[u] for u in spec.officers] for spec in data.DEPARTMENTS}
    return DemoWorld(
        city=city, district=district, subdistrict=subdistrict, communities=communities, grids=grids,
        departments=departments, officers=officers, users=users, leaves=build_categories(departments),
    )
