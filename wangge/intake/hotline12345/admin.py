from django.contrib import admin

from .models import ImportJob, ImportSource


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "subdistrict", "header_row", "updated_at")
    raw_id_fields = ("subdistrict", "created_by")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "source", "status", "mode", "total_rows", "filed_count", "existing_count", "created_at")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False
