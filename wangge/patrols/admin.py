"""Admin for patrol rows (Chinese verbose names come from the models' translations)."""

from django.contrib import admin
from django.utils import timezone

from .actions import generate_slots, placement
from .models import (
    CheckIn,
    CheckInPhoto,
    Finding,
    GridOfficer,
    OfficerRole,
    PatrolPoint,
    PointClassDefault,
    VisitSlot,
)
from .windows import today


@admin.register(PointClassDefault)
class PointClassDefaultAdmin(admin.ModelAdmin):
    list_display = ["point_class", "frequency"]


@admin.register(PatrolPoint)
class PatrolPointAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "point_class", "frequency", "responsible", "is_active"]
    list_filter = ["point_class", "frequency", "is_active"]
    search_fields = ["name", "address"]
    raw_id_fields = ["grid", "responsible"]
    readonly_fields = ["plate_token", "created_at", "created_by", "community", "subdistrict", "district"]

    def save_model(self, request, obj, form, change):
        # The territory columns follow the grid; a new point gets its current slot.
        for key, value in placement(obj.grid).items():
            setattr(obj, key, value)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if obj.is_active:
            generate_slots(first=today(), last=today(), points=[obj])


@admin.register(VisitSlot)
class VisitSlotAdmin(admin.ModelAdmin):
    list_display = ["point", "window_start", "window_end", "status"]
    list_filter = ["status", "frequency"]
    raw_id_fields = ["point", "grid", "community", "subdistrict", "district", "checkin", "cancelled_by"]
    readonly_fields = ["status", "checkin", "done_at", "cancelled_by", "cancelled_at"]
    date_hierarchy = "window_start"

    def has_add_permission(self, request):
        return False  # slots come from the frequencies


class CheckInPhotoInline(admin.TabularInline):
    model = CheckInPhoto
    extra = 0
    readonly_fields = ["file", "content_type", "size"]
    can_delete = False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["point", "worker", "client_time", "received_at", "presence", "is_far", "is_late"]
    list_filter = ["presence", "is_far", "is_late"]
    date_hierarchy = "client_time"
    inlines = [CheckInPhotoInline]
    readonly_fields = [f.name for f in CheckIn._meta.fields]

    def has_add_permission(self, request):
        return False  # check-ins are made on the phone, never typed in

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["description", "point", "worker", "handling_class", "case", "on_the_spot", "created_at"]
    list_filter = ["handling_class", "on_the_spot"]
    readonly_fields = [f.name for f in Finding._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfficerRole)
class OfficerRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]


@admin.register(GridOfficer)
class GridOfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department", "grid", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user", "grid"]
    readonly_fields = ["community", "subdistrict", "district", "retired_at"]

    def save_model(self, request, obj, form, change):
        for key, value in placement(obj.grid).items():
            setattr(obj, key, value)
        if not obj.is_active and obj.retired_at is None:
            obj.retired_at = timezone.now()
        elif obj.is_active:
            obj.retired_at = None
        super().save_model(request, obj, form, change)
