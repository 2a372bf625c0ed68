from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    """The levels of the territory tree, top to bottom."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")


# The order a child must follow its parent in.
REGION_LEVEL_ORDER = [c.value for c in RegionLevel]


class GridType(models.TextChoices):
    """网格类型 — urban, rural or dedicated (专属: a school, a market...)."""

    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    DEDICATED = "dedicated", _("Dedicated")


class DepartmentKind(models.TextChoices):
    DISTRICT = "district", _("District department")
    SECTION = "section", _("Sub-district section")
    UTILITY = "utility", _("Public utility")


class Role(models.TextChoices):
    """The roles a staff member can hold; one person may hold several."""

    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    BUILDING_CHIEF = "building_chief", _("Building chief")
    UNIT_CHIEF = "unit_chief", _("Unit chief")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    STREET_CHIEF_L1 = "street_chief_l1", _("Street chief L1")
    STREET_CHIEF_L2 = "street_chief_l2", _("Street chief L2")
    STREET_CHIEF_L3 = "street_chief_l3", _("Street chief L3")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


# Roles whose jurisdiction is a department rather than a node of the territory.
DEPARTMENT_ROLES = {Role.DEPARTMENT_OFFICER}


# The levels of the territory each role's jurisdiction may be (岗位的辖区层级). What each role
# means is in ``org.scope``: field roles work a grid (or a building / unit in it), a community's
# secretary and its first secretary (一级街长) run the community, an area chief (二级街长, 区域长)
# a community or a grid in it, a grid chief is the third-level street chief of their grid; intake
# clerks, leaders and administrators serve a sub-district or above. A department officer's
# jurisdiction is a department, not a node (``DEPARTMENT_ROLES``).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.INTAKE_CLERK: (RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT),
    Role.GRID_WORKER: (RegionLevel.GRID,),
    Role.GRID_CHIEF: (RegionLevel.GRID,),
    Role.BUILDING_CHIEF: (RegionLevel.BUILDING,),
    Role.UNIT_CHIEF: (RegionLevel.UNIT,),
    Role.COMMUNITY_SECRETARY: (RegionLevel.COMMUNITY,),
    Role.STREET_CHIEF_L1: (RegionLevel.COMMUNITY,),
    Role.STREET_CHIEF_L2: (RegionLevel.COMMUNITY, RegionLevel.GRID),
    Role.STREET_CHIEF_L3: (RegionLevel.GRID,),
    Role.LEADER: (RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT),
    Role.ADMIN: (RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT),
}
