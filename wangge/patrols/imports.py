"""点位导入 — points from a spreadsheet (.xlsx), all or nothing: any bad row and nothing is
written; every bad row is named with its problem, in the user's language."""

from __future__ import annotations

import zipfile

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.errors import InvalidInput
from wangge.org.choices import RegionLevel
from wangge.org.models import Region, User

from . import permissions
from .actions import (
    _check_responsible,
    default_frequency,
    generate_slots,
    grid_row,
    placement,
)
from .choices import Frequency, PointClass
from .models import PatrolPoint
from .windows import today

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

# (key, header aliases, required)
COLUMNS = [
    ("grid", gettext_lazy("Grid code"), ("grid", "grid code", "网格编码", "网格代码"), True),
    ("name", gettext_lazy("Point name"), ("name", "point", "point name", "名称", "点位名称", "点位"), True),
    ("point_class", gettext_lazy("Class"), ("class", "type", "类别", "点位类别", "类型"), True),
    ("latitude", gettext_lazy("Latitude"), ("lat", "latitude", "纬度"), True),
    ("longitude", gettext_lazy("Longitude"), ("lng", "lon", "longitude", "经度"), True),
    ("frequency", gettext_lazy("Frequency"), ("frequency", "频次", "巡查频次"), False),
    ("address", gettext_lazy("Address"), ("address", "地址"), False),
    ("responsible", gettext_lazy("Responsible worker (username)"), ("responsible", "worker", "责任人", "网格员"), False),
]

CLASS_ALIASES = {
    "五小": PointClass.SMALL_SHOP, "五小门店": PointClass.SMALL_SHOP, "门店": PointClass.SMALL_SHOP,
    "餐馆": PointClass.SMALL_SHOP, "小饭店": PointClass.SMALL_SHOP, "主干道": PointClass.MAIN_ROAD,
    "主次干道": PointClass.MAIN_ROAD, "背街小巷": PointClass.BACK_ALLEY, "小巷": PointClass.BACK_ALLEY,
    "银行": PointClass.BANK, "银行网点": PointClass.BANK, "建筑工地": PointClass.BUILDING_SITE,
    "工地": PointClass.BUILDING_SITE, "市场": PointClass.MARKET, "集贸市场": PointClass.MARKET,
    "卫生服务中心": PointClass.CLINIC, "诊所": PointClass.CLINIC, "社区卫生服务中心": PointClass.CLINIC,
    "学校": PointClass.SCHOOL, "中小学校": PointClass.SCHOOL, "其他": PointClass.OTHER,
}
FREQUENCY_ALIASES = {
    "日": Frequency.DAILY, "每日": Frequency.DAILY, "日必访": Frequency.DAILY, "每天": Frequency.DAILY,
    "周": Frequency.WEEKLY, "每周": Frequency.WEEKLY, "周必访": Frequency.WEEKLY,
    "月": Frequency.MONTHLY, "每月": Frequency.MONTHLY, "月必访": Frequency.MONTHLY,
}


class ImportRefused(InvalidInput):
    """The file was refused; ``rows``: [(row number, problem)] — nothing was written."""

    def __init__(self, rows: list[tuple[int, str]]):
        self.rows = rows
        super().__init__(_("%(n)d rows have problems; nothing was imported.") % {"n": len(rows)},
                         fields={"file": "rows"})


def _aliases(choices, extra: dict) -> dict:
    table = {k.lower(): v for k, v in extra.items()}
    for value, label in choices:
        table[str(value).lower()] = value
        table[str(label).lower()] = value
        with translation.override("zh-hans"):
            table[str(label).lower()] = value
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(file) -> list[tuple[int, dict]]:
    """(row number, {key: text}) of each non-empty data row; InvalidInput for an unreadable file."""
    from openpyxl import load_workbook

    if getattr(file, "size", 0) > MAX_BYTES:
        raise InvalidInput(_("The file is too large."), fields={"file": "too_large"})
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise InvalidInput(_("The file is not an Excel workbook (.xlsx)."), fields={"file": "invalid"}) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    index: dict[str, int] = {}
    names = [_cell(h).lower() for h in header]
    for key, _label, aliases, _required in COLUMNS:
        for i, name in enumerate(names):
            if name in aliases:
                index[key] = i
                break
    missing = [str(label) for key, label, _a, required in COLUMNS if required and key not in index]
    if missing:
        raise InvalidInput(_("The first row must name the columns; missing: %(cols)s.") % {"cols": "、".join(missing)},
                           fields={"file": "columns"})
    out = []
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise InvalidInput(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS},
                               fields={"file": "too_many"})
        cells = {key: _cell(values[i]) if i < len(values) else "" for key, i in index.items()}
        if any(cells.values()):
            out.append((number, cells))
    book.close()
    return out


