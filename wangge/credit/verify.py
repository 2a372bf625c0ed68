"""Checking the credit ledger from the stored rows (``manage.py verify_credit``).

One streaming pass over the entries in (account, number) order — the order they were chained
in — a few thousand rows at a time (a server-side cursor on PostgreSQL), so a million entries take
one pass and little memory. Each entry is checked against
- its own hash (*altered*: a field was changed after it was written),
- the hash of the entry before it (*broken link*: an entry was removed or inserted before it),
- its number (*missing*: the numbers skip, so entries were removed),
- the balance (*balance*: balance after ≠ the balance before + amount, or below zero);
and each account against its chain's end (*account*: its balance, entry count or head hash is not
the newest entry's — entries removed from the end, or the balance edited) and against its lots
(*lots*: the credit left in its lots is not its balance). A resident's erasure (PIPL) rewrites the
notes it redacts and re-seals the chain after them (``ledger.redact_chain``); the entries that did
not verify just before that are named in its ``LedgerRedaction`` row and reported here as
*altered before erasure*, so the re-sealing launders no earlier tampering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from .models import CreditAccount, CreditLot, LedgerEntry, LedgerRedaction, _micros, hash_content

FIELDS = ("pk", "account_id", "seq", "kind", "amount", "balance_after", "rule_id", "source", "source_id", "note",
          "actor_id", "created_at", "expires_at", "corrects_id", "prev_hash", "hash")


class Problem:
    ALTERED = "altered"
    BROKEN_LINK = "broken_link"
    MISSING = "missing"
    BALANCE = "balance"
    ACCOUNT = "account"
    LOTS = "lots"
    ALTERED_BEFORE_ERASURE = "altered_before_erasure"


def describe(problem: str) -> str:
    return {
        Problem.ALTERED: _("its content does not match its hash: it was changed after it was written"),
        Problem.BROKEN_LINK: _("it does not follow the entry before it: an entry was removed or inserted"),
        Problem.MISSING: _("entries before it are missing"),
        Problem.BALANCE: _("its balance does not follow from the entry before it"),
        Problem.ACCOUNT: _("the account's balance or head does not match its newest entry: "
                           "entries were removed or the balance was edited"),
        Problem.LOTS: _("the credit left in the account's lots is not its balance"),
        Problem.ALTERED_BEFORE_ERASURE: _("it did not match its hash or the entry before it when a resident's "
                                          "personal data was erased from the account (the chain was re-sealed "
                                          "after that)"),
    }[problem]


@dataclass(frozen=True)
class Break:
    account_id: int
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        if self.entry_id is None:
            return _("Account %(account)d: %(problem)s") % {"account": self.account_id,
                                                            "problem": describe(self.problem)}
        return _("Account %(account)d, entry %(entry)d: %(problem)s") % {
            "account": self.account_id, "entry": self.entry_id, "problem": describe(self.problem)}


# PostgreSQL: the rows straight from a server-side cursor, times as microseconds computed by the
# server (EXTRACT gives an exact numeric) — no datetime objects made for a million rows.
_PG_SQL = ("SELECT id, account_id, seq, kind, amount, balance_after, rule_id, source, source_id, note, actor_id, "
           "(EXTRACT(EPOCH FROM created_at) * 1000000)::bigint, (EXTRACT(EPOCH FROM expires_at) * 1000000)::bigint, "
           "corrects_id, prev_hash, hash FROM credit_ledgerentry ORDER BY account_id, seq")


def _rows(chunk_size: int):
    """Every entry in chain order: (pk, account_id, seq, kind, amount, balance_after, rule_id, source,
    source_id, note, actor_id, created µs, expires µs, corrects_id, prev_hash, hash)."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            connection.ensure_connection()
            with connection.connection.cursor(name="credit_verify") as cursor:
                cursor.itersize = chunk_size
                cursor.execute(_PG_SQL)
                yield from cursor
        return
    rows = LedgerEntry.objects.order_by("account_id", "seq").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        yield (*row[:11], _micros(row[11]), _micros(row[12]), *row[13:])


@dataclass
class Checked:
    accounts: int = 0
    entries: int = 0


def verify_ledger(*, chunk_size: int = 5000, checked: Checked | None = None) -> Iterator[Break]:
    """Every break in the ledger, in account order."""
    checked = checked if checked is not None else Checked()
    heads = {pk: (balance, count, head) for pk, balance, count, head in
             CreditAccount.objects.values_list("pk", "balance", "entry_count", "last_hash").iterator(chunk_size=chunk_size)}
    checked.accounts = len(heads)
    seen: set[int] = set()
    # The entries an erasure found broken before it re-sealed the chain (``LedgerRedaction``).
    before_erasure: dict[int, set[int]] = {}
    for account_id, unverified in LedgerRedaction.objects.values_list("account_id", "unverified"):
        if unverified:
            before_erasure.setdefault(account_id, set()).update(unverified)

    def account_end(account_id, balance, seq, head):
        for entry_id in sorted(before_erasure.pop(account_id, ())):
            yield Break(account_id, entry_id, Problem.ALTERED_BEFORE_ERASURE)
        if heads.get(account_id) != (balance, seq, head):
            yield Break(account_id, None, Problem.ACCOUNT)

    current, previous, balance, seq = None, "", 0, 0
    for (pk, account_id, n, kind, amount, balance_after, rule_id, source, source_id, note, actor_id, created_us,
         expires_us, corrects_id, prev_hash, stored) in _rows(chunk_size):
        if account_id != current:
            if current is not None:
                yield from account_end(current, balance, seq, previous)
            current, previous, balance, seq = account_id, "", 0, 0
            seen.add(account_id)
        checked.entries += 1
        problem = None
        if stored != hash_content(account_id, n, kind, amount, balance_after, rule_id, source, source_id, note,
                                  actor_id, created_us, expires_us, corrects_id, prev_hash):
            problem = Problem.ALTERED
        elif n != seq + 1:
            problem = Problem.MISSING
        elif prev_hash != previous:
            problem = Problem.BROKEN_LINK
        elif balance_after != balance + amount or balance_after < 0:
            problem = Problem.BALANCE
        if problem:
            yield Break(account_id, pk, problem)
        previous, balance, seq = stored, balance_after, n
    if current is not None:
        yield from account_end(current, balance, seq, previous)
    for account_id, (acc_balance, count, head) in heads.items():
        if account_id not in seen and (acc_balance, count, head) != (0, 0, ""):
            yield Break(account_id, None, Problem.ACCOUNT)
    lots = dict(CreditLot.objects.values("account_id").annotate(left=Sum("remaining")).values_list("account_id", "left"))
    for account_id, (acc_balance, _count, _head) in heads.items():
        if lots.get(account_id, 0) != acc_balance:
            yield Break(account_id, None, Problem.LOTS)
