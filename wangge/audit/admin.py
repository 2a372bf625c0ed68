"""Sign-in records, to look up (read only: written by the sign-in signals, pruned by
``manage.py prune_audit``). The whole audit is exported with ``manage.py export_audit``."""

from django.contrib import admin

from wangge.core.admin_mixins import ReadOnlyAdminMixin

from .models import SignInRecord


@admin.register(SignInRecord)
class SignInRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip_address", "user_agent")
    list_filter = ("kind",)
    search_fields = ("=username", "=ip_address")
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "kind", "username", "user_id", "ip_address", "user_agent")
    show_full_result_count = False
