"""Scoped reads of the credit ledger and the store. Holders' names are masked here, always."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.db import models
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.org.scope import Scope
from wangge.residents.masking import mask_name

from .choices import AccountKind, Awarder, DisputeStatus, EntryKind
from .errors import AccountNotFound, ItemNotFound
from .models import CreditAccount, CreditDispute, CreditRule, LedgerEntry, StoreItem
from .permissions import COMMUNITY_ROLES, COUNTER_ROLES, DESK_ROLES

MOBILE = re.compile(r"1[3-9]\d{9}")


def accounts_visible_to(user) -> QuerySet[CreditAccount]:
    """The accounts in ``user``'s territory (chiefs, grid workers, community staff)."""
    if not getattr(user, "is_authenticated", False):
        return CreditAccount.objects.none()
    qs = CreditAccount.objects.select_related("resident", "household", "household__unit", "community", "region")
    scope = Scope.of(user)
    if not scope.everything and not scope.has_any(DESK_ROLES):
        return qs.none()
    return scope.restrict(qs, roles=DESK_ROLES, fields=None, region_field="region")


def account_for(user, pk) -> CreditAccount:
    """One account ``user`` may see; ``AccountNotFound`` for a missing or invisible one."""
    from wangge.core.http import row_id

    pk = row_id(pk)
    account = accounts_visible_to(user).filter(pk=pk).first() if pk else None
    if account is None:
        raise AccountNotFound()
    return account


def account_by_phone(user, phone: str) -> CreditAccount | None:
    """The account of the resident with exactly this (normalised) phone, within ``user``'s
    territory — a whole number looks up one account, never a list to browse."""
    from wangge.residents.masking import normalise_phone, valid_phone

    if not valid_phone(phone):
        return None
    return accounts_visible_to(user).filter(resident__phone=normalise_phone(phone)).first()


def entries_of(account: CreditAccount, *, limit: int | None = 100) -> list[LedgerEntry]:
    qs = LedgerEntry.objects.filter(account=account).select_related("rule", "actor").order_by("-seq")
    return list(qs[:limit] if limit else qs)


def awardable_rules(user) -> QuerySet[CreditRule]:
    """The active rules a staff member may award by hand (the automatic ones are left out)."""
    return CreditRule.objects.filter(is_active=True).exclude(awarded_by=Awarder.SYSTEM).order_by("code")


def _communities_reached(user, roles) -> QuerySet[Region]:
    scope = Scope.of(user)
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True)
    if scope.everything:
        return communities
    q = Q(pk__in=[])
    for region in scope.regions_for(roles):
        # The communities inside the user's territory, or the one the user's grid lies in.
        q |= Q(path__startswith=region.path)
        community = region.ancestor_at(RegionLevel.COMMUNITY) if region.level != RegionLevel.COMMUNITY else None
        if community is not None:
            q |= Q(pk=community.pk)
    return communities.filter(q)


def communities_for(user) -> list[Region]:
    return list(_communities_reached(user, DESK_ROLES).order_by("path"))


def items_visible_to(user) -> QuerySet[StoreItem]:
    """The store items of the communities ``user`` works in (counter staff and community staff)."""
    if not getattr(user, "is_authenticated", False):
        return StoreItem.objects.none()
    return StoreItem.objects.filter(community__in=_communities_reached(user, COUNTER_ROLES | DESK_ROLES)
                                    ).select_related("community", "merchant")


def item_for(user, pk) -> StoreItem:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ItemNotFound() from None
    item = items_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise ItemNotFound()
    return item


def store_of(community_id: int) -> QuerySet[StoreItem]:
    """What a resident of the community may choose from (on sale, in stock first)."""
    return StoreItem.objects.filter(community_id=community_id, is_active=True).order_by("-stock", "price", "name")


def holder_label(account: CreditAccount) -> str:
    """The holder, masked: 张** for a resident, the household's address for a household."""
    return account.holder_label


def holder_residents(account: CreditAccount) -> list:
    """The people who hold ``account``: its resident, or the household's members (in use, oldest
    first)."""
    from wangge.residents.models import Resident

    if account.kind == AccountKind.HOUSEHOLD:
        if account.household_id is None:
            return []
        return list(Resident.objects.filter(household_id=account.household_id, merged_into__isnull=True,
                                            anonymised_at__isnull=True).order_by("pk"))
    resident = account.resident
    return [resident] if resident is not None and not resident.merged_into_id and not resident.anonymised_at else []


