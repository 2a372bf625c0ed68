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
