"""Admin for residents, households and — read only — the access log.

Residents' names and phones are shown masked only, in the list and on the page: the admin is not
a way around ``reveal_resident`` and its log. Search is by id only: a search by phone would tell
anyone who types a number whether that person ever called the office (a phone oracle). Residents
are created by intake and erased by the ``anonymise`` action (the PIPL service), never added,
edited or deleted by hand — deleting would take cases' reporters with it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wangge.core.admin_mixins import ReadOnlyAdminMixin
from wangge.core.errors import DomainError

from .masking import mask_name, mask_phone
from .models import Household, Resident, ResidentAccessLog
from .services import anonymise_resident


class IdSearchMixin:
    """Search by exact id, nothing else."""

    search_help_text = _("Search by resident id.")

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip().lstrip("#")
        if not term:
            return queryset, False
        if not term.isdigit():
            return queryset.none(), False
        return queryset.filter(pk=int(term)), False


@admin.register(Resident)
class ResidentAdmin(IdSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "masked_name", "masked_phone", "phone_verified", "household_ref", "created_at",
                    "last_seen_at", "anonymised_at")
    list_display_links = ("id", "masked_name")
    list_filter = (("anonymised_at", admin.EmptyFieldListFilter), ("phone_verified_at", admin.EmptyFieldListFilter))
    search_fields = ("id",)  # turns the search box on; get_search_results matches the id only
    fields = readonly_fields = ("id", "masked_name", "masked_phone", "phone_verified", "wechat_count", "household_ref",
                                "created_at", "last_seen_at", "anonymised_at", "anonymised_reason", "anonymised_by",
                                "merged_into")
    actions = ["anonymise"]

    def lookup_allowed(self, lookup, value, request=None):
        # The list's own filters only: Django would also take ?phone=… or ?name__startswith=… on
        # the model's own fields — a phone oracle behind the masks.
        return (lookup.split("__")[0] in ("anonymised_at", "phone_verified_at")
                and super().lookup_allowed(lookup, value, request))

    @admin.display(description=pgettext_lazy("person", "name"))
    def masked_name(self, obj: Resident) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Resident) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("phone verified"), boolean=True)
    def phone_verified(self, obj: Resident) -> bool:
        return obj.phone_verified_at is not None

    @admin.display(description=_("household"))
    def household_ref(self, obj: Resident) -> str:
        # The number only: unit and room together are the resident's address.
        return f"#{obj.household_id}" if obj.household_id else ""

    @admin.display(description=_("WeChat identities"))
    def wechat_count(self, obj: Resident) -> int:
        return obj.wechat_ids.count()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_anonymise_permission(self, request) -> bool:
        return request.user.has_perm("residents.anonymise_resident")

    @admin.action(description=_("Anonymise the selected residents (erase their personal data)"),
                  permissions=["anonymise"])
    def anonymise(self, request, queryset):
        done, refused = 0, []
        for resident in queryset.filter(anonymised_at__isnull=True).order_by("pk"):
            try:
                anonymise_resident(resident=resident, actor=request.user, reason=str(_("anonymised in the admin")))
            except DomainError as exc:
                refused.append(f"#{resident.pk}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, ngettext("%(count)d resident anonymised.", "%(count)d residents anonymised.",
                                                done) % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(ResidentAccessLog)
class ResidentAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("accessed_at", "user", "resident_id", "purpose", "granted", "ip_address")
    list_filter = ("granted", "purpose")
    date_hierarchy = "accessed_at"
    list_select_related = ("user",)
    fields = readonly_fields = ("accessed_at", "user", "resident", "purpose", "granted", "ip_address")


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("id", "unit", "room", "created_at")
    raw_id_fields = ("unit",)
    search_fields = ("room", "unit__name")
    list_select_related = ("unit",)
