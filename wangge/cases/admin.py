"""Admin for categories, deadline policies and — read only — cases and their timelines.

A case's state changes only through ``wangge.cases.actions``: the admin never adds, edits or
deletes a case, an event or an assignment. Residents' names and phones stay masked here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from wangge.core.admin_mixins import LeafDeleteOnly, ListFilterLookupsOnly, ReadOnlyAdminMixin
from wangge.core.treeforms import TreeMoveLabels
from wangge.residents.admin import RecentStaffFilter

from .actions.privacy import CALLER_CHANNEL
from .choices import DurationUnit
from .models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    Category,
    ExtensionRequest,
    ReporterAccessLog,
    SlaPolicy,
)
from .selectors import mask_name, mask_phone


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class CategoryForm(TreeMoveLabels, movenodeform_factory(Category)):
    pass


@admin.register(Category)
class CategoryAdmin(LeafDeleteOnly, TreeAdmin):
    form = CategoryForm
    list_display = ("name", "name_en", "code", "default_department", "default_star", "handling_type", "sla_policy",
                    "resident_label", "is_active")
    list_filter = ("is_active", "default_star", "handling_type", "default_department")
    search_fields = ("name", "name_en", "code", "keywords", "resident_label")
    autocomplete_fields = ("default_department",)
    fieldsets = (
        (None, {"fields": ("name", "name_en", "code", "is_active")}),
        (_("Position in the tree"), {"fields": ("treebeard_position", "treebeard_ref_node")}),
        (_("Defaults for new cases"), {"fields": ("default_department", "default_star", "handling_type",
                                                  "sla_policy")}),
        (_("Words"), {"fields": ("resident_label", "keywords")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_active and not obj.default_department_id:
            # Not refused (a parent category, or one the clerk always routes by hand), but said:
            # the hotline's 立即受理并派单 refuses a case of this category.
            messages.warning(request, _("“%(name)s” has no default department: a case filed in it is not sent "
                                        "anywhere by itself, and the hotline's “accept and dispatch at once” "
                                        "refuses it. Choose the department that usually handles it.")
                             % {"name": obj.name})


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "accept_target", "dispatch_target", "resolve_target", "amber_ratio",
                    "escalate_when_overdue", "is_default")
    list_filter = ("is_default", "escalate_when_overdue")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "is_default")}),
        (_("Targets per stage"), {"fields": (("accept_value", "accept_unit"), ("dispatch_value", "dispatch_unit"),
                                             ("resolve_value", "resolve_unit"))}),
        (_("Lights and escalation"), {"fields": ("amber_ratio", "escalate_when_overdue")}),
    )

    @staticmethod
    def _target(obj: SlaPolicy, stage: str) -> str:
        value, unit = obj.target(stage)
        return f"{value} {DurationUnit(unit).label}"

    @admin.display(description=_("accept within"))
    def accept_target(self, obj):
        return self._target(obj, "accept")

    @admin.display(description=_("dispatch within"))
    def dispatch_target(self, obj):
        return self._target(obj, "dispatch")

    @admin.display(description=_("resolve within"))
    def resolve_target(self, obj):
        return self._target(obj, "resolve")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "type", "actor", "actor_kind", "from_status", "to_status", "note", "data", "public")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    verbose_name_plural = _("timeline")


class CaseAssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fk_name = "case"
    fields = ("role", "department", "region", "user", "active", "assigned_at", "assigned_by", "claimed_by",
              "reported_in_at", "ended_at")
    readonly_fields = fields


class CaseAttachmentInline(ReadOnlyInline):
    model = CaseAttachment
    fields = ("original_name", "content_type", "size", "uploaded_by", "created_at", "file")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Cases, to look up and audit. Work on them in the workbench, where each action is checked."""

    list_display = ("number", "title", "status", "light", "star", "grid", "channel", "submitted_at")
    list_filter = ("status", "light", "star", "handling_type", "current_level", "channel", "deadline_provisional",
                   ("community", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=number", "title")
    date_hierarchy = "submitted_at"
    list_select_related = ("grid",)
    show_full_result_count = False
    inlines = [CaseEventInline, CaseAssignmentInline, CaseAttachmentInline]
    fieldsets = (
        (None, {"fields": ("number", "title", "description", "channel", "status", "category", "star",
                           "handling_type", "current_level")}),
        (_("Place"), {"fields": ("region", "grid", "community", "subdistrict", "address", "longitude", "latitude")}),
        (_("Reporter (masked)"), {"fields": ("reporter_masked_name", "reporter_masked_phone", "reporter_anonymous",
                                             "created_by")}),
        (_("Deadlines"), {"fields": ("sla_policy", "clock_started_at", "accept_due_at", "dispatch_due_at",
                                     "resolve_due_at", "deadline_provisional", "light", "paused_seconds")}),
        (_("Result"), {"fields": ("accepted_at", "dispatched_at", "resolved_at", "resolved_on_time", "result",
                                  "revisited_at", "revisit_lawful", "revisit_in_place", "revisit_accepted",
                                  "satisfaction", "rating_comment", "rated_at", "closed_at")}),
        (_("Counters"), {"fields": ("reopen_count", "escalation_count", "urge_count", "merged_into")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    @admin.display(description=_("reporter name"))
    def reporter_masked_name(self, obj: Case) -> str:
        return mask_name(obj.reporter_name)

    @admin.display(description=_("reporter phone"))
    def reporter_masked_phone(self, obj: Case) -> str:
        return mask_phone(obj.reporter_phone)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "working_days", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("=case__number",)
    list_select_related = ("case", "requested_by", "decided_by")


class ReporterAccessChannelFilter(admin.SimpleListFilter):
    """How the reporter's details were reached (the log's ``channel``), in words."""

    title = _("viewed through")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return list(ACCESS_CHANNELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() else queryset


class AccessedAtFilter(admin.DateFieldListFilter):
    """The date filter, titled in words (the log's ``accessed_at`` has no verbose name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("accessed at")


# The log's channels (cases.actions.privacy): 显示 on the workbench, the API, 来电历史.
ACCESS_CHANNELS = {"web": _("Workbench"), "api": _("API (app)"), CALLER_CHANNEL: _("Caller history (by phone)")}


@admin.register(ReporterAccessLog)
class ReporterAccessLogAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """个人信息查看日志 — who saw a resident's unmasked name and phone — or asked and was refused, or
    found the case by the caller's phone — when, on which case. (The model's fields carry no
    verbose names; the columns are named here.)"""

    list_display = ("when", "staff", "case_number", "viewed_through", "granted", "ip")
    list_filter = (RecentStaffFilter, ReporterAccessChannelFilter, "granted", ("accessed_at", AccessedAtFilter))
    show_facets = admin.ShowFacets.NEVER  # a count per filter option over years of rows
    search_fields = ("=case__number", "user__username", "user__display_name")
    search_help_text = _("Search by case number, or by the staff member's username or name.")
    date_hierarchy = "accessed_at"
    list_select_related = ("case", "user")
    fields = readonly_fields = ("when", "staff", "case_number", "viewed_through", "granted", "ip")
    show_full_result_count = False

    @admin.display(description=_("accessed at"), ordering="accessed_at")
    def when(self, obj: ReporterAccessLog):
        return obj.accessed_at

    @admin.display(description=_("staff member"), ordering="user__username")
    def staff(self, obj: ReporterAccessLog) -> str:
        return str(obj.user)

    @admin.display(description=_("case"), ordering="case__number")
    def case_number(self, obj: ReporterAccessLog) -> str:
        # The number only: the title is the resident's own words.
        return obj.case.number

    @admin.display(description=_("viewed through"))
    def viewed_through(self, obj: ReporterAccessLog) -> str:
        return str(ACCESS_CHANNELS.get(obj.channel, obj.channel))

    @admin.display(description=_("IP address"))
    def ip(self, obj: ReporterAccessLog) -> str:
        return obj.ip_address or ""
