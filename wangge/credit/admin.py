"""Admin: rules and merchants are edited here; accounts, entries, lots, codes and redemptions are
read-only, and so are disputes and the records of erasures — they change only through the actions
(the ledger is append-only)."""

from __future__ import annotations

from django.contrib import admin

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin

from .models import (
    CreditAccount,
    CreditDispute,
    CreditLot,
    CreditRule,
    LedgerEntry,
    LedgerRedaction,
    Merchant,
    Redemption,
    RedemptionCode,
    StoreItem,
)


@admin.register(CreditRule)
class CreditRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "points", "unit", "awarded_by", "expiry_months", "trigger_event", "is_active"]
    list_filter = ["awarded_by", "unit", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "user", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["user", "community"]


@admin.register(StoreItem)
class StoreItemAdmin(admin.ModelAdmin):
    """Name, description and sale status are edited here; stock only through restocking (the
    store page), so a redemption's stock change is never overwritten by a stale form."""

    list_display = ["name", "community", "merchant", "price", "stock", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["stock"]
    raw_id_fields = ["community", "merchant"]


@admin.register(CreditAccount)
class CreditAccountAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "kind", "__str__", "community", "balance", "entry_count", "leaderboard_opt_in"]
    list_filter = ["kind", "leaderboard_opt_in"]
    list_select_related = ["resident", "household", "community"]
    exclude = ["resident"]  # the holder is shown masked (``__str__``), never the raw name


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "seq", "kind", "amount", "balance_after", "rule", "source", "created_at"]
    list_filter = ["kind", "source"]
    date_hierarchy = "created_at"


@admin.register(CreditLot)
class CreditLotAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "entry_id", "amount", "remaining", "expires_at"]


@admin.register(RedemptionCode)
class RedemptionCodeAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "item", "created_at", "expires_at", "used_at"]
    exclude = ["code"]  # a live code is as good as the credit


@admin.register(Redemption)
class RedemptionAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "item", "price", "via", "merchant", "actor", "created_at"]
    list_filter = ["via"]
    date_hierarchy = "created_at"


@admin.register(CreditDispute)
class CreditDisputeAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "entry_id", "status", "created_at", "resolved_at", "resolved_by"]
    list_filter = ["status"]
    date_hierarchy = "created_at"


@admin.register(LedgerRedaction)
class LedgerRedactionAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "account_id", "created_at", "actor", "notices"]
    date_hierarchy = "created_at"
