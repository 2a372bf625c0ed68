"""Two residents who turn out to be one person keep one credit account (residents_merged), and a
resident with unspent credit is not erased."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from wangge.credit import actions
from wangge.credit.choices import EntryKind
from wangge.credit.models import CreditAccount, CreditLot, LedgerEntry
from wangge.credit.verify import verify_ledger
from wangge.residents.errors import OpenBusiness
from wangge.residents.models import Resident
from wangge.residents.services import anonymise_resident, link_phone

from .conftest import fund, make_account

pytestmark = pytest.mark.django_db


def merge(into: Resident, other: Resident) -> Resident:
    """``other`` proves by SMS that it holds ``into``'s phone: the two are merged into ``into``."""
    return link_phone(resident=other, phone=into.phone, verified=True)


def lots(account) -> list[tuple[int, dt.datetime | None]]:
    return sorted((lot.remaining, lot.expires_at) for lot in CreditLot.objects.filter(account=account, remaining__gt=0))


def test_an_account_of_the_merged_resident_alone_becomes_the_kept_ones(world, rules):
    kept = Resident.objects.create(name="王小明", phone="13900002222")
    account = make_account(world, phone="13900003333")
    fund(world, account, rules, points=40)

    assert merge(kept, account.resident).pk == kept.pk
    account.refresh_from_db()
    assert account.resident_id == kept.pk and account.balance == 40
    assert list(verify_ledger()) == []


def test_both_balances_end_in_one_account_with_their_expiries(world, rules):
    kept_account = make_account(world, phone="13900002222")
    other_account = make_account(world, name="王晓明", phone="13900003333", grid=1)
    fund(world, kept_account, rules, points=10)
    fund(world, other_account, rules, points=45)
    other_lots = lots(other_account)
    spend = 5  # part of one lot already spent: only the remainders move
    item = actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                                     name="肥皂", price=spend, stock=3)
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=other_account, item=item)
    other_account.refresh_from_db()
    moved_lots = lots(other_account)
    assert sum(r for r, _e in moved_lots) == 40 and moved_lots != other_lots

    merge(kept_account.resident, other_account.resident)

    kept_account.refresh_from_db()
    other_account.refresh_from_db()
    assert (kept_account.balance, other_account.balance) == (50, 0)
    # Each unspent lot moved with its own expiry; the kept account's own lot is untouched.
    assert sorted(lots(kept_account)) == sorted([*moved_lots, *lots_before_merge(kept_account)])
    out = LedgerEntry.objects.get(account=other_account, source="merge")
    assert (out.kind, out.amount) == (EntryKind.CORRECT, -40)
    assert LedgerEntry.objects.filter(account=kept_account, source="merge").count() == len(moved_lots)
    # Both ledgers still add up and their hash chains are whole.
    assert list(verify_ledger()) == []


def lots_before_merge(account) -> list[tuple[int, dt.datetime | None]]:
    return [(lot.remaining, lot.expires_at) for lot in CreditLot.objects.filter(account=account, remaining__gt=0)
            .exclude(entry__source="merge")]


def test_a_second_merge_signal_books_nothing_twice(world, rules):
    kept_account = make_account(world, phone="13900002222")
    other_account = make_account(world, name="王晓明", phone="13900003333", grid=1)
    fund(world, other_account, rules, points=20)
    merge(kept_account.resident, other_account.resident)
    booked = LedgerEntry.objects.count()

    assert actions.merge_resident_accounts(kept=kept_account.resident, merged=other_account.resident) == []
    assert LedgerEntry.objects.count() == booked
    assert CreditAccount.objects.get(pk=kept_account.pk).balance == 20


def test_a_resident_with_unspent_credit_is_not_erased(world, rules):
    account = make_account(world)
    fund(world, account, rules, points=10)
    with pytest.raises(OpenBusiness) as refused, translation.override("zh-hans"):
        anonymise_resident(resident=account.resident, actor=world.users["admin"], reason="离开本社区")
    assert [str(reason) for reason in refused.value.reasons] == ["持有未用完的积分"]
    assert Resident.objects.get(pk=account.resident_id).phone == "13900001111"

    # Spent or expired to nothing: nothing holds them any more.
    actions.expire_lots(now=timezone.now() + dt.timedelta(days=800))
    assert CreditAccount.objects.get(pk=account.pk).balance == 0
    anonymise_resident(resident=account.resident, actor=world.users["admin"], reason="离开本社区")
    assert Resident.objects.get(pk=account.resident_id).phone == ""
