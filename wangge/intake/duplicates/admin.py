from django.contrib import admin

from .models import (
    CaseReporterLink,
    CategoryClassifier,
    DuplicateCandidate,
    DuplicateRule,
)


@admin.register(DuplicateRule)
class DuplicateRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "radius_m", "window_days", "closed_days", "enabled"]
    list_editable = ["radius_m", "window_days", "closed_days", "enabled"]
    raw_id_fields = ["category"]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """Read-only: candidates are decided on the case page (confirm merges through the case desk)."""

    list_display = ["case", "candidate", "score", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    raw_id_fields = ["case", "candidate", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseReporterLink)
class CaseReporterLinkAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "from_case", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "from_case", "resident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CategoryClassifier)
class CategoryClassifierAdmin(admin.ModelAdmin):
    list_display = ["trained_at", "cases", "categories", "accuracy"]
    exclude = ["model"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
