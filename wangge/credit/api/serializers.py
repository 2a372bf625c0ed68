"""What the credit API shows: holders masked, never the raw name or phone."""

from __future__ import annotations

from rest_framework import serializers

from wangge.core.api import InputSerializer

from ..models import CreditAccount, CreditRule, LedgerEntry, Redemption, StoreItem


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRule
        fields = ["id", "code", "name", "description", "points", "unit", "max_quantity", "awarded_by",
                  "expiry_months", "trigger_event", "trigger_channels", "is_active"]


class AccountSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder_label", read_only=True, help_text="Masked (张** / the household's place).")
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = CreditAccount
        fields = ["id", "kind", "holder", "region", "community", "community_name", "balance", "entry_count",
                  "leaderboard_opt_in", "created_at"]


class EntrySerializer(serializers.ModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "account", "seq", "kind", "amount", "balance_after", "rule", "source", "source_id", "note",
                  "actor", "created_at", "expires_at", "corrects", "prev_hash", "hash"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = StoreItem
        fields = ["id", "community", "merchant", "name", "description", "price", "stock", "is_active"]


class RedemptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Redemption
        fields = ["id", "account", "item", "price", "via", "merchant", "actor", "created_at"]


class AwardInput(InputSerializer):
    rule = serializers.SlugField(max_length=40, help_text="The rule's code.")
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1, help_text="Hours, for a per-hour rule.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    request_key = serializers.CharField(max_length=64, help_text="The same key again books nothing more.")


class CorrectInput(InputSerializer):
    reason = serializers.CharField(max_length=200)


class CounterInput(InputSerializer):
    account = serializers.IntegerField(min_value=1)
    request_key = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CodeInput(InputSerializer):
    code = serializers.CharField(max_length=20)
