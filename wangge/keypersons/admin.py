"""Admin: tags (their frequency, and whether the person on the register sees their entry,
editable), the routes of 六报, and read-only views of the register and its logs. Personal fields
are not shown here (the register's page logs every full view); persons are retired through the
action, never deleted."""

from __future__ import annotations

from django.contrib import admin

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin

from .masking import mask_name, mask_phone
from .models import (
    Attendance,
    KeyPerson,
    KeyPersonAccessLog,
    KeyPersonTag,
    QuickReport,
    QuickReportRoute,
    Visit,
)


@admin.register(KeyPersonTag)
class KeyPersonTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "frequency", "shown_to_person", "order", "is_active"]
    list_editable = ["frequency", "shown_to_person", "order", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuickReportRoute)
class QuickReportRouteAdmin(admin.ModelAdmin):
    list_display = ["kind", "department", "role"]


@admin.register(KeyPerson)
class KeyPersonAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "masked_name", "masked_phone", "grid", "worker", "is_active", "registered_at"]
    list_filter = ["is_active", "tags"]
    fields = ["masked_name", "masked_phone", "grid", "community", "worker", "registered_at", "registered_by",
              "is_active", "retired_at", "retired_by", "retire_reason", "anonymised_at"]
    readonly_fields = fields

    @admin.display(description=KeyPerson._meta.get_field("name").verbose_name)
    def masked_name(self, obj) -> str:
        return mask_name(obj.name)

    @admin.display(description=KeyPerson._meta.get_field("phone").verbose_name)
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)


@admin.register(KeyPersonAccessLog)
class KeyPersonAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["accessed_at", "user", "kind", "key_person", "granted", "rows", "purpose", "ip_address"]
    list_filter = ["kind", "granted"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["visited_at", "key_person", "worker", "mood", "help_needed", "case"]
    list_filter = ["mood", "help_needed"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "worker", "grid"]
    list_filter = ["kind"]


@admin.register(QuickReport)
class QuickReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "worker", "grid", "case", "routed_to", "notified"]
    list_filter = ["kind"]
