"""Real parallel transactions on PostgreSQL (threads, each on its own connection): redemptions
racing for the last item and for the last credit. Skipped on SQLite, which has no concurrent
writers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from wangge.core.errors import DomainError
from wangge.credit import actions
from wangge.credit.errors import NotEnoughCredit, OutOfStock
from wangge.credit.models import CreditAccount, LedgerEntry, Redemption, StoreItem
from wangge.credit.verify import verify_ledger
from wangge.testing.concurrency import run_in_threads

from .conftest import fund, make_account

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite has no concurrent writers, so there is no race to test"),
    pytest.mark.django_db(transaction=True),
]


def _redeem(world, account_ids, item_id):
    def target(i):
        account = CreditAccount.objects.get(pk=account_ids[i])
        item = StoreItem.objects.get(pk=item_id)
        return actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item).pk
    return target


def test_two_parallel_redemptions_of_the_last_item_one_wins_one_is_told(world, rules, item):
    accounts = [make_account(world, name=f"居民{i}", phone=f"1390000{i:04d}") for i in range(2)]
    for account in accounts:
        fund(world, account, rules, points=40)
    actions.restock_item(actor=world.users["secretary_a"], item=item, add=-4)  # one left

    results = run_in_threads(2, _redeem(world, [a.pk for a in accounts], item.pk))

    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], OutOfStock), results
    assert StoreItem.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.count() == 1
    balances = sorted(CreditAccount.objects.filter(pk__in=[a.pk for a in accounts]).values_list("balance", flat=True))
    assert balances == [10, 40]  # one paid, the other kept every credit
    assert list(verify_ledger()) == []


def test_two_parallel_redemptions_spending_the_last_credit_one_wins(world, rules, item):
    account = make_account(world)
    fund(world, account, rules, points=40)  # enough for one item of 30, not two

    results = run_in_threads(2, _redeem(world, [account.pk, account.pk], item.pk))

    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], NotEnoughCredit), results
    account.refresh_from_db()
    assert account.balance == 10
    assert LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] == 10
    assert StoreItem.objects.get(pk=item.pk).stock == 4  # the refused one took no stock
    assert list(verify_ledger()) == []


def test_fifty_redemptions_at_once_never_double_spend_or_oversell(world, rules, item):
    accounts = [make_account(world, name=f"居民{i}", phone=f"1391111{i:04d}") for i in range(10)]
    for account in accounts:
        fund(world, account, rules, points=60)  # two items each at most
    ids = [accounts[i % 10].pk for i in range(50)]

    results = run_in_threads(50, _redeem(world, ids, item.pk))

    won = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) + len(refused) == 50, [r for r in results if not isinstance(r, (int, DomainError))]
    assert len(won) == 5 == Redemption.objects.count()  # the stock was 5
    assert StoreItem.objects.get(pk=item.pk).stock == 0
    spent = -LedgerEntry.objects.filter(kind="spend").aggregate(s=Sum("amount"))["s"]
    assert spent == 5 * 30
    assert sum(CreditAccount.objects.filter(pk__in=ids).values_list("balance", flat=True)) == 10 * 60 - spent
    assert list(verify_ledger()) == []


def test_the_same_award_sent_twice_at_once_books_once(world, rules):
    account = make_account(world)

    def award(i):
        return actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["stairwell"],
                                    request_key="same-form").pk

    results = run_in_threads(4, award)
    assert len({r for r in results if isinstance(r, int)}) == 1, results
    account.refresh_from_db()
    assert account.balance == 20 and LedgerEntry.objects.count() == 1


def test_one_code_entered_twice_at_once_is_redeemed_once(world, rules, merchant):
    from wangge.core.actors import Actor
    from wangge.credit.errors import BadCode
    from wangge.org.models import User

    account = make_account(world)
    fund(world, account, rules, points=100)
    item = actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0], name="理发券",
                                     price=40, stock=5, merchant=merchant)
    code = actions.issue_redemption_code(account=account, item=item, actor=Actor.of_resident(account.resident))

    results = run_in_threads(2, lambda i: actions.redeem_code(actor=User.objects.get(pk=merchant.user_id),
                                                              code=code.code).pk)

    assert len([r for r in results if isinstance(r, int)]) == 1, results
    assert len([r for r in results if isinstance(r, BadCode)]) == 1, results
    account.refresh_from_db()
    assert account.balance == 60 and StoreItem.objects.get(pk=item.pk).stock == 4
