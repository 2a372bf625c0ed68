"""Rollups behind the command dashboard (一网统管).

``DailyCaseStats`` holds, per day a case was filed (Asia/Shanghai) and per territory snapshot of
the case (district, sub-district, community, grid), the counters of ``metrics.COUNTERS``. Each
*dim* (dimension set) is a complete partition of the cases, split further by the key columns it
names: the plain dims by territory only, "category" also by top-level category, and so on.

A dim is kept per grid or per community (``grid`` left empty): the breakdowns (category, channel,
department) are kept per community, which is ~5× fewer rows than per grid; a breakdown of a single
grid is counted from the case table instead (``selectors.direct_rows``). A query picks the smallest
dim that has the columns and the territory level it filters or groups by.

Besides the daily rows (``monthly`` false) every dim has monthly rows (``monthly`` true, ``day`` =
the first of the month) that are the sums of that month's daily rows, so that a long period sums
whole months plus the days at its edges.

Rows are derived data: ``rollup.refresh_stats`` adds to them what the changed cases now count
minus what they counted before, which ``CaseContribution`` keeps per case; they can always be
thrown away and rebuilt (``refresh_stats(full=True)``).
"""

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

GRID = "grid"
COMMUNITY = "community"

# dim name → the key columns (besides day and territory) its rows are split by.
DIMS: dict[str, tuple[str, ...]] = {
    "": (),
    "community": (),
    "department": ("department",),
    "community.department": ("department",),
    "category": ("category_top",),
    "channel": ("channel",),
    "department.category": ("department", "category_top"),
    "department.channel": ("department", "channel"),
}
# dim name → the finest territory level of its rows (community-level rows have no grid).
DIM_LEVEL: dict[str, str] = {
    "": GRID,
    "community": COMMUNITY,
    "department": GRID,
    "community.department": COMMUNITY,
    "category": COMMUNITY,
    "channel": COMMUNITY,
    "department.category": COMMUNITY,
    "department.channel": COMMUNITY,
}


def _ref(model: str, name: str):
    # No database constraint: rows are rebuilt wholesale and regions/categories are never deleted
    # once cases refer to them.
    # No index of its own either: the composite indexes of Meta serve the queries, and every extra
    # index slows the rebuild down.
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             null=True, blank=True, related_name="+", verbose_name=name)


# The key columns of a rollup row, besides dim, monthly and day.
KEY_COLUMNS = ("district", "subdistrict", "community", "grid", "category_top", "channel", "department")


def _coalesced(name: str):
    # 0 stands for "none" (ids start at 1), so that rows with empty keys are unique too: NULLs
    # are distinct in a unique index on SQLite (and on PostgreSQL without NULLS NOT DISTINCT).
    return F(name) if name == "channel" else Coalesce(F(name), Value(0))


class DailyCaseStats(models.Model):
    """日统计 — the counters of the cases filed on one day in one territory cell (and key)."""

    dim = models.CharField(max_length=24, choices=[(k, k or "total") for k in DIMS])
    # A monthly row: ``day`` is the first of the month, the counters the sum of its daily rows.
    monthly = models.BooleanField(default=False)
    day = models.DateField(_("day"))
    district = _ref("org.Region", _("district"))
    subdistrict = _ref("org.Region", _("sub-district"))
    community = _ref("org.Region", _("community"))
    grid = _ref("org.Region", _("grid"))
    category_top = _ref("cases.Category", _("category"))
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    department = _ref("org.Department", _("department"))

    # The counters (see metrics.COUNTERS for what each one counts).
    filed = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    st_submitted = models.PositiveIntegerField(default=0)
    st_accepted = models.PositiveIntegerField(default=0)
    st_rejected = models.PositiveIntegerField(default=0)
    st_dispatched = models.PositiveIntegerField(default=0)
    st_in_progress = models.PositiveIntegerField(default=0)
    st_suspended = models.PositiveIntegerField(default=0)
    st_resolved = models.PositiveIntegerField(default=0)
    st_closed = models.PositiveIntegerField(default=0)
    st_merged = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily case statistics")
        verbose_name_plural = _("daily case statistics")
        indexes = [
            models.Index(fields=["dim", "monthly", "subdistrict", "day"], name="dstats_dim_sub_day"),
            models.Index(fields=["dim", "monthly", "community", "day"], name="dstats_dim_comm_day"),
            models.Index(fields=["dim", "monthly", "grid", "day"], name="dstats_dim_grid_day"),
            models.Index(fields=["dim", "monthly", "department", "day"], name="dstats_dim_dept_day"),
        ]
        constraints = [
            # One row per key: the incremental refresh finds the row a change adds to by this index.
            # It starts with (dim, monthly, day), so it also serves the periods of a whole district
            # (an index of its own on those three would only slow the writes down).
            models.UniqueConstraint(F("dim"), F("monthly"), F("day"), *map(_coalesced, KEY_COLUMNS),
                                    name="dstats_unique_key"),
        ]


def note_deleted_case(collector, field, sub_objs, using):
    """``on_delete`` of a contribution's case: queue the case for the next refresh, which takes
    what it counted out of the rollups and then drops the contribution. (Not a signal: the
    deletion of a case is seen because this table refers to it.)"""
    DeletedCase.objects.using(using).bulk_create(
        [DeletedCase(case_id=row.pk) for row in sub_objs], ignore_conflicts=True)


class CaseContribution(models.Model):
    """计入 — what one case added to the rollups when they were last brought up to date: the day
    and key columns of its rows and, as bits of ``flags``, the counters it counted in (bit ``i``:
    the ``i``-th counter of ``metrics.COUNTERS``). The rollups are always the sum of these rows."""

    case = models.OneToOneField("cases.Case", on_delete=note_deleted_case, primary_key=True,
                                db_constraint=False, related_name="+")
    day = models.DateField()
    district = _ref("org.Region", _("district"))
    subdistrict = _ref("org.Region", _("sub-district"))
    community = _ref("org.Region", _("community"))
    grid = _ref("org.Region", _("grid"))
    category_top = _ref("cases.Category", _("category"))
    channel = models.CharField(max_length=16, blank=True)
    department = _ref("org.Department", _("department"))
    flags = models.IntegerField()


class DeletedCase(models.Model):
    """A case deleted since the rollups were brought up to date: what it counted is still in them."""

    case_id = models.BigIntegerField(primary_key=True)


class StatsState(models.Model):
    """When the rollups were last brought up to date (one row)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Cases changed (``updated_at``) after this moment may not be in the rollups yet.
    watermark = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_days = models.PositiveIntegerField(default=0)
    last_cases = models.PositiveIntegerField(default=0)
    # The counters, in bit order, of the stored contributions' ``flags``: when ``metrics.COUNTERS``
    # changes, the next refresh rebuilds everything.
    flag_counters = models.TextField(blank=True)