def holder_phones(account: CreditAccount) -> list[str]:
    """The holders' mobile numbers (normalised, each once): where their messages go."""
    from wangge.residents.masking import normalise_phone

    phones = []
    for resident in holder_residents(account):
        phone = normalise_phone(resident.phone or "")
        if MOBILE.fullmatch(phone) and phone not in phones:
            phones.append(phone)
    return phones


def disputes_of(account: CreditAccount) -> list[CreditDispute]:
    """The account's disputes, open ones first, then the newest."""
    return list(CreditDispute.objects.filter(account=account).select_related("entry", "entry__rule", "resolved_by")
                .order_by(models.Case(models.When(status=DisputeStatus.OPEN, then=0), default=1), "-created_at"))


def open_disputes_for(user) -> QuerySet[CreditDispute]:
    """The open disputes of the accounts ``user`` may correct (community staff), oldest first."""
    if not getattr(user, "is_authenticated", False):
        return CreditDispute.objects.none()
    scope = Scope.of(user)
    if not scope.everything and not scope.has_any(COMMUNITY_ROLES):
        return CreditDispute.objects.none()
    accounts = scope.restrict(CreditAccount.objects.all(), roles=COMMUNITY_ROLES, fields=None, region_field="region")
    return (CreditDispute.objects.filter(status=DisputeStatus.OPEN, account__in=accounts)
            .select_related("account", "account__resident", "account__household", "account__household__unit",
                            "account__region", "entry").order_by("created_at"))


def leaderboard(community_id: int, *, limit: int = 20) -> list[dict]:
    """积分榜 — the residents of a community who chose to appear, by credit earned (spending does
    not lower a place), names masked. Accounts that did not opt in never appear."""
    rows = (LedgerEntry.objects.filter(account__community_id=community_id, account__leaderboard_opt_in=True,
                                       account__kind=AccountKind.RESIDENT, kind=EntryKind.EARN)
            .values("account_id", "account__resident__name").annotate(earned=Sum("amount"))
            .order_by("-earned", "account_id")[:limit])
    return [{"rank": i, "account_id": r["account_id"], "name": mask_name(r["account__resident__name"]) or "—",
             "earned": r["earned"]} for i, r in enumerate(rows, start=1)]


def figures(user, *, months: int = 12, now: dt.datetime | None = None) -> dict:
    """信用积分 figures: credit earned, spent, expired and corrected by month and community, in
    ``user``'s territory. Every entry falls in one column, so earned − spent − expired + corrected
    is the change of the balances over the period (``net``); ``balances`` is what the accounts of
    the territory hold now, and ``before`` what they held when the period began."""
    now = now or timezone.now()
    since = (now - dt.timedelta(days=31 * months)).replace(day=1)
    scope = Scope.of(user)
    entries = LedgerEntry.objects.filter(created_at__gte=since)
    q = scope.region_filter(roles=DESK_ROLES, prefix="account__", fields=None, region_field="region")
    if q is not None:
        entries = entries.filter(q)
    earned = Sum("amount", filter=Q(kind=EntryKind.EARN))
    spent = Sum("amount", filter=Q(kind=EntryKind.SPEND))
    expired = Sum("amount", filter=Q(kind=EntryKind.EXPIRE))
    corrected = Sum("amount", filter=Q(kind=EntryKind.CORRECT))
    rows = (entries.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
            .values("month", "account__community_id", "account__community__name")
            .annotate(earned=earned, spent=spent, expired=expired, corrected=corrected)
            .order_by("month", "account__community__name"))
    table = []
    by_month: dict[str, dict] = defaultdict(lambda: {"earned": 0, "spent": 0})
    for r in rows:
        month = r["month"].strftime("%Y-%m") if r["month"] else ""
        row = {"month": month, "community": r["account__community__name"], "earned": r["earned"] or 0,
               "spent": -(r["spent"] or 0), "expired": -(r["expired"] or 0), "corrected": r["corrected"] or 0}
        row["net"] = row["earned"] - row["spent"] - row["expired"] + row["corrected"]
        table.append(row)
        by_month[month]["earned"] += row["earned"]
        by_month[month]["spent"] += row["spent"]
    totals = {key: sum(r[key] for r in table) for key in ("earned", "spent", "expired", "corrected", "net")}
    accounts = CreditAccount.objects.all()
    q = scope.region_filter(roles=DESK_ROLES, fields=None, region_field="region")
    if q is not None:
        accounts = accounts.filter(q)
    balances = accounts.aggregate(total=Sum("balance"))["total"] or 0
    return {"rows": table, "months": sorted(by_month), "by_month": dict(by_month), "totals": totals,
            "balances": balances, "before": balances - totals["net"]}
