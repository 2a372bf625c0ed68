"""Importing a sub-district's grids from its 网格化 survey (网格划分成果) as one GeoJSON file.

The survey comes as a FeatureCollection, one Feature per grid, each with its polygon and
properties naming the grid, its code, its community and its type (Chinese or English keys)::

    {"type": "Feature", "geometry": {"type": "Polygon", …},
     "properties": {"网格名称": "和平里北街第一网格", "网格编码": "110101012001001",
                    "社区": "和平里北街社区", "网格类型": "城市网格"}}

A feature may name its sub-district (“街道”: the one chosen for the import when it does not). A
community the survey names that the sub-district does not have yet (a newly set-up 社区) is
created under that sub-district with the grids; a sub-district nobody has set up is refused.

The import is all or nothing: every feature is checked (polygon, code, sub-district, community,
type, overlap with the grids already in use and with the file's own) and a file with any bad
feature creates no grid and no community, but lists every bad feature by its number and name.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from wangge.core.errors import Forbidden

from . import boundaries, geo
from .choices import GridType, RegionLevel
from .models import Region, User

MAX_FILE_BYTES = 20 * 1024 * 1024

NAME_KEYS = ("网格名称", "名称", "name", "NAME", "grid_name")
CODE_KEYS = ("网格编码", "编码", "code", "CODE", "grid_code")
COMMUNITY_KEYS = ("社区", "社区名称", "社区编码", "所属社区", "community", "COMMUNITY")
SUBDISTRICT_KEYS = ("街道", "街道名称", "所属街道", "街道编码", "乡镇", "subdistrict", "SUBDISTRICT")
COMMUNITY_NAME_KEYS = ("社区", "社区名称", "所属社区", "community", "COMMUNITY")  # what a new one is called
TYPE_KEYS = ("网格类型", "类型", "grid_type", "type")
ALIAS_KEYS = ("别名与地址", "别名", "地址", "aliases")
TYPE_WORDS = {
    GridType.URBAN: {"urban", "城市", "城市网格", "城镇", "城镇网格"},
    GridType.RURAL: {"rural", "农村", "农村网格"},
    GridType.DEDICATED: {"dedicated", "专属", "专属网格"},
}


class GridImportError(Exception):
    """The file cannot be imported; ``messages`` says why, one line a bad feature."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class ImportedGrids:
    grids: list[Region]
    communities: list[str]  # the names of the communities the grids are in
    new_communities: list[Region] = field(default_factory=list)  # created by the import


class _Communities:
    """The communities of the sub-districts a file names, by name and code; the ones the file
    names and the territory lacks are created (inside the import's transaction) on first use."""

    def __init__(self, default: Region):
        self.default = default
        active = Region.objects.filter(level=RegionLevel.SUBDISTRICT, is_active=True)
        # By code anywhere; by name among the chosen sub-district's neighbours (names repeat across districts).
        self.subdistricts: dict[str, Region] = {sub.code: sub for sub in active}
        district = Region.objects.get_parent(default)
        if district is not None:
            for sub in active.filter(path__startswith=district.path, depth=default.depth):
                self.subdistricts.setdefault(sub.name, sub)
        self.known: dict[int, dict[str, Region]] = {}
        self.created: list[Region] = []

    def subdistrict(self, key: str) -> Region | None:
        return self.subdistricts.get(key) if key else self.default

    def of(self, subdistrict: Region) -> dict[str, Region]:
        if subdistrict.pk not in self.known:
            found = {}
            for community in Region.objects.get_children(subdistrict).filter(level=RegionLevel.COMMUNITY,
                                                                              is_active=True):
                found[community.name] = found[community.code] = community
            self.known[subdistrict.pk] = found
        return self.known[subdistrict.pk]

    def create(self, subdistrict: Region, name: str) -> Region:
        parent = Region.objects.get(pk=subdistrict.pk)  # the tree's paths as they are now
        taken = set(Region.objects.filter(code__startswith=f"{subdistrict.code}-C").values_list("code", flat=True))
        codes = (f"{subdistrict.code}-C{n:03d}" for n in itertools.count(1))
        code = next(c for c in codes if c not in taken)
        community = Region.objects.add_child(parent, dict(name=name, code=code, level=RegionLevel.COMMUNITY))
        self.of(subdistrict)[name] = self.of(subdistrict)[code] = community
        self.created.append(community)
        return community


