"""A resident erased (PIPL) is erased from what the credit desk wrote about them: their number and
name go from their entries' notes and their disputes, the hash chain is re-sealed so
``verify_credit`` still passes, and the account says on record that it happened (which rows,
never the words). Amounts, balances and other accounts stay as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from wangge.core.actors import Actor
from wangge.credit import actions
from wangge.credit.models import CreditAccount, CreditDispute, LedgerEntry, LedgerRedaction
from wangge.credit.verify import Problem, verify_ledger
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident

from .conftest import key, make_account

pytestmark = pytest.mark.django_db


def award(world, account, rules, note: str) -> LedgerEntry:
    return actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                                note=note, request_key=key())


@pytest.fixture
def ledger(world, rules):
    """王小明 (13900001111): three entries, two of them quoting him (and his neighbour 李四's
    number), a dispute and its answer quoting him; his credit then expired, so he may be erased.
    李四 (13900002222) has an account of his own whose note quotes 王小明."""
    mine = make_account(world)
    entries = [
        award(world, mine, rules, "王小明打扫楼道，邻居李四(13900002222)作证"),
        award(world, mine, rules, "志愿活动"),
        award(world, mine, rules, "电话 139-0000-1111 报名"),
    ]
    dispute = actions.dispute_entry(actor=Actor.of_resident(mine.resident), account=mine, entry=entries[1],
                                    reason="我是王小明，这次应该算两次，有事打+86 13900001111")
    actions.resolve_dispute(actor=world.users["secretary_a"], dispute=dispute, reply="王小明您好：只算一次",
                            correct=False)
    theirs = make_account(world, name="李四", phone="13900002222", grid=1)
    their_entry = award(world, theirs, rules, "和王小明一起打扫楼道")
    actions.expire_lots(now=timezone.now() + dt.timedelta(days=800))  # nothing left to spend: may be erased
    return mine, entries, dispute, theirs, their_entry


def erase(world, account):
    anonymise_resident(resident=account.resident, actor=world.users["admin"], reason="本人申请删除")


def notes(account) -> list[str]:
    return list(LedgerEntry.objects.filter(account=account).order_by("seq").values_list("note", flat=True))


def test_the_erased_number_and_name_go_from_their_notes_and_disputes(world, ledger):
    mine, entries, dispute, _theirs, _their_entry = ledger
    amounts = list(LedgerEntry.objects.filter(account=mine).order_by("seq").values_list("amount", "balance_after"))
    erase(world, mine)
    assert notes(mine)[:3] == [f"{ERASED_MARK}打扫楼道，邻居李四(13900002222)作证", "志愿活动",
                               f"电话 {ERASED_MARK} 报名"]
    dispute.refresh_from_db()
    assert (dispute.reason, dispute.reply) == (f"我是{ERASED_MARK}，这次应该算两次，有事打{ERASED_MARK}",
                                               f"{ERASED_MARK}您好：只算一次")
    # The figures are as they were.
    assert list(LedgerEntry.objects.filter(account=mine).order_by("seq")
                .values_list("amount", "balance_after")) == amounts
    assert CreditAccount.objects.get(pk=mine.pk).balance == 0


def test_the_ledger_still_verifies_and_the_erasure_is_on_record(world, ledger):
    mine, entries, dispute, _theirs, _their_entry = ledger
    erase(world, mine)
    assert list(verify_ledger()) == []
    call_command("verify_credit")  # no CommandError
    record = LedgerRedaction.objects.get(account=mine)
    assert record.entries == {str(entries[0].pk): ["note"], str(entries[2].pk): ["note"]}
    assert record.disputes == {str(dispute.pk): ["reason", "reply"]}
    assert record.unverified == [] and record.actor == world.users["admin"]
    words = f"{record.entries} {record.disputes} {record.unverified}"
    assert "王小明" not in words and "1111" not in words


def test_another_accounts_chain_and_notes_are_untouched(world, ledger):
    mine, _entries, _dispute, theirs, their_entry = ledger
    before = list(LedgerEntry.objects.filter(account=theirs).order_by("seq").values_list("note", "hash"))
    head = CreditAccount.objects.get(pk=theirs.pk).last_hash
    erase(world, mine)
    assert list(LedgerEntry.objects.filter(account=theirs).order_by("seq").values_list("note", "hash")) == before
    assert CreditAccount.objects.get(pk=theirs.pk).last_hash == head
    assert not LedgerRedaction.objects.filter(account=theirs).exists()


def test_an_account_that_never_quoted_them_is_not_rewritten(world, rules):
    account = make_account(world)
    award(world, account, rules, "打扫楼道")
    actions.expire_lots(now=timezone.now() + dt.timedelta(days=800))
    before = list(LedgerEntry.objects.filter(account=account).values_list("pk", "hash"))
    erase(world, account)
    assert list(LedgerEntry.objects.filter(account=account).values_list("pk", "hash")) == before
    assert not LedgerRedaction.objects.exists()


def _tamper(entry_id: int, amount: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # (deferred FK checks first: ALTER refuses pending ones)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE credit_ledgerentry DISABLE TRIGGER credit_ledger_append_only")
        cursor.execute("UPDATE credit_ledgerentry SET amount = %s WHERE id = %s", [amount, entry_id])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE credit_ledgerentry ENABLE TRIGGER credit_ledger_append_only")


def test_an_entry_tampered_with_before_the_erasure_is_still_reported(world, ledger):
    mine, entries, _dispute, _theirs, _their_entry = ledger
    _tamper(entries[1].pk, 40)  # after the first entry the erasure re-seals: its new hash would hide it
    erase(world, mine)
    problems = {(p.account_id, p.entry_id, p.problem) for p in verify_ledger()}
    assert (mine.pk, entries[1].pk, Problem.ALTERED_BEFORE_ERASURE) in problems
    assert LedgerRedaction.objects.get(account=mine).unverified == [entries[1].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_lets_through_only_the_erasures_own_change(world, ledger):
    from django.db.utils import DatabaseError

    from wangge.core.pgsettings import local_settings

    mine, entries, _dispute, _theirs, _their_entry = ledger
    statements = [
        ("UPDATE credit_ledgerentry SET note = 'x' WHERE id = %s", {}),  # the switch is off
        ("UPDATE credit_ledgerentry SET amount = 999 WHERE id = %s", {"wangge.credit_redaction": "on"}),
        ("DELETE FROM credit_ledgerentry WHERE id = %s", {"wangge.credit_redaction": "on"}),
    ]
    for sql, switch in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), local_settings(**switch), \
                connection.cursor() as cursor:
            cursor.execute(sql, [entries[0].pk])
    erase(world, mine)
    record = LedgerRedaction.objects.get(account=mine)
    for sql in ("UPDATE credit_ledgerredaction SET unverified = '[]' WHERE id = %s",
                "DELETE FROM credit_ledgerredaction WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.pk])
    assert LedgerEntry.objects.get(pk=entries[0].pk).amount == 5
    # Nothing else of the record was touched by the erasure's switch either: the ledger verifies.
    assert list(verify_ledger()) == []
    assert CreditDispute.objects.get(account=mine).reason.startswith("我是" + ERASED_MARK)


def test_a_redacted_note_still_fits_its_column(world, rules):
    account = make_account(world)
    entry = award(world, account, rules, ("王小明" + "。" * 7) * 20)  # 200 characters
    actions.expire_lots(now=timezone.now() + dt.timedelta(days=800))
    erase(world, account)
    entry.refresh_from_db()
    assert len(entry.note) == 200 and "王小明" not in entry.note
    assert list(verify_ledger()) == []


def test_a_household_members_erasure_reaches_the_households_account(world, rules, household_account):
    """The household's account quotes its members; one of them is erased: their number and name go
    from its notes (the chain still verifies), the other member's stay, the household's credit stays."""
    from wangge.residents.models import Resident

    household = household_account.household
    son = Resident.objects.create(name="李建国", phone="13812345679", household=household)
    award(world, household_account, rules, "李建国（138 1234 5679）参加楼道清扫，张秀兰作证")
    balance = CreditAccount.objects.get(pk=household_account.pk).balance
    assert balance > 0

    anonymise_resident(resident=son, actor=world.users["admin"], reason="本人申请删除")

    assert notes(household_account)[-1] == f"{ERASED_MARK}（{ERASED_MARK}）参加楼道清扫，张秀兰作证"
    assert CreditAccount.objects.get(pk=household_account.pk).balance == balance
    assert list(verify_ledger()) == []
    assert LedgerRedaction.objects.filter(account=household_account).exists()
