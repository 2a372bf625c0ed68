"""Admin for the platform's own rows: durable event reactions, with the ones that gave up first."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .events import retry_dead_reactions
from .models import PendingReaction, PeriodicJobState, WorkerHeartbeat

# The index shows the 开通检查 panel (wangge.core.readiness) above the apps.
admin.site.index_template = "admin/core/index.html"


@admin.register(PendingReaction)
class PendingReactionAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "event_name", "event_key", "due_at", "attempts", "dead", "short_error")
    list_filter = ("dead", "subscriber")
    ordering = ("-dead", "due_at")
    readonly_fields = ("subscriber", "event", "created_at", "due_at", "attempts", "last_error", "dead")
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"))
    def event_name(self, obj):
        return obj.event.get("name")

    @admin.display(description=_("occurrence"))
    def event_key(self, obj):
        return obj.event.get("key")

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description=_("Retry the selected reactions that gave up"), permissions=["delete"])
    def retry(self, request, queryset):
        count = retry_dead_reactions(ids=queryset.filter(dead=True).values_list("pk", flat=True))
        self.message_user(request, ngettext("%(n)d reaction will be tried again.",
                                            "%(n)d reactions will be tried again.", count) % {"n": count},
                          messages.SUCCESS)


@admin.register(PeriodicJobState)
class PeriodicJobStateAdmin(admin.ModelAdmin):
    """后台任务 — when each periodic job last ran and how it ended (see also /healthz)."""

    list_display = ("name", "last_started_at", "last_finished_at", "last_succeeded", "last_worker", "last_error")
    readonly_fields = list_display + ("task_path",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """The background workers alive now (a worker beats every few seconds)."""

    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at")
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
