"""Credit ledger benchmark (信用积分): redemptions under load, the balance read, and ``verify``.

``run(out)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls it)
and returns rows (name, target, measured, pass/fail/—):

1. redemptions per second with 8 concurrent counters: 400 funded accounts (awarded through
   ``award_credit``), 5 items with 1,000 in stock together, 8 threads (each its own connection)
   calling ``redeem_at_counter`` for random accounts and items — more demand than credit or stock
   can meet, so both refusals happen. Afterwards, from the ledger and the stock (not assumed):
   double spends = accounts whose entries do not add up to their balance, whose balance went
   below zero, or whose spend entries are not exactly their redemptions; oversells = stock taken
   beyond the stock there was (initial − final ≠ redemptions, or stock < 0). Target: 0 and 0.
2. the balance read: ``selectors.account_for`` on an account with 1,000 entries and one with
   100,000 (the balance is a column of the account row: the same time), beside the sum over the
   history it replaces.
3. ``verify`` over 1,000,000 ledger entries (target under 30 s): the entries are benchmark fixture
   data written with ``COPY`` and chains precomputed with the real ``entry_hash`` (999 accounts
   of 1,000 entries, one of 1,000 … and one of 100,000 — 1,000,000 in all), each account's lot
   holding its balance; then one streaming pass of ``verify_ledger`` (a server-side cursor).

Standalone, on its own database (dropped and re-created):
``WANGGE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m benchmarks.credit``
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

COUNTERS = 8
ACCOUNTS = 400
FUND = 100  # credit per account: three items of 30 at most
ITEMS = 5
STOCK_EACH = 200
ATTEMPTS = int(os.environ.get("WANGGE_BENCH_CREDIT_ATTEMPTS", "2400"))
VERIFY_ENTRIES = 1_000_000
BIG_ACCOUNT = 100_000
SMALL_ACCOUNT = 1_000
VERIFY_TARGET = 30.0
READ_TARGET_MS = 5.0
SEED = 20261129


def _row(name, target, measured, passed):
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


def _place():
    """A community and a grid for the bench accounts, and its secretary."""
    from wangge.org.choices import RegionLevel, Role
    from wangge.org.models import Region, RoleAssignment, User

    grid = Region.objects.filter(level=RegionLevel.GRID, is_active=True).order_by("pk").first()
    if grid is None:
        from wangge.testing.factories import build_world

        build_world()
        grid = Region.objects.filter(level=RegionLevel.GRID, is_active=True).order_by("pk").first()
    community = grid.ancestor_at(RegionLevel.COMMUNITY)
    user, created = User.objects.get_or_create(username="bench-credit-secretary")
    if created:
        RoleAssignment.objects.create(user=user, role=Role.COMMUNITY_SECRETARY, region=community)
    user = User.objects.get(pk=user.pk)
    return grid, community, user


# ---------------------------------------------------------------------------------------------
# 1. Redemptions with 8 counters
# ---------------------------------------------------------------------------------------------


def bench_redemptions(out):
    from django.db import connection, transaction
    from django.db.models import Count, Sum

    from wangge.core.actors import Actor
    from wangge.core.errors import DomainError
    from wangge.credit import actions
    from wangge.credit.choices import Awarder
    from wangge.credit.errors import NotEnoughCredit, OutOfStock
    from wangge.credit.models import (
        CreditAccount,
        CreditRule,
        LedgerEntry,
        Redemption,
        StoreItem,
    )
    from wangge.residents.models import Resident
    from wangge.testing.concurrency import run_in_threads

    grid, community, secretary = _place()
    rule, _ = CreditRule.objects.get_or_create(code="bench-fund", defaults=dict(
        name="压测积分", points=FUND, awarded_by=Awarder.COMMUNITY))
    started = time.monotonic()
    accounts = []
    for i in range(ACCOUNTS):
        with transaction.atomic():
            resident = Resident.objects.create(name=f"压测{i}", phone=f"1990{i:07d}")
            account = actions.open_account(actor=Actor.system(), region=grid, resident=resident)
            actions.award_credit(actor=secretary, account=account, rule=rule, request_key=f"bench-fund-{i}")
        accounts.append(account.pk)
    items = [actions.create_store_item(actor=secretary, community=community, name=f"压测商品{k}", price=30,
                                       stock=STOCK_EACH) for k in range(ITEMS)]
    out.write(f"  credit: {ACCOUNTS} accounts funded in {time.monotonic() - started:.1f} s\n")
    item_ids = [i.pk for i in items]
    stock_before = ITEMS * STOCK_EACH
    per_counter = ATTEMPTS // COUNTERS

    def counter(n):
        from wangge.org.models import User

        rng = random.Random(SEED + n)
        me = User.objects.get(pk=secretary.pk)
        done = refused_credit = refused_stock = other = 0
        for _ in range(per_counter):
            account = CreditAccount(pk=rng.choice(accounts))
            item = StoreItem.objects.select_related("community").get(pk=rng.choice(item_ids))
            try:
                actions.redeem_at_counter(actor=me, account=account, item=item)
                done += 1
            except NotEnoughCredit:
                refused_credit += 1
            except OutOfStock:
                refused_stock += 1
            except DomainError:
                other += 1
        return done, refused_credit, refused_stock, other

    t0 = time.monotonic()
    results = run_in_threads(COUNTERS, counter)
    seconds = time.monotonic() - t0
    errors = [r for r in results if isinstance(r, Exception)]
    if errors:
        raise errors[0]
    done = sum(r[0] for r in results)
    out.write(f"  credit: {ATTEMPTS} attempts by {COUNTERS} counters in {seconds:.1f} s: {done} handed out, "
              f"{sum(r[1] for r in results)} refused for credit, {sum(r[2] for r in results)} out of stock, "
              f"{sum(r[3] for r in results)} other\n")
    connection.close()

    # Checked from the ledger and the stock, not assumed.
    redemptions = Redemption.objects.filter(item_id__in=item_ids).count()
    stock_after = StoreItem.objects.filter(pk__in=item_ids).aggregate(s=Sum("stock"))["s"]
    negative_stock = StoreItem.objects.filter(pk__in=item_ids, stock__lt=0).count()
    oversells = (stock_before - stock_after - redemptions) + negative_stock
    sums = dict(LedgerEntry.objects.filter(account_id__in=accounts).values("account_id")
                .annotate(s=Sum("amount")).values_list("account_id", "s"))
    spends = dict(LedgerEntry.objects.filter(account_id__in=accounts, kind="spend").values("account_id")
                  .annotate(n=Count("pk")).values_list("account_id", "n"))
    bought = dict(Redemption.objects.filter(account_id__in=accounts).values("account_id")
                  .annotate(n=Count("pk")).values_list("account_id", "n"))
    double_spends = 0
    for pk, balance in CreditAccount.objects.filter(pk__in=accounts).values_list("pk", "balance"):
        if balance < 0 or sums.get(pk, 0) != balance or spends.get(pk, 0) != bought.get(pk, 0) \
                or balance != FUND - 30 * bought.get(pk, 0):
            double_spends += 1
    rate = done / seconds if seconds else 0
    return [
        _row(f"credit: redemptions/s, {COUNTERS} concurrent counters", "—", f"{rate:.0f}/s ({done} handed out, {ATTEMPTS} attempts in {seconds:.1f} s)",
             None),
        _row("credit: double spends (from the ledger)", "0", str(double_spends), double_spends == 0),
        _row("credit: oversells (from the stock)", "0", str(oversells), oversells == 0),
    ]


# ---------------------------------------------------------------------------------------------
# 2 and 3. A million entries: the balance read and verify
# ---------------------------------------------------------------------------------------------

COLUMNS = ("account_id", "seq", "kind", "amount", "balance_after", "rule_id", "source", "source_id", "note",
           "actor_id", "created_at", "expires_at", "corrects_id", "prev_hash", "hash")


def _copy_entries(cursor, account_ids: list[int], sizes: list[int], start: dt.datetime) -> None:
    """COPY the fixture entries, chained with the real ``entry_hash``: per account, an earning of
    3 then a spend of 1, alternately (so every balance after is positive)."""
    from wangge.credit.models import entry_hash

    step = dt.timedelta(seconds=1)
    copy_sql = f"COPY credit_ledgerentry ({', '.join(COLUMNS)}) FROM STDIN"
    heads = []
    with cursor.copy(copy_sql) as copy:
        for account_id, size in zip(account_ids, sizes, strict=True):
            prev, balance = "", 0
            at = start
            for seq in range(1, size + 1):
                earn = seq % 2 == 1
                kind, amount = ("earn", 3) if earn else ("spend", -1)
                balance += amount
                at += step
                source_id = f"{account_id}-{seq}"
                h = entry_hash(account_id=account_id, seq=seq, kind=kind, amount=amount, balance_after=balance,
                               rule_id=None, source="bench", source_id=source_id, note="", actor_id=None,
                               created_at=at, expires_at=None, corrects_id=None, prev_hash=prev)
                copy.write_row((account_id, seq, kind, amount, balance, None, "bench", source_id, "", None, at, None,
                                None, prev, h))
                prev = h
            heads.append((account_id, balance, size, prev))
    return heads


def bench_million(out):
    from django.db import connection, transaction
    from django.db.models import Sum

    from wangge.core.actors import Actor
    from wangge.credit import selectors
    from wangge.credit.models import CreditAccount, LedgerEntry
    from wangge.credit.verify import Checked, verify_ledger
    from wangge.residents.models import Household

    grid, _community, secretary = _place()
    sizes = [BIG_ACCOUNT] + [SMALL_ACCOUNT] * ((VERIFY_ENTRIES - BIG_ACCOUNT) // SMALL_ACCOUNT)
    existing = LedgerEntry.objects.count()
    t0 = time.monotonic()
    with transaction.atomic():
        from wangge.credit import actions

        households = Household.objects.bulk_create([Household(room=f"压测{i}") for i in range(len(sizes))])
        accounts = [actions.open_account(actor=Actor.system(), region=grid, household=h).pk for h in households]
        with connection.cursor() as cursor:
            heads = _copy_entries(cursor.cursor, accounts, sizes, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            # The accounts' heads and their lots (one lot per account, holding the balance).
            for account_id, balance, count, head in heads:
                CreditAccount.objects.filter(pk=account_id).update(balance=balance, entry_count=count, last_hash=head)
            cursor.execute("""
                INSERT INTO credit_creditlot (account_id, entry_id, amount, remaining, expires_at)
                SELECT e.account_id, e.id, a.balance, a.balance, NULL FROM credit_ledgerentry e
                JOIN credit_creditaccount a ON a.id = e.account_id
                WHERE e.account_id = ANY(%s) AND e.seq = 1""", [accounts])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE credit_ledgerentry")
    total = LedgerEntry.objects.count()
    out.write(f"  credit: {total - existing:,} fixture entries written with COPY in {time.monotonic() - t0:.1f} s\n")

    # 2. The balance read: the account row by primary key (what the API and pages show).
    big, small = accounts[0], accounts[1]
    rows, medians = [], {}
    for pk, size in ((small, SMALL_ACCOUNT), (big, BIG_ACCOUNT)):
        times = []
        for _ in range(500):
            t = time.perf_counter()
            balance = CreditAccount.objects.values_list("balance", flat=True).get(pk=pk)
            times.append((time.perf_counter() - t) * 1000)
            assert balance >= 0
        summed = []
        for _ in range(5):
            t = time.perf_counter()
            LedgerEntry.objects.filter(account_id=pk).aggregate(s=Sum("amount"))
            summed.append((time.perf_counter() - t) * 1000)
        medians[size] = median = statistics.median(times)
        rows.append(_row(f"credit: balance read, account of {size:,} entries", f"< {READ_TARGET_MS:.0f} ms",
                         f"{median:.2f} ms (a sum over its history: {statistics.median(summed):.1f} ms)",
                         median < READ_TARGET_MS))
    constant = medians[BIG_ACCOUNT] < 2 * medians[SMALL_ACCOUNT] + 0.5
    rows.append(_row("credit: balance read constant (100,000 vs 1,000 entries)", "same",
                     f"{medians[BIG_ACCOUNT] / medians[SMALL_ACCOUNT]:.2f}×", constant))
    t = time.perf_counter()
    selectors.account_for(secretary, big)
    out.write(f"  credit: the scoped account read (selectors.account_for) took {(time.perf_counter() - t) * 1000:.1f} ms\n")

    # 3. verify.
    checked = Checked()
    t = time.monotonic()
    problems = sum(1 for _ in verify_ledger(checked=checked))
    seconds = time.monotonic() - t
    rows.append(_row(f"credit: verify over {checked.entries:,} entries", f"< {VERIFY_TARGET:.0f} s",
                     f"{seconds:.1f} s, {problems} problems", seconds < VERIFY_TARGET and problems == 0))
    return rows


def run(out) -> list:
    from django.db import connection

    if connection.vendor != "postgresql":
        out.write("credit bench needs PostgreSQL (skipped)\n")
        return []
    return bench_redemptions(out) + bench_million(out)


def main() -> None:
    from benchmarks.run import run_alone

    run_alone(run, "wangge_bench_credit")


if __name__ == "__main__":
    main()
