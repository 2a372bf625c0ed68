"""信用积分 — the credit ledger and the credit store (德誉超市).

The ledger is append-only: every change of a balance is a new ``LedgerEntry`` (earn, spend,
expire, correct) that stores the balance after it and is hash-chained (SHA-256) to the entry
before it on its account. The account row holds the current balance (a constant-time read), the
number of entries and the hash of the newest one, so the ``verify_credit`` command also notices
entries removed from the end of a chain. On PostgreSQL a trigger refuses UPDATE and DELETE of
entries (migration 0002), but for one change: a resident's erasure (PIPL) replaces their number
and name in notes and re-seals the chain after them (``ledger.redact_chain``, migration 0006;
``LedgerRedaction`` says so on record). Earned credit is kept in lots (``CreditLot``) that expire by date;
spending takes the oldest lots first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import AccountKind, Awarder, DisputeStatus, EntryKind, RedemptionVia, RuleUnit

HASH_PREFIX = "wangge.credit.v1"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def _micros(value: dt.datetime | None):
    """Microseconds since the epoch: exact, and the same whatever the time zone it reads back in."""
    return None if value is None else (value - _EPOCH) // _MICRO


# One encoder, built once: ``json.dumps`` with options builds a new one per call (most of the cost).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def hash_content(account_id, seq, kind, amount, balance_after, rule_id, source, source_id, note, actor_id,
                 created_us, expires_us, corrects_id, prev_hash) -> str:
    """The hash of one entry from its fields, times as microseconds since the epoch (what
    ``verify_credit`` reads straight from the database)."""
    content = [HASH_PREFIX, account_id, seq, kind, amount, balance_after, rule_id, source, source_id, note,
               actor_id, created_us, expires_us, corrects_id, prev_hash or ""]
    return hashlib.sha256(_ENCODE(content).encode("utf-8")).hexdigest()


def entry_hash(*, account_id: int, seq: int, kind: str, amount: int, balance_after: int, rule_id: int | None,
               source: str, source_id: str, note: str, actor_id: int | None, created_at: dt.datetime,
               expires_at: dt.datetime | None, corrects_id: int | None, prev_hash: str) -> str:
    """SHA-256 over the canonical content of one entry and the hash of the entry before it on
    the same account ("" for the first)."""
    return hash_content(account_id, seq, kind, amount, balance_after, rule_id, source, source_id, note, actor_id,
                        _micros(created_at), _micros(expires_at), corrects_id, prev_hash)


class CreditRule(models.Model):
    """积分规则 — what earns credit, how much, and who may award it (editable in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(pgettext_lazy("credit", "description"), blank=True)
    points = models.PositiveIntegerField(_("points"))
    unit = models.CharField(_("counted"), max_length=16, choices=RuleUnit.choices, default=RuleUnit.FIXED)
    max_quantity = models.PositiveIntegerField(
        _("most units per award"), default=1, help_text=_("Hours for a per-hour rule; 1 for a per-award rule."))
    awarded_by = models.CharField(pgettext_lazy("credit", "awarded by"), max_length=16, choices=Awarder.choices, default=Awarder.CHIEF)
    expiry_months = models.PositiveIntegerField(
        _("expires after (months)"), null=True, blank=True, help_text=_("Empty: the credit never expires."))
    # Automatic awards: the domain event that books this rule (only "case_accepted" for now) and
    # the case channels that qualify (comma-separated; empty: every channel).
    trigger_event = models.CharField(_("awarded automatically on"), max_length=48, blank=True)
    trigger_channels = models.CharField(_("qualifying channels"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit rule")
        verbose_name_plural = _("credit rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="credit_rule_points_positive"),
            models.CheckConstraint(condition=Q(max_quantity__gt=0), name="credit_rule_max_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def channels(self) -> list[str]:
        return [c.strip() for c in self.trigger_channels.split(",") if c.strip()]


class CreditAccount(models.Model):
    """积分账户 — one resident's or one household's credit. ``balance`` is the sum of its entries'
    amounts (kept by the actions, checked by ``verify_credit``), never negative."""

    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    resident = models.OneToOneField(
        "residents.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_account",
        verbose_name=_("resident"))
    household = models.OneToOneField(
        "residents.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_account",
        verbose_name=_("household"))
    # Where the account sits in the territory (the household's unit, or a grid or community):
    # staff see the accounts of their territory. ``community`` groups the leaderboards and stores.
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    community = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    balance = models.BigIntegerField(_("balance"), default=0)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    last_hash = models.CharField(_("hash of the newest entry"), max_length=64, blank=True)
    leaderboard_opt_in = models.BooleanField(_("shown on the leaderboard"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="credit_account_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind=AccountKind.RESIDENT, resident__isnull=False, household__isnull=True)
                           | Q(kind=AccountKind.HOUSEHOLD, household__isnull=False, resident__isnull=True)),
                name="credit_account_one_holder"),
        ]
        indexes = [models.Index(fields=["community", "leaderboard_opt_in", "balance"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.holder_label}"

    @property
    def holder_label(self) -> str:
        """The holder, masked (张** / 138****1234), or the household's address (和顺西里1号楼1单元 301)."""
        if self.kind == AccountKind.RESIDENT and self.resident is not None:
            return str(self.resident)
        if self.household is None:
            return f"#{self.pk}"
        return household_address(self.household, fallback=self.region)


def _run_on(first: str, second: str) -> str:
    """Two place names as one address: the unit "1号楼1单元" continues the building "和顺西里1号楼"
    (→ 和顺西里1号楼1单元) instead of repeating its number."""
    for k in range(min(len(first), len(second)), 1, -1):
        if first.endswith(second[:k]):
            return first + second[k:]
    return f"{first} {second}"


def household_address(household, *, fallback=None) -> str:
    """户的地址 — building, unit and room of a household, as residents write it. The household's
    unit (or building) gives the place; without one, ``fallback`` (the account's place) when it is a
    building or unit, else the community; the room alone only when nothing else is known."""
    from wangge.org.choices import RegionLevel

    levels = (RegionLevel.BUILDING, RegionLevel.UNIT)
    node = household.unit
    if node is None and fallback is not None:
        node = fallback if fallback.level in levels else fallback.ancestor_at(RegionLevel.COMMUNITY)
    place = ""
    if node is not None:
        place = node.name
        if node.level == RegionLevel.UNIT:
            building = node.ancestor_at(RegionLevel.BUILDING)
            if building is not None:
                place = _run_on(building.name, node.name)
    return " ".join(p for p in (place, household.room) if p) or f"#{household.pk}"


class LedgerEntry(models.Model):
    """积分流水 — one change of an account's balance. Never updated or deleted: a mistake is put
    right by a reversing ``correct`` entry (PIPL erasure may redact the note: ``ledger.redact_chain``). ``(account, source, source_id)`` is unique, so the same
    award (or spend, or expiry) is never booked twice."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=pgettext_lazy("credit", "account"))
    seq = models.PositiveIntegerField(_("number in the account"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("amount"))
    balance_after = models.BigIntegerField(_("balance after"))
    rule = models.ForeignKey(CreditRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("rule"))
    source = models.CharField(_("source"), max_length=40)
    source_id = models.CharField(_("source id"), max_length=80)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("booked by"))
    created_at = models.DateTimeField(_("booked at"), default=timezone.now, db_index=True)
    # An earning lot's expiry (earn entries and positive corrections).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("corrects"))
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["account_id", "seq"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="credit_entry_balance_not_negative"),
            models.CheckConstraint(condition=~Q(amount=0), name="credit_entry_amount_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind=EntryKind.EARN, amount__gt=0) | Q(kind__in=[EntryKind.SPEND, EntryKind.EXPIRE],
                                                                   amount__lt=0) | Q(kind=EntryKind.CORRECT)),
                name="credit_entry_sign_by_kind"),
            models.UniqueConstraint(fields=["account", "seq"], name="credit_entry_unique_seq"),
            models.UniqueConstraint(fields=["account", "source", "source_id"], name="credit_entry_idempotency"),
        ]
        indexes = [models.Index(fields=["created_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d} → {self.balance_after}"

    def compute_hash(self) -> str:
        return entry_hash(account_id=self.account_id, seq=self.seq, kind=self.kind, amount=self.amount,
                          balance_after=self.balance_after, rule_id=self.rule_id, source=self.source,
                          source_id=self.source_id, note=self.note, actor_id=self.actor_id,
                          created_at=self.created_at, expires_at=self.expires_at, corrects_id=self.corrects_id,
                          prev_hash=self.prev_hash)


class CreditLot(models.Model):
    """积分批次 — the credit one positive entry brought, and how much of it is left. Spending takes
    the oldest lots first; the expiry job books an ``expire`` entry for what is left of a lot past
    its date. The sum of an account's lots' ``remaining`` is its balance."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="lots",
                                verbose_name=pgettext_lazy("credit", "account"))
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="lot", verbose_name=_("entry"))
    amount = models.BigIntegerField(_("amount"))
    remaining = models.BigIntegerField(_("remaining"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit lot")
        verbose_name_plural = _("credit lots")
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("amount")),
                                   name="credit_lot_remaining_in_range"),
        ]
        indexes = [
            models.Index(fields=["account", "remaining"]),
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="credit_lot_open_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.amount}"


class Merchant(models.Model):
    """合作商家 — a shop that hands out store items against a resident's redemption code (核销).
    Its staff member signs in with an account that has no territory role."""

    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_merchant",
                                verbose_name=_("sign-in account"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


class StoreItem(models.Model):
    """德誉超市商品 — an item of a community's credit store, with its price in credit and its stock.
    With a merchant, the merchant hands it out (against a code); without, the community counter."""

    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="items",
                                 verbose_name=_("merchant"))
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(pgettext_lazy("credit", "description"), max_length=300, blank=True)
    price = models.PositiveIntegerField(_("price (credit)"))
    stock = models.IntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("store item")
        verbose_name_plural = _("store items")
        ordering = ["community_id", "price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="credit_item_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="credit_item_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionCode(models.Model):
    """兑换码 — a short-lived code a resident makes on their phone page for one item; a merchant
    (or the counter) enters it to hand the item out. Used once."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="codes",
                                verbose_name=pgettext_lazy("credit", "account"))
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="codes", verbose_name=_("item"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption code")
        verbose_name_plural = _("redemption codes")

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    """兑换 — one item handed out for credit: the stock taken and the spend entry, together."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="redemptions",
                                verbose_name=pgettext_lazy("credit", "account"))
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("item"))
    price = models.PositiveIntegerField(_("price (credit)"))
    via = models.CharField(_("via"), max_length=16, choices=RedemptionVia.choices)
    code = models.OneToOneField(RedemptionCode, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="redemption", verbose_name=_("code"))
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("merchant"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("handed out by"))
    created_at = models.DateTimeField(_("redeemed at"), default=timezone.now, db_index=True)
    # The form's or API client's key: the same request sent twice hands out one item.
    request_key = models.CharField(_("request key"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item} · {self.price}"


class CreditDispute(models.Model):
    """积分申诉 — a holder's objection to one entry of their account, made on their phone page.
    Community staff resolve it by correcting the entry (更正) or by a reply; the holder sees where
    it stands. An entry has at most one open dispute at a time."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="disputes",
                                verbose_name=pgettext_lazy("credit", "account"))
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="disputes",
                              verbose_name=_("entry"))
    reason = models.CharField(_("what is wrong"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    reply = models.CharField(_("reply"), max_length=300, blank=True)
    correction = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("correction"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))

    class Meta:
        verbose_name = _("credit dispute")
        verbose_name_plural = _("credit disputes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=Q(status=DisputeStatus.OPEN),
                                    name="credit_dispute_one_open_per_entry"),
            models.CheckConstraint(condition=Q(status=DisputeStatus.OPEN, resolved_at__isnull=True)
                                   | (~Q(status=DisputeStatus.OPEN) & Q(resolved_at__isnull=False)),
                                   name="credit_dispute_resolved_when_closed"),
            models.CheckConstraint(condition=~Q(status=DisputeStatus.CORRECTED) | Q(correction__isnull=False),
                                   name="credit_dispute_corrected_has_correction"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.get_status_display()}"


class LedgerRedaction(models.Model):
    """个人信息删除记录 — a resident's erasure (PIPL) changed texts on an account's record: their
    number and name now read 〔已删除〕. Says which entries (and fields), which disputes and how
    many notices changed, and which entries did not verify before the chain was re-sealed
    (``verify_credit`` goes on reporting those) — never the words. Append-only, like the ledger
    (PostgreSQL trigger, migration 0006)."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="redactions",
                                verbose_name=pgettext_lazy("credit", "account"))
    created_at = models.DateTimeField(_("erased at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("erased by"))
    # {"812": ["note"]}: the entries changed, by id, and their fields; the chain re-sealed after them.
    entries = models.JSONField(_("entries changed"), default=dict, blank=True)
    # {"31": ["reason", "reply"]}: the disputes changed, by id, and their fields.
    disputes = models.JSONField(_("disputes changed"), default=dict, blank=True)
    notices = models.PositiveIntegerField(_("notices changed"), default=0)
    unverified = models.JSONField(_("entries that did not verify before"), default=list, blank=True)

    class Meta:
        verbose_name = _("personal data erased from the ledger")
        verbose_name_plural = _("personal data erased from the ledger")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.account_id} · {self.created_at:%Y-%m-%d}"
