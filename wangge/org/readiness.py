"""开通检查 for the territory and the people (registered in ``OrgConfig.ready``; see
``wangge.core.readiness``): a territory down to grids, grids with boundaries, a clerk, someone who
can dispatch, departments to dispatch to."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from wangge.core.readiness import Result, admin_url, register_check

from .choices import RegionLevel, Role
from .models import Department, Region, RoleAssignment
from .scope import DISPATCHER_ROLES


def territory() -> Result:
    """辖区: at least one sub-district with a community and a grid in use."""
    levels = (RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID)
    counts = dict(Region.objects.filter(is_active=True, level__in=levels).order_by()
                  .values("level").annotate(n=Count("pk")).values_list("level", "n"))
    url = admin_url("org", "region")
    missing = [RegionLevel(level).label for level in levels if not counts.get(level)]
    if missing:
        return Result(False, _("Not in the territory yet: %(levels)s. Cases cannot be placed anywhere.")
                      % {"levels": " / ".join(str(m) for m in missing)}, url)
    return Result(True, _("%(s)d sub-districts, %(c)d communities, %(g)d grids in use.")
                  % {"s": counts[RegionLevel.SUBDISTRICT], "c": counts[RegionLevel.COMMUNITY],
                     "g": counts[RegionLevel.GRID]}, url)


def grid_boundaries() -> Result:
    """网格边界: a case found by its position lands in the grid whose boundary holds it."""
    row = Region.objects.filter(level=RegionLevel.GRID, is_active=True).aggregate(
        total=Count("pk"), bare=Count("pk", filter=Q(boundary__isnull=True)))
    import_url = admin_url("org", "region", "import")
    if not row["total"]:
        return Result(False, _("No grid in use: import the grids' boundaries from the survey's GeoJSON file."),
                      import_url)
    if row["bare"]:
        return Result(False, ngettext(
            "%(n)d grid has no boundary: a case reported by its position is not placed in it.",
            "%(n)d grids have no boundary: a case reported by its position is not placed in them.",
            row["bare"]) % {"n": row["bare"]}, admin_url("org", "region", query={"level": RegionLevel.GRID}))
    return Result(True, _("Every grid in use has a boundary."),
                  admin_url("org", "region", query={"level": RegionLevel.GRID}))


def _staff_with(roles) -> int:
    return (RoleAssignment.objects.filter(role__in=list(roles), is_active=True, user__is_active=True)
            .values("user").distinct().count())


def intake_clerk() -> Result:
    """受理员: someone to accept what residents report."""
    n = _staff_with({Role.INTAKE_CLERK})
    if not n:
        return Result(False, _("No active intake clerk (受理员): nobody accepts the reports that come in."),
                      admin_url("org", "user", "add"))
    return Result(True, ngettext("%(n)d active intake clerk.", "%(n)d active intake clerks.", n) % {"n": n},
                  admin_url("org", "user", query={"roles__role": Role.INTAKE_CLERK}))


def dispatcher() -> Result:
    """派遣: an accepted case needs someone who may send it to a department or a grid."""
    n = _staff_with(DISPATCHER_ROLES)
    if not n:
        return Result(False, _("Nobody may dispatch cases (intake clerk, community secretary, street chief, "
                               "leader or administrator role): accepted cases stay where they are."),
                      admin_url("org", "user", "add"))
    return Result(True, ngettext("%(n)d person may dispatch cases.", "%(n)d people may dispatch cases.", n)
                  % {"n": n}, admin_url("org", "user"))


def departments() -> Result:
    """职能部门: where cases are dispatched to."""
    n = Department.objects.filter(is_active=True).count()
    if not n:
        return Result(False, _("No department in use: cases can only be dispatched to grids."),
                      admin_url("org", "department", "add"))
    return Result(True, ngettext("%(n)d department in use.", "%(n)d departments in use.", n) % {"n": n},
                  admin_url("org", "department"))


def register() -> None:
    register_check("org.territory", pgettext_lazy("readiness", "Territory"), territory, order=10)
    register_check("org.grid_boundaries", pgettext_lazy("readiness", "Grid boundaries"), grid_boundaries, order=20)
    register_check("org.intake_clerk", pgettext_lazy("readiness", "Intake clerk"), intake_clerk, order=30)
    register_check("org.dispatcher", pgettext_lazy("readiness", "Dispatching"), dispatcher, order=40)
    register_check("org.departments", pgettext_lazy("readiness", "Departments"), departments, order=50)
