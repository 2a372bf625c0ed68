"""Admin for notifications (站内通知), the outbox (发件箱) and message templates (消息模板)."""

from __future__ import annotations

import logging
from typing import ClassVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wangge.core.http import client_ip
from wangge.residents.models import Resident, WechatIdentity
from wangge.residents.services import reveal_resident

from . import outbox
from .choices import OUTBOX_STATUS_COLOURS, OutboxStatus
from .models import MessageTemplate, Notification, OutboundMessage
from .registry import notification_kinds, outbox_channels


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return (("no", _("Unread")), ("yes", _("Read")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


class RegistryFilter(admin.SimpleListFilter):
    """A list filter over a field holding a registered value (kinds and channels have no choices)."""

    registry = None

    def lookups(self, request, model_admin):
        return self.registry.choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.parameter_name: self.value()})
        return queryset


class KindFilter(RegistryFilter):
    title = _("kind")
    parameter_name = "kind"
    registry = notification_kinds


class ChannelFilter(RegistryFilter):
    title = pgettext_lazy("outbox", "channel")
    parameter_name = "channel"
    registry = outbox_channels


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind_label", "subject_link", "message", "read_at")
    list_filter = (KindFilter, ReadFilter)
    search_fields = ("message", "recipient__username", "recipient__display_name", "=dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "subject_type")
    readonly_fields = ("recipient", "kind", "subject_type", "subject_id", "url", "dedupe_key", "message",
                       "created_at", "read_at")
    show_full_result_count = False
    actions = ["mark_read"]

    def has_add_permission(self, request):
        return False  # notifications are written by the actions, to the people concerned

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("about"))
    def subject_link(self, obj):
        if obj.subject_type_id is None:
            return "—"
        label = f"{obj.subject_type.name} #{obj.subject_id}"
        return format_html('<a href="{}">{}</a>', obj.url, label) if obj.url else label

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        n = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, ngettext("%(n)d notification marked read.",
                                            "%(n)d notifications marked read.", n) % {"n": n})


