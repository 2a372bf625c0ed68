"""The booking primitives every credit action is built on (记账). No permission checks here: the
actions check who acts, then call these inside their transaction with the account row locked.

- ``lock_account``: the account row, locked (``SELECT … FOR UPDATE``) — every balance change of
  an account is serialised on it, so two spends can never both see the same credit;
- ``book``: appends one entry — its number, the balance after it (refused below zero before
  anything is written), its hash chained to the account's newest one — and moves the account's
  balance, count and head hash with it;
- ``take_from_lots``: a negative amount consumed from the account's lots, oldest first (FIFO).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone

from .choices import EntryKind
from .errors import AccountNotFound, NotEnoughCredit
from .models import CreditAccount, CreditLot, LedgerEntry


def add_months(value: dt.datetime, months: int) -> dt.datetime:
    """``value`` plus ``months`` calendar months (31 Jan + 1 month → 28/29 Feb)."""
    month = value.month - 1 + months
    year, month = value.year + month // 12, month % 12 + 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def lock_account(pk: int) -> CreditAccount:
    try:
        return CreditAccount.objects.select_for_update().get(pk=pk)
    except CreditAccount.DoesNotExist:
        raise AccountNotFound() from None


def existing_entry(account: CreditAccount, source: str, source_id: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account=account, source=source, source_id=source_id).first()


def book(*, account: CreditAccount, kind: str, amount: int, source: str, source_id: str, note: str = "",
         rule=None, actor=None, expires_at: dt.datetime | None = None, corrects: LedgerEntry | None = None,
         now: dt.datetime | None = None) -> LedgerEntry:
    """Append one entry to ``account`` (locked by the caller) and move its balance. A positive
    amount opens a lot (expiring at ``expires_at``); a negative one is taken from the lots."""
    assert transaction.get_connection().in_atomic_block, "book() runs inside the action's transaction"
    amount = int(amount)
    balance_after = account.balance + amount
    if balance_after < 0:
        raise NotEnoughCredit()
    entry = LedgerEntry(
        account=account, seq=account.entry_count + 1, kind=kind, amount=amount, balance_after=balance_after,
        rule=rule, source=source, source_id=str(source_id), note=(note or "")[:200],
        actor=actor if getattr(actor, "pk", None) else None, created_at=now or timezone.now(),
        expires_at=expires_at if amount > 0 else None, corrects=corrects, prev_hash=account.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    if amount > 0:
        CreditLot.objects.create(account=account, entry=entry, amount=amount, remaining=amount,
                                 expires_at=entry.expires_at)
    else:
        take_from_lots(account=account, amount=-amount, first=_lot_of(corrects))
    account.balance = balance_after
    account.entry_count = entry.seq
    account.last_hash = entry.hash
    account.save(update_fields=["balance", "entry_count", "last_hash"])
    return entry


def _lot_of(entry: LedgerEntry | None) -> CreditLot | None:
    if entry is None or entry.amount <= 0:
        return None
    return CreditLot.objects.filter(entry=entry).first()


def take_from_lots(*, account: CreditAccount, amount: int, first: CreditLot | None = None) -> None:
    """Consume ``amount`` from the account's open lots: ``first`` (the lot a correction reverses)
    before the others, then the oldest first."""
    lots = list(CreditLot.objects.filter(account=account, remaining__gt=0).order_by("entry_id"))
    if first is not None:
        lots.sort(key=lambda lot: lot.pk != first.pk)
    for lot in lots:
        if amount <= 0:
            break
        taken = min(lot.remaining, amount)
        lot.remaining -= taken
        amount -= taken
        lot.save(update_fields=["remaining"])
    if amount > 0:  # the lots do not hold the balance: refuse rather than book a hole
        raise NotEnoughCredit()


def expire_account_lots(*, account: CreditAccount, now: dt.datetime) -> list[LedgerEntry]:
    """Book an ``expire`` entry for the unspent remainder of each lot of ``account`` (locked)
    past its date, oldest first. Returns the entries booked."""
    booked = []
    lots = CreditLot.objects.filter(account=account, remaining__gt=0, expires_at__lte=now).order_by("entry_id")
    for lot in lots:
        if existing_entry(account, "expiry", str(lot.entry_id)) is not None:
            continue
        remaining = lot.remaining
        lot.remaining = 0
        lot.save(update_fields=["remaining"])
        # The lot is emptied first, so ``book`` takes nothing more from the lots.
        entry = LedgerEntry(
            account=account, seq=account.entry_count + 1, kind=EntryKind.EXPIRE, amount=-remaining,
            balance_after=account.balance - remaining, source="expiry", source_id=str(lot.entry_id),
            note="", actor=None, created_at=now, prev_hash=account.last_hash,
        )
        if entry.balance_after < 0:
            raise NotEnoughCredit()
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        account.balance, account.entry_count, account.last_hash = entry.balance_after, entry.seq, entry.hash
        account.save(update_fields=["balance", "entry_count", "last_hash"])
        booked.append(entry)
    return booked
