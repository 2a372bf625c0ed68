"""重点人员 (六访) — residents who need regular visits, their visits, and the 六到 / 六报 records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.org.choices import Role

from .choices import (
    AccessKind,
    AttendanceKind,
    HelpNeeded,
    Mood,
    QuickReportKind,
    VisitFrequency,
)


class KeyPersonTag(models.Model):
    """重点人员类别 — needy household, elderly living alone … with its visit frequency (editable)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("tag", "name"), max_length=40)
    frequency = models.CharField(_("visit frequency"), max_length=16, choices=VisitFrequency.choices,
                                 default=VisitFrequency.MONTHLY)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # PIPL art. 44–45 give the person the right to see what is held about them; art. 18 and 35 let
    # the office withhold what a law requires kept confidential or what telling would impede its
    # duties. Off by default: a category added later is kept from the person until someone decides.
    shown_to_person = models.BooleanField(
        _("shown to the person"), default=False,
        help_text=_("The person on the register sees entries under this category, with the number and dates "
                    "of visits, on the resident page 我的个人信息. Turn it off only for categories kept "
                    "confidential by law or whose disclosure would impede the office's duties (public "
                    "security, community correction …): the person then reads only that some records are kept "
                    "under the law and may ask at the community office, without the category."))

    class Meta:
        verbose_name = _("key-person tag")
        verbose_name_plural = _("key-person tags")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class KeyPerson(models.Model):
    """重点人员 — one resident on the visit register of a grid.

    The sensitive fields (``id_number``, ``phone``, ``address``) are shown masked; the full view
    goes through ``actions.reveal_key_person``, which logs it. A person is never deleted: retired
    with a reason, and anonymised once retired longer than ``WANGGE_KEYPERSON_RETENTION_DAYS``.
    ``community`` and ``subdistrict`` are copied from the grid (the scope rules match on them).
    """

    resident = models.ForeignKey("residents.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident"))
    household = models.ForeignKey("residents.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("household"))
    unit = models.ForeignKey("org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("building / unit"))
    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    subdistrict = models.ForeignKey("org.Region", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("sub-district"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    tags = models.ManyToManyField(KeyPersonTag, related_name="persons", verbose_name=_("tags"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="key_persons", verbose_name=_("responsible worker"))
    notes = models.TextField(_("notes"), blank=True)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("registered by"))
    is_active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(pgettext_lazy("register", "retired"), null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=pgettext_lazy("register", "retired by"))
    retire_reason = models.CharField(_("reason for retiring"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        ordering = ["grid_id", "name", "pk"]
        indexes = [models.Index(fields=["grid", "is_active"]), models.Index(fields=["worker", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, retired_at__isnull=True, retire_reason="")
                | (Q(is_active=False, retired_at__isnull=False) & ~Q(retire_reason="")),
                name="keyperson_retired_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(is_active=False, name="", id_number="", phone="", address="", notes=""),
                name="keyperson_anonymised_is_retired_and_empty",
            ),
        ]

    def __str__(self) -> str:
        from .masking import mask_name

        return mask_name(self.name) or _("Key person #%(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("keypersons:detail", args=[self.pk])


class KeyPersonAccessLog(models.Model):
    """Every full view of a key person's personal data and every export, granted or refused — the
    same shape as ``residents.ResidentAccessLog`` (PIPL art. 51)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="access_log", verbose_name=_("key person"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("staff member"))
    kind = models.CharField(_("kind"), max_length=16, choices=AccessKind.choices, default=AccessKind.REVEAL)
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=64, blank=True)
    granted = models.BooleanField(_("granted"), default=True)
    rows = models.PositiveIntegerField(_("rows exported"), default=0)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The posts the viewer held when they looked, [[role, department or place], …]: the person is
    # told of the view by post (我的个人信息), as of a view of their resident data.
    viewer_posts = models.JSONField(_("viewer's posts then"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("key-person data access")
        verbose_name_plural = _("key-person data access log")
        ordering = ["-accessed_at", "-pk"]


class Visit(models.Model):
    """走访 — one visit to a key person: when, where, what was found, what help is needed, mood."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.PROTECT, related_name="visits",
                                   verbose_name=_("key person"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("visited by"))
    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    visited_at = models.DateTimeField(pgettext_lazy("visit", "visited at"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    found = models.TextField(_("what was found"), blank=True)
    mood = models.CharField(_("mood"), max_length=16, choices=Mood.choices, default=Mood.STABLE)
    # Two different things, easy to confuse under "help": what follows the visit (a case, a service
    # need or nothing — the seeds' 问题清单 and 需求清单) and, in words, what exactly is needed.
    help_needed = models.CharField(
        pgettext_lazy("visit", "follow-up"), max_length=16, choices=HelpNeeded.choices, default=HelpNeeded.NONE,
        help_text=_("A problem that needs fixing (a broken stair light, a leak) opens a case when the visit is "
                    "saved; a service the person needs (meals, shopping, a companion to the clinic) is noted on "
                    "the visit and in the work diary."))
    need_note = models.CharField(
        _("the problem or need, in words"), max_length=300, blank=True,
        help_text=_("Say exactly what is needed, e.g. “needs meal delivery”. A case takes it as its "
                    "description; left empty, what was found is used."))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("case"))
    # The form's one-time token (a double tap, or a phone resending on a bad signal, writes once).
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["worker", "visited_at"]), models.Index(fields=["key_person", "visited_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=True) | Q(help_needed=HelpNeeded.CASE),
                                   name="visit_case_only_when_case_needed"),
        ]

    def __str__(self) -> str:
        return f"{self.key_person} · {self.visited_at:%Y-%m-%d}"


class Attendance(models.Model):
    """六到 — the worker attended in person (mood swings, volunteer activity, illness …)."""

    kind = models.CharField(_("occasion"), max_length=16, choices=AttendanceKind.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("grid worker"))
    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    key_person = models.ForeignKey(KeyPerson, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="attendances", verbose_name=_("key person"))
    at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The form's one-time token (a double tap, or a phone resending on a bad signal, writes once).
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance (六到)")
        verbose_name_plural = _("attendances (六到)")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["worker", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class QuickReport(models.Model):
    """六报 — a one-tap report from the street: damage, dirt and hazards become cases; pregnancy
    and incoming population go to their office as information; instability to the leaders."""

    kind = models.CharField(_("kind"), max_length=16, choices=QuickReportKind.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("grid worker"))
    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("case"))
    routed_to = models.CharField(_("sent to"), max_length=200, blank=True)
    notified = models.PositiveIntegerField(_("people notified"), default=0)
    # The form's one-time token (a double tap, or a phone resending on a bad signal, writes once).
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quick report (六报)")
        verbose_name_plural = _("quick reports (六报)")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["worker", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(kind__in=["damage", "dirt", "hazard"]),
                name="quickreport_case_only_for_case_kinds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class QuickReportRoute(models.Model):
    """六报去向 — who receives an information report of one kind: a department (its officers) and/or
    a role (its holders whose territory covers the grid, e.g. the community secretary)."""

    kind = models.CharField(_("report kind"), max_length=16, choices=QuickReportKind.choices, unique=True)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("department"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("quick-report recipient")
        verbose_name_plural = _("quick-report recipients")
        constraints = [
            models.CheckConstraint(condition=Q(department__isnull=False) | ~Q(role=""),
                                   name="quickreport_route_has_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.department or self.get_role_display()}"
