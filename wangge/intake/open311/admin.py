"""Client apps and their keys (issued and revoked here), service attributes, received requests."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from wangge.core.admin_mixins import ReadOnlyAdminMixin

from . import actions
from .models import Open311Client, Open311Request, ServiceAttribute


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "key_issued_at", "revoked_at", "default_region"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact"]
    fields = ["name", "contact", "default_region", "key_prefix", "is_active", "key_issued_at", "revoked_at"]
    readonly_fields = ["key_prefix", "is_active", "key_issued_at", "revoked_at"]
    raw_id_fields = ["default_region"]
    actions = ["issue_new_key", "revoke"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._show_key(request, obj, actions.issue_key(client=obj))

    def _show_key(self, request, client, key):
        messages.warning(request, _("API key for %(name)s (shown only now, copy it): %(key)s")
                         % {"name": client.name, "key": key})

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            self._show_key(request, client, actions.issue_key(client=client))

    @admin.action(description=_("Revoke the key"))
    def revoke(self, request, queryset):
        for client in queryset:
            actions.revoke_client(client=client)
        messages.success(request, _("Revoked."))


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "description", "datatype", "required", "order", "is_active"]
    list_filter = ["datatype", "is_active"]
    raw_id_fields = ["category"]


@admin.register(Open311Request)
class Open311RequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["token", "case", "client", "created_at"]
    list_filter = ["client"]
    raw_id_fields = ["case"]
    fields = ["case", "client", "token", "media_url", "account_id", "attributes", "created_at"]
