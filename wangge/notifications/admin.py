"""Admin for in-platform notifications (站内通知): to look up what was sent to whom."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return (("no", _("Unread")), ("yes", _("Read")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "case", "message", "read_at")
    list_filter = ("kind", ReadFilter)
    search_fields = ("message", "recipient__username", "recipient__display_name", "=case__number")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "case")
    readonly_fields = ("recipient", "kind", "case", "message", "created_at", "read_at")
    show_full_result_count = False
    actions = ["mark_read"]

    def has_add_permission(self, request):
        return False  # notifications are written by the actions, to the people concerned

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        n = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, ngettext("%(n)d notification marked read.",
                                            "%(n)d notifications marked read.", n) % {"n": n})