def _first(properties: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _grid_type(word: str) -> str | None:
    if not word:
        return GridType.URBAN
    for value, words in TYPE_WORDS.items():
        if word.lower() in words:
            return value
    return None


def read_features(raw: bytes) -> list[dict]:
    """The features of a GeoJSON FeatureCollection file."""
    if len(raw) > MAX_FILE_BYTES:
        raise GridImportError([_("The file is larger than 20 MB.")])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise GridImportError([_("This is not valid JSON: %(error)s") % {"error": exc}]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise GridImportError([_("The file must be a GeoJSON FeatureCollection with one Feature per grid.")])
    if not data["features"]:
        raise GridImportError([_("The file holds no features.")])
    return data["features"]


def import_grids(*, raw: bytes, subdistrict: Region, actor: User) -> ImportedGrids:
    """Create the grids of a survey file under the communities of ``subdistrict``, all or none."""
    if not actor.has_perm("org.add_region"):
        raise Forbidden(_("You may not add places."))
    if subdistrict.level != RegionLevel.SUBDISTRICT or not subdistrict.is_active:
        raise GridImportError([_("Choose a sub-district that is in use.")])
    features = read_features(raw)
    communities = _Communities(subdistrict)
    errors: list[str] = []
    created: list[Region] = []
    codes_in_file: dict[str, int] = {}
    with transaction.atomic():
        for number, feature in enumerate(features, start=1):
            problems, grid = _import_feature(feature, communities, codes_in_file, number)
            label = _("Feature %(n)d") % {"n": number}
            if grid is not None:
                created.append(grid)
            elif problems:
                name = _first((feature.get("properties") or {}) if isinstance(feature, dict) else {}, NAME_KEYS)
                errors.append(f"{label}{f'（{name}）' if name else ''}：" + "；".join(problems))
        if errors:
            transaction.set_rollback(True)
    if errors:
        geo.invalidate()  # nothing of the file stays: no process keeps its grids either
        raise GridImportError(errors)
    return ImportedGrids(grids=created, communities=sorted({str(Region.objects.get_parent(g)) for g in created}),
                         new_communities=communities.created)


def _import_feature(feature, communities: _Communities, codes_in_file: dict,
                    number: int) -> tuple[list[str], Region | None]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [_("not a GeoJSON Feature")], None
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        properties = {}
    problems = []
    name, code = _first(properties, NAME_KEYS), _first(properties, CODE_KEYS)
    community_key, type_word = _first(properties, COMMUNITY_KEYS), _first(properties, TYPE_KEYS)
    if not name:
        problems.append(_("no grid name (property “网格名称” or “name”)"))
    elif len(name) > Region._meta.get_field("name").max_length:
        problems.append(_("the name is longer than 100 characters"))
    if not code:
        problems.append(_("no grid code (property “网格编码” or “code”)"))
    elif len(code) > Region._meta.get_field("code").max_length:
        problems.append(_("the code is longer than 40 characters"))
    elif code in codes_in_file:
        problems.append(_("the code %(code)s is given to feature %(other)d too") % {"code": code,
                                                                                 "other": codes_in_file[code]})
    elif Region.objects.filter(code=code).exists():
        problems.append(_("the code %(code)s is already used in the territory") % {"code": code})
    if code:
        codes_in_file.setdefault(code, number)
    subdistrict_key = _first(properties, SUBDISTRICT_KEYS)
    subdistrict = communities.subdistrict(subdistrict_key)
    community, new_community = None, ""
    if subdistrict is None:
        problems.append(_("the sub-district “%(name)s” is not in the territory (add it first)")
                        % {"name": subdistrict_key})
    elif not community_key:
        problems.append(_("no community (property “社区” or “community”)"))
    else:
        community = communities.of(subdistrict).get(community_key)
        new_community = _first(properties, COMMUNITY_NAME_KEYS) if community is None else ""
        if community is None and not new_community:
            problems.append(_("the community code %(code)s is not in %(subdistrict)s; give the community's name "
                              "(property “社区”) to create it") % {"code": community_key, "subdistrict": subdistrict})
        elif len(new_community) > Region._meta.get_field("name").max_length:
            problems.append(_("the community's name is longer than 100 characters"))
    grid_type = _grid_type(type_word)
    if grid_type is None:
        problems.append(_("the grid type “%(word)s” is not 城市网格, 农村网格 or 专属网格") % {"word": type_word})
    try:
        geom = geo.parse_boundary(feature.get("geometry"))
    except geo.InvalidGeometry as exc:
        problems.append(_("the boundary is not a usable polygon: %(error)s") % {"error": exc})
        geom = None
    if geom is not None and subdistrict is not None and grid_type is not None:
        # A new community has no grids yet: its grid is judged as one of its sub-district's.
        problems += boundaries.check_grid_boundary(geom, grid_type=grid_type, parent=community or subdistrict).refused
    if problems:
        return problems, None
    if community is None:
        community = communities.create(subdistrict, new_community)
    grid = Region.objects.add_child(Region.objects.get(pk=community.pk), dict(
        name=name, code=code, level=RegionLevel.GRID, grid_type=grid_type, boundary=geo.as_geojson(geom),
        aliases=_first(properties, ALIAS_KEYS).replace("；", "\n").replace(";", "\n"),
    ))
    return [], grid
