"""The ledger: awards (allowed and refused), idempotency, never below zero, corrections, expiry by
lot, the hash chain and ``verify_credit``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from wangge.core.errors import Forbidden, InvalidInput, InvalidState
from wangge.credit import actions
from wangge.credit.choices import EntryKind
from wangge.credit.errors import NotEnoughCredit
from wangge.credit.models import CreditLot, LedgerEntry, Redemption
from wangge.credit.verify import Problem, verify_ledger

from .conftest import fund, key, make_account


def balance_from_entries(account) -> int:
    return LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0


def lots_left(account) -> int:
    return CreditLot.objects.filter(account=account).aggregate(s=Sum("remaining"))["s"] or 0


# --- awards -----------------------------------------------------------------------------------


def test_the_secretary_awards_volunteering_hours(world, rules, account):
    entry = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                                 quantity=3, note="敬老院帮厨", request_key=key())
    account.refresh_from_db()
    assert (entry.kind, entry.amount, entry.balance_after, entry.seq) == (EntryKind.EARN, 15, 15, 1)
    assert entry.expires_at is not None and entry.expires_at > timezone.now() + dt.timedelta(days=360)
    assert account.balance == 15 == balance_from_entries(account) == lots_left(account)
    assert account.last_hash == entry.hash and entry.prev_hash == ""


def test_a_grid_worker_awards_a_chief_rule_in_their_own_grid_only(world, rules, account):
    entry = actions.award_credit(actor=world.users["worker_a1"], account=account, rule=rules["stairwell"],
                                 request_key=key())
    assert entry.amount == 20
    with pytest.raises(Forbidden):  # another community's grid worker
        actions.award_credit(actor=world.users["worker_b1"], account=account, rule=rules["stairwell"],
                             request_key=key())
    with pytest.raises(Forbidden):  # a community-only rule
        actions.award_credit(actor=world.users["worker_a1"], account=account, rule=rules["volunteer"],
                             request_key=key())
    with pytest.raises(Forbidden):  # the other community's secretary
        actions.award_credit(actor=world.users["secretary_b"], account=account, rule=rules["stairwell"],
                             request_key=key())
    with pytest.raises(Forbidden):  # an automatic rule is never awarded by hand
        actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["hazard"],
                             request_key=key())
    account.refresh_from_db()
    assert account.balance == 20 and account.entry_count == 1


@pytest.mark.parametrize("quantity,rule", [(0, "volunteer"), (9, "volunteer"), ("x", "volunteer"), (2, "stairwell")])
def test_a_bad_quantity_is_refused_and_nothing_is_booked(world, rules, account, quantity, rule):
    with pytest.raises(InvalidInput):
        actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules[rule],
                             quantity=quantity, request_key=key())
    assert not LedgerEntry.objects.exists()


def test_an_inactive_rule_or_a_missing_key_is_refused(world, rules, account):
    with pytest.raises(InvalidInput):
        actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["stairwell"],
                             request_key="  ")
    rules["stairwell"].is_active = False
    rules["stairwell"].save()
    with pytest.raises(InvalidState):
        actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["stairwell"],
                             request_key=key())
    assert not LedgerEntry.objects.exists()


def test_the_same_award_twice_books_once(world, rules, account):
    first = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["stairwell"],
                                 request_key="form-1")
    again = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["stairwell"],
                                 request_key="form-1")
    account.refresh_from_db()
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert account.balance == 20 and LedgerEntry.objects.count() == 1


# --- never below zero ---------------------------------------------------------------------------


def test_the_ledger_refuses_to_go_negative_and_writes_nothing(world, rules, account, item):
    fund(world, account, rules, points=20)
    with pytest.raises(NotEnoughCredit) as refused:
        actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    assert "balance" in str(refused.value.message).lower() or "积分" in str(refused.value.message)
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, account.entry_count, item.stock) == (20, 1, 5)
    assert not Redemption.objects.exists()


def test_the_database_refuses_a_negative_balance_too(world, rules, account):
    from django.db import IntegrityError

    fund(world, account, rules, points=10)
    entry = LedgerEntry(account=account, seq=99, kind=EntryKind.SPEND, amount=-50, balance_after=-40,
                        source="x", source_id="1", hash="0")
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_a_counter_redemption_takes_stock_and_credit_together(world, rules, account, item):
    fund(world, account, rules, points=40)
    redemption = actions.redeem_at_counter(actor=world.users["worker_a1"], account=account, item=item,
                                           request_key="r-1")
    again = actions.redeem_at_counter(actor=world.users["worker_a1"], account=account, item=item, request_key="r-1")
    account.refresh_from_db()
    item.refresh_from_db()
    assert again.pk == redemption.pk and again.replayed
    assert (account.balance, item.stock) == (10, 4)
    spend = LedgerEntry.objects.get(kind=EntryKind.SPEND)
    assert (spend.amount, spend.source, spend.source_id) == (-30, "redemption", str(redemption.pk))
    assert account.balance == balance_from_entries(account) == lots_left(account)


def test_the_counter_of_another_community_is_refused(world, rules, account, item):
    fund(world, account, rules, points=40)
    with pytest.raises(Forbidden):
        actions.redeem_at_counter(actor=world.users["worker_b1"], account=account, item=item)
    with pytest.raises(Forbidden):
        actions.redeem_at_counter(actor=world.users["clerk"], account=account, item=item)


def test_an_item_out_of_stock_is_refused(world, rules, account, item):
    from wangge.credit.errors import OutOfStock

    fund(world, account, rules, points=40)
    actions.restock_item(actor=world.users["secretary_a"], item=item, add=-5)
    with pytest.raises(OutOfStock):
        actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    account.refresh_from_db()
    assert account.balance == 40 and not Redemption.objects.exists()


# --- corrections ---------------------------------------------------------------------------------


def test_a_correction_is_a_reversing_entry_never_an_edit(world, rules, account):
    wrong = actions.award_credit(actor=world.users["worker_a1"], account=account, rule=rules["stairwell"],
                                 request_key=key())
    stored = LedgerEntry.objects.filter(pk=wrong.pk).values().get()
    fix = actions.correct_entry(actor=world.users["secretary_a"], entry=wrong, reason="评错了楼道")
    account.refresh_from_db()
    assert (fix.kind, fix.amount, fix.balance_after, fix.corrects_id, fix.note) == (
        EntryKind.CORRECT, -20, 0, wrong.pk, "评错了楼道")
    assert LedgerEntry.objects.filter(pk=wrong.pk).values().get() == stored  # untouched
    assert account.balance == 0 and account.entry_count == 2
    with pytest.raises(InvalidState):  # once only
        actions.correct_entry(actor=world.users["secretary_a"], entry=wrong, reason="again")
    with pytest.raises(InvalidState):  # a correction is not corrected
        actions.correct_entry(actor=world.users["secretary_a"], entry=fix, reason="undo")


def test_a_correction_needs_community_staff_a_reason_and_the_credit_still_there(world, rules, account, item):
    earned = fund(world, account, rules, points=40)[0]
    with pytest.raises(Forbidden):
        actions.correct_entry(actor=world.users["worker_a1"], entry=earned, reason="x")
    with pytest.raises(InvalidInput):
        actions.correct_entry(actor=world.users["secretary_a"], entry=earned, reason="")
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    with pytest.raises(NotEnoughCredit):  # 10 left: the 40 earned cannot be taken back
        actions.correct_entry(actor=world.users["secretary_a"], entry=earned, reason="录错")
    account.refresh_from_db()
    assert account.balance == 10 and account.entry_count == 2


def test_a_spend_is_corrected_by_a_refund(world, rules, account, item):
    fund(world, account, rules, points=40)
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    spend = LedgerEntry.objects.get(kind=EntryKind.SPEND)
    refund = actions.correct_entry(actor=world.users["secretary_a"], entry=spend, reason="商品有破损")
    account.refresh_from_db()
    assert refund.amount == 30 and account.balance == 40 == lots_left(account)


# --- expiry by lot -------------------------------------------------------------------------------


def test_expiry_books_exactly_the_unspent_remainder_of_each_lot(world, rules, account, item):
    hours = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                                 quantity=8, request_key=key())  # 40, expires in 12 months
    actions.award_credit(actor=world.users["worker_a1"], account=account, rule=rules["stairwell"],
                         request_key=key())  # 20, never expires
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)  # 30 from the oldest
    assert CreditLot.objects.get(entry=hours).remaining == 10
    assert actions.expire_lots(now=timezone.now() + dt.timedelta(days=200)) == 0  # not yet
    later = timezone.now() + dt.timedelta(days=400)
    assert actions.expire_lots(now=later) == 1
    assert actions.expire_lots(now=later) == 0  # a second run books nothing more
    expired = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
    account.refresh_from_db()
    assert (expired.amount, expired.balance_after, expired.source_id) == (-10, 20, str(hours.pk))
    assert account.balance == 20 == balance_from_entries(account) == lots_left(account)
    assert list(verify_ledger()) == []


def test_spending_takes_the_oldest_lots_first(world, rules, account, item):
    first = actions.award_credit(actor=world.users["worker_a1"], account=account, rule=rules["stairwell"],
                                 request_key=key())
    second = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                                  quantity=4, request_key=key())
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    assert CreditLot.objects.get(entry=first).remaining == 0
    assert CreditLot.objects.get(entry=second).remaining == 10


# --- the hash chain ------------------------------------------------------------------------------


def _raw_update(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # (deferred FK checks first: ALTER refuses pending ones)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE credit_ledgerentry DISABLE TRIGGER credit_ledger_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE credit_ledgerentry ENABLE TRIGGER credit_ledger_append_only")


def test_an_intact_ledger_verifies(world, rules, account, item):
    fund(world, account, rules, points=60)
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    other = make_account(world, name="李四", phone="13900002222", grid=1)
    fund(world, other, rules, points=10)
    call_command("verify_credit")  # no CommandError
    assert list(verify_ledger()) == []


def test_an_entry_edited_in_the_database_is_caught_by_verify(world, rules, account):
    entries = fund(world, account, rules, points=100)
    _raw_update("UPDATE credit_ledgerentry SET amount = amount + 100, balance_after = balance_after + 100 "
                "WHERE id = %s", [entries[0].pk])
    problems = list(verify_ledger())
    assert (entries[0].pk, Problem.ALTERED) in [(p.entry_id, p.problem) for p in problems]
    with pytest.raises(CommandError):
        call_command("verify_credit")


def test_an_entry_removed_from_the_end_is_caught_by_verify(world, rules, account):
    entries = fund(world, account, rules, points=100)
    with connection.cursor() as cursor:  # the lot goes too, so only the chain can tell
        cursor.execute("DELETE FROM credit_creditlot WHERE entry_id = %s", [entries[-1].pk])
    _raw_update("DELETE FROM credit_ledgerentry WHERE id = %s", [entries[-1].pk])
    # The account still says 100 and 3 entries; its lots hold 60 (the removed lot went too).
    assert {(p.account_id, p.problem) for p in verify_ledger()} == {(account.pk, Problem.ACCOUNT),
                                                                    (account.pk, Problem.LOTS)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_an_entry(world, rules, account):
    from django.db.utils import DatabaseError

    entry = fund(world, account, rules, points=10)[0]
    for sql in ("UPDATE credit_ledgerentry SET amount = 999 WHERE id = %s", "DELETE FROM credit_ledgerentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 10


def test_an_entry_removed_from_the_middle_is_caught_where_it_was(world, rules, account):
    entries = fund(world, account, rules, points=100)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM credit_creditlot WHERE entry_id = %s", [entries[1].pk])
    _raw_update("DELETE FROM credit_ledgerentry WHERE id = %s", [entries[1].pk])
    problems = {(p.entry_id, p.problem) for p in verify_ledger()}
    assert (entries[2].pk, Problem.MISSING) in problems