@transaction.atomic
def import_points(*, actor: User, file) -> int:
    """Import the points in ``file``; every row is checked first and any problem refuses the
    whole file (``ImportRefused`` with each row's problem). Returns how many points were made."""
    if not permissions.is_manager(actor):
        raise InvalidInput(_("You cannot import points."), fields={"file": "forbidden"})
    rows = read_rows(file)
    if not rows:
        raise InvalidInput(_("The file has no rows to import."), fields={"file": "empty"})
    classes = _aliases(PointClass.choices, CLASS_ALIASES)
    frequencies = _aliases(Frequency.choices, FREQUENCY_ALIASES)
    grids = {g.code: g for g in Region.objects.filter(level=RegionLevel.GRID,
                                                       code__in={c["grid"] for _n, c in rows})}
    users = {u.username: u for u in User.objects.filter(username__in={c.get("responsible") for _n, c in rows
                                                                       if c.get("responsible")})}
    existing = set(PatrolPoint.objects.filter(grid__in=list(grids.values())).values_list("grid_id", "name"))
    problems: list[tuple[int, str]] = []
    points, seen, places = [], set(), {}
    for number, c in rows:
        def bad(text, number=number):
            problems.append((number, _("Row %(row)d: %(problem)s") % {"row": number, "problem": text}))

        grid = grids.get(c["grid"])
        if grid is None or not grid.is_active:
            bad(_("no current grid has the code “%(code)s”.") % {"code": c["grid"]})
            continue
        if grid.pk not in places:
            places[grid.pk] = placement(grid)
            places[grid.pk]["_allowed"] = permissions.may_manage(actor, grid_row(grid))
        if not places[grid.pk]["_allowed"]:
            bad(_("grid “%(code)s” is outside your territory.") % {"code": c["grid"]})
            continue
        name = c["name"]
        if not name or len(name) > 100:
            bad(_("the point name is missing or longer than 100 characters."))
            continue
        if (grid.pk, name) in existing or (grid.pk, name) in seen:
            bad(_("the grid already has a point named “%(name)s”.") % {"name": name})
            continue
        seen.add((grid.pk, name))
        point_class = classes.get(c["point_class"].lower())
        if point_class is None:
            bad(_("unknown class “%(value)s”.") % {"value": c["point_class"]})
            continue
        frequency = default_frequency(point_class)
        if c.get("frequency"):
            frequency = frequencies.get(c["frequency"].lower())
            if frequency is None:
                bad(_("unknown frequency “%(value)s” (daily, weekly or monthly).") % {"value": c["frequency"]})
                continue
        try:
            lat, lng = float(c["latitude"]), float(c["longitude"])
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
        except ValueError:
            bad(_("the latitude and longitude must be numbers (e.g. 39.91, 116.40)."))
            continue
        responsible = None
        if c.get("responsible"):
            responsible = users.get(c["responsible"])
            try:
                if responsible is None:
                    raise InvalidInput("")
                _check_responsible(responsible, grid)
            except InvalidInput:
                bad(_("“%(user)s” is not an active worker of this grid.") % {"user": c["responsible"]})
                continue
        where = {k: v for k, v in places[grid.pk].items() if not k.startswith("_")}
        points.append(PatrolPoint(name=name, point_class=point_class, frequency=frequency,
                                  address=(c.get("address") or "")[:200], latitude=lat, longitude=lng,
                                  responsible=responsible, active_from=today(), created_by=actor, **where))
    if problems:
        raise ImportRefused(problems)
    made = PatrolPoint.objects.bulk_create(points)
    if made and made[0].pk is None:  # a backend that returns no ids: read them back
        made = list(PatrolPoint.objects.filter(created_by=actor, active_from=today(),
                                               name__in=[p.name for p in points]))
    generate_slots(first=today(), last=today(), points=made)
    return len(points)


def template_rows() -> list[list[str]]:
    """The header and an example row, for the downloadable template."""
    return [[str(label) for _k, label, _a, _r in COLUMNS],
            ["grid-0001", "老王小炒", "五小门店", "39.905", "116.305", "", "幸福路12号", ""]]


__all__ = ["COLUMNS", "ImportRefused", "import_points", "read_rows", "template_rows"]
