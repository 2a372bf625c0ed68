"""巡查 — points of interest, their visit slots, check-ins, findings and the grid's officers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import FindingClass, Frequency, PointClass, Presence, SlotStatus


def new_plate_token() -> str:
    return secrets.token_urlsafe(12)


class PlacedRow(models.Model):
    """A row placed in the territory by snapshot columns (see ``org.scope.LEVEL_FIELD``)."""

    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"), null=True, blank=True)
    subdistrict = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("sub-district"), null=True, blank=True)
    district = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"), null=True, blank=True)

    class Meta:
        abstract = True


class PointClassDefault(models.Model):
    """点位类别默认频次 — the office's visit frequency for each class (S0's when no row)."""

    point_class = models.CharField(_("class"), max_length=24, choices=PointClass.choices, unique=True)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)

    class Meta:
        verbose_name = _("default frequency of a class")
        verbose_name_plural = _("default frequencies of classes")

    def __str__(self) -> str:
        return f"{self.get_point_class_display()}: {self.get_frequency_display()}"


class PatrolPoint(PlacedRow):
    """巡查点位 — a place in a grid that must be visited at its frequency (a small restaurant, a
    back alley, a bank branch, a school …), with a QR plate posted there as the check-in fallback."""

    name = models.CharField(_("name"), max_length=100)
    point_class = models.CharField(_("class"), max_length=24, choices=PointClass.choices)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible worker"),
    )
    plate_token = models.CharField(_("QR plate token"), max_length=32, unique=True, default=new_plate_token)
    is_active = models.BooleanField(_("active"), default=True)
    # Slots start on this local day (a point added mid-week is due from that week on).
    active_from = models.DateField(_("visits due from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("patrol point")
        verbose_name_plural = _("patrol points")
        ordering = ["grid_id", "name", "pk"]
        indexes = [models.Index(fields=["grid", "is_active"])]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="patrolpoint_unique_name_per_grid"),
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                                               longitude__lte=180), name="patrolpoint_valid_coordinates"),
        ]

    def __str__(self) -> str:
        return self.name


class VisitSlot(PlacedRow):
    """巡查任务 — one expected visit of a point in one due window. Unique per (point, window
    start): regenerating, backdating or resending never makes a second one."""

    point = models.ForeignKey(PatrolPoint, on_delete=models.CASCADE, related_name="slots", verbose_name=_("point"))
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    window_start = models.DateField(_("window opens"))
    window_end = models.DateField(_("window closes (last day)"))
    status = models.CharField(_("status"), max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    checkin = models.ForeignKey("CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("check-in"))
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit slot")
        verbose_name_plural = _("visit slots")
        ordering = ["window_start", "point_id"]
        indexes = [
            models.Index(fields=["grid", "window_end"]),
            models.Index(fields=["status", "window_end"]),
            # The figures of a community, sub-district or district: the windows closing in a period.
            models.Index(fields=["window_end"], name="visitslot_window_end_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["point", "window_start"], name="visitslot_one_per_point_window"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")),
                                   name="visitslot_window_ordered"),
            models.CheckConstraint(
                condition=(Q(status=SlotStatus.CANCELLED) & ~Q(cancel_reason="") & Q(cancelled_at__isnull=False))
                | (~Q(status=SlotStatus.CANCELLED) & Q(cancel_reason="")),
                name="visitslot_cancelled_exactly_with_a_reason",
            ),
            models.CheckConstraint(
                condition=(Q(status=SlotStatus.DONE) & Q(done_at__isnull=False))
                | (~Q(status=SlotStatus.DONE) & Q(done_at__isnull=True)),
                name="visitslot_done_at_exactly_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.window_start}"


class CheckIn(PlacedRow):
    """打卡 — a worker at a point: the phone's time and the server's, the position, how presence
    was shown, photos and notes. ``client_id`` (made by the phone) makes a resend idempotent."""

    client_id = models.UUIDField(_("client id"), unique=True)
    point = models.ForeignKey(PatrolPoint, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("point"))
    slot = models.ForeignKey(VisitSlot, on_delete=models.PROTECT, null=True, blank=True, related_name="checkins",
                             verbose_name=_("visit slot"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=pgettext_lazy("grid worker", "worker"))
    client_time = models.DateTimeField(_("time on the phone"), db_index=True)
    received_at = models.DateTimeField(_("received by the server"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    presence = models.CharField(_("presence shown by"), max_length=8, choices=Presence.choices)
    distance_m = models.FloatField(_("distance from the point (m)"), null=True, blank=True)
    is_far = models.BooleanField(_("far from the point"), default=False)
    is_late = models.BooleanField(_("submitted late"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-client_time", "-pk"]
        indexes = [models.Index(fields=["worker", "client_time"]), models.Index(fields=["grid", "client_time"])]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False),
                                   name="checkin_position_complete"),
            models.CheckConstraint(condition=~Q(presence=Presence.GPS) | Q(latitude__isnull=False),
                                   name="checkin_gps_has_a_position"),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.client_time:%Y-%m-%d %H:%M}"

    @property
    def by_plate(self) -> bool:
        return self.presence == Presence.QR


def photo_path(instance, filename: str) -> str:
    return f"patrols/{instance.checkin.client_time:%Y/%m}/{secrets.token_hex(8)}-{filename[-60:]}"


class CheckInPhoto(models.Model):
    """A photo taken at a check-in (checked like a case attachment: an image, within the limits)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="photos", verbose_name=_("check-in"))
    file = models.FileField(_("file"), upload_to=photo_path)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("check-in photo")
        verbose_name_plural = _("check-in photos")


class Finding(PlacedRow):
    """发现问题 — a problem found at a check-in; it became a case in the same step."""

    client_id = models.UUIDField(_("client id"), unique=True)
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="findings", verbose_name=_("check-in"))
    point = models.ForeignKey(PatrolPoint, on_delete=models.PROTECT, related_name="findings", verbose_name=_("point"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=pgettext_lazy("grid worker", "worker"))
    handling_class = models.CharField(_("handling class"), max_length=16, choices=FindingClass.choices)
    description = models.TextField(_("description"))
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="patrol_finding",
                                verbose_name=_("case"))
    on_the_spot = models.BooleanField(_("resolved on the spot"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["worker", "created_at"]), models.Index(fields=["grid", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(on_the_spot=False) | Q(handling_class=FindingClass.GENERAL),
                                   name="finding_on_the_spot_only_general"),
        ]

    def __str__(self) -> str:
        return self.description[:30]


class OfficerRole(models.Model):
    """下沉力量类别 — the kinds of officer the office sinks into grids (S3: 公安巡逻员, 城管队员 …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("officer role")
        verbose_name_plural = _("officer roles")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class GridOfficer(PlacedRow):
    """一格八员 — an officer of a department sunk into a grid; the grid's whistle summons them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("officer"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    role = models.ForeignKey(OfficerRole, on_delete=models.PROTECT, related_name="officers", verbose_name=_("role"))
    is_active = models.BooleanField(_("active"), default=True)
    appointed_at = models.DateTimeField(_("appointed"), auto_now_add=True)
    retired_at = models.DateTimeField(pgettext_lazy("officer", "retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid officer")
        verbose_name_plural = _("grid officers")
        ordering = ["grid_id", "role__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "user", "role"], condition=Q(is_active=True),
                                    name="gridofficer_one_active_per_grid_user_role"),
            models.CheckConstraint(condition=Q(is_active=True, retired_at__isnull=True)
                                   | Q(is_active=False, retired_at__isnull=False),
                                   name="gridofficer_retired_at_exactly_when_retired"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.user}"
