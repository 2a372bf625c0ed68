"""Admin: diary days and notes, read-only (days are written by the actions; notes never edited)."""

from django.contrib import admin

from wangge.core.admin_mixins import ReadOnlyAdminMixin

from .models import DiaryDay, DiaryNote


@admin.register(DiaryDay)
class DiaryDayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "worker", "grid", "status", "signed_by", "signed_at"]
    list_filter = ["status"]
    date_hierarchy = "day"


@admin.register(DiaryNote)
class DiaryNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["written_at", "diary_day", "author", "section", "is_correction"]
    list_filter = ["section", "is_correction"]