class OutboxStatusFilter(admin.SimpleListFilter):
    """Status, dead letters first: what an admin comes here for."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(OutboxStatus.DEAD, OutboxStatus.DEAD.label),
                *[(s.value, s.label) for s in OutboxStatus if s != OutboxStatus.DEAD]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


# Every full view of a recipient's address also goes to this logger (as the caller look-ups do).
pii_log = logging.getLogger("wangge.pii")
# What the resident's own access log (信息查看记录) says the view was for.
OUTBOX_PURPOSE = "notifications:outbox:"


def _recipient(message: OutboundMessage) -> Resident | None:
    """The resident a message went to — by the phone, or the WeChat OpenID, it was sent to."""
    if not message.to:
        return None
    by_phone = Resident.objects.filter(phone=message.to).first()
    if by_phone is not None:
        return by_phone
    identity = WechatIdentity.objects.filter(openid=message.to).select_related("resident").first()
    return identity.resident if identity is not None else None


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel_label", "masked_to", "template", "status_badge", "attempts",
                    "next_attempt_at", "short_error")
    list_filter = (OutboxStatusFilter, ChannelFilter, "template")
    search_fields = ("=gateway_message_id",)
    date_hierarchy = "created_at"
    list_select_related = ("subject_type",)
    show_full_result_count = False
    actions = ["retry"]
    readonly_fields = [*(f.name for f in OutboundMessage._meta.concrete_fields), "masked_to", "masked_dedupe_key",
                       "concealed_title", "concealed_body", "concealed_context"]
    fields = ("channel", "to", "template", "title", "body", "subject_type", "subject_id", "dedupe_key", "status",
              "attempts", "next_attempt_at", "lease_until", "last_error", "created_at", "sent_at",
              "gateway_message_id", "context", "secret_keys", "forget_recipient")

    def has_add_permission(self, request):
        return False  # messages are queued by the events that cause them

    def has_change_permission(self, request, obj=None):
        return False  # read-only; the retry action is the one change an admin makes

    @admin.display(description=pgettext_lazy("outbox", "channel"), ordering="channel")
    def channel_label(self, obj):
        return obj.get_channel_display()

    @admin.display(description=_("to"))
    def masked_to(self, obj):
        return outbox.mask_address(obj.to)

    @admin.display(description=_("dedupe key"))
    def masked_dedupe_key(self, obj):
        return outbox.masked_key(obj.dedupe_key)

    # A message's secrets (a resident's verification code, ``secret_keys``) are shown to nobody,
    # not even with the unmask right: the code opens the resident's own data, and while it is
    # waiting to be sent it is live. Once sent the row no longer holds it.
    @admin.display(description=_("title"))
    def concealed_title(self, obj):
        return outbox.conceal(obj.title, obj)

    @admin.display(description=_("body"))
    def concealed_body(self, obj):
        return outbox.conceal(obj.body, obj)

    @admin.display(description=_("context"))
    def concealed_context(self, obj):
        return outbox.concealed_context(obj)

    # A resident's phone (``to``, and the dedupe key that holds it) is masked on the list and the
    # page for everyone. Those with the unmask right may show it in full, one message at a time,
    # by a posted button (``reveal_view``): each full view is written to the resident's own access
    # log (信息查看记录, ``residents.reveal_resident``) as the case reporter's is. Nobody searches or
    # filters by it: ?to=… or q=<phone> would put the number into a URL (access logs, history) and
    # tell whether the office ever texted that person — a phone oracle.
    UNMASK_PERMISSION = "cases.view_reporter"  # org.scope.REPORTER_DATA_PERMISSION
    PHONE_FIELDS: ClassVar[dict[str, str]] = {"to": "masked_to", "dedupe_key": "masked_dedupe_key"}
    SHOWN_AS: ClassVar[dict[str, str]] = {**PHONE_FIELDS, "title": "concealed_title", "body": "concealed_body",
                                          "context": "concealed_context"}

    def _unmasked(self, request) -> bool:
        return request is not None and request.user.has_perm(self.UNMASK_PERMISSION)

    def get_fields(self, request, obj=None):
        return tuple(self.SHOWN_AS.get(f, f) for f in super().get_fields(request, obj))

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.PHONE_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_urls(self):
        return [path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view),
                     name="notifications_outboundmessage_reveal"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_reveal": self._unmasked(request),
                 "reveal_url": reverse("admin:notifications_outboundmessage_reveal", args=[object_id])}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def reveal_view(self, request, object_id):
        """显示完整号码 — the message's recipient and dedupe key in full, for the unmask right only;
        logged before it is shown: on the resident's access log when the address is a resident's,
        and always to ``wangge.pii`` (the number masked)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])  # a link followed, prefetched or bookmarked shows nothing
        if not self._unmasked(request):
            raise PermissionDenied
        message = self.get_object(request, unquote(object_id))
        if message is None:
            raise Http404
        ip_address = client_ip(request)
        resident = _recipient(message)
        if resident is not None:
            reveal_resident(resident=resident, actor=request.user, purpose=f"{OUTBOX_PURPOSE}{message.pk}",
                            allowed=True, ip_address=ip_address)
        pii_log.info("outbox recipient shown: user=%s ip=%s message=%s to=%s resident=%s", request.user.pk, ip_address,
                     message.pk, outbox.mask_address(message.to), resident.pk if resident is not None else "-")
        return TemplateResponse(request, "admin/notifications/outboundmessage/revealed.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": message,
            "title": _("Recipient in full"), "logged_on_resident": resident is not None,
            "back_url": reverse("admin:notifications_outboundmessage_change", args=[message.pk]),
        })

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="badge badge-{}">{}</span>', OUTBOX_STATUS_COLOURS[obj.status],
                           obj.get_status_display())

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboundmessage")

    @admin.action(description=_("Retry the selected dead letters"), permissions=["retry"])
    def retry(self, request, queryset):
        n = outbox.retry_dead_messages(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(n)d message queued again.", "%(n)d messages queued again.", n)
                          % {"n": n})


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "channel_label", "description", "is_active", "updated_at")
    list_filter = (ChannelFilter, "is_active")
    search_fields = ("key", "description", "body")
    fields = ("key", "channel", "description", "title", "body", "is_active")

    def get_readonly_fields(self, request, obj=None):
        # The code queues a template by key for one channel: renaming or moving it would break that.
        return ("key", "channel") if obj is not None else ()

    @admin.display(description=pgettext_lazy("outbox", "channel"), ordering="channel")
    def channel_label(self, obj):
        return obj.get_channel_display()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            from django import forms

            return forms.ChoiceField(choices=outbox_channels.choices(), label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
