"""Sign-in records and data exports, to look up (read only: written by the sign-in signals and the
exports, sign-ins pruned by ``manage.py prune_audit``). The whole audit is exported with
``manage.py export_audit``."""

from urllib.parse import unquote_plus

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin

from .models import DataExportRecord, SignInRecord


@admin.register(SignInRecord)
class SignInRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip_address", "user_agent")
    list_filter = ("kind",)
    search_fields = ("=username", "=ip_address")
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "kind", "username", "user_id", "ip_address", "user_agent")
    show_full_result_count = False


@admin.register(DataExportRecord)
class DataExportRecordAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """导出日志 — who exported which list, with which filters, how many rows."""

    list_display = ("at", "username", "what", "rows", "cut", "filters_read", "ip_address")
    list_filter = ("what", "cut", "at")
    search_fields = ("=username",)
    search_help_text = _("Search by username.")
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "username", "user_id", "what", "filters_read", "rows", "cut", "ip_address")
    show_full_result_count = False

    @admin.display(description=_("filters"))
    def filters_read(self, obj: DataExportRecord) -> str:
        return unquote_plus(obj.filters) or "—"
