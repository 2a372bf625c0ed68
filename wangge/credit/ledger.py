"""The booking primitives every credit action is built on (记账). No permission checks here: the
actions check who acts, then call these inside their transaction with the account row locked.

- ``lock_account``: the account row, locked (``SELECT … FOR UPDATE``) — every balance change of
  an account is serialised on it, so two spends can never both see the same credit;
- ``book``: appends one entry — its number, the balance after it (refused below zero before
  anything is written), its hash chained to the account's newest one — and moves the account's
  balance, count and head hash with it;
- ``take_from_lots``: a negative amount consumed from the account's lots, oldest first (FIFO);
- ``redact_chain``: the one change of entries there is — a resident's erasure (PIPL) replaces
  their number and name in the notes, and the chain is re-sealed after them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wangge.core.pgsettings import local_settings

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


# PostgreSQL: while this is 'on' in a transaction, the ledger's append-only trigger (migration
# 0006) lets an UPDATE through that changes nothing but an entry's note and its two hashes. Set
# only by ``redact_chain``, for its own block.
REDACTION_SETTING = "wangge.credit_redaction"


@dataclass
class ChainRedaction:
    """What ``redact_chain`` changed: the fields by entry id (``{"812": ["note"]}``), and the
    entries that did not verify before the chain was re-sealed."""

    entries: dict[str, list[str]] = field(default_factory=dict)
    unverified: list[int] = field(default_factory=list)


def _unverified(rows: list[LedgerEntry]) -> list[int]:
    """The entries that do not verify as stored: their own hash, or their link to the one before
    (``verify``'s *altered* and *broken link*; the numbers and balances are not re-sealed)."""
    broken, previous = [], ""
    for entry in rows:
        if entry.hash != entry.compute_hash() or entry.prev_hash != previous:
            broken.append(entry.pk)
        previous = entry.hash
    return broken


def redact_chain(account: CreditAccount, redact) -> ChainRedaction:
    """PIPL erasure in an account's ledger: ``redact`` (text → text, ``residents.masking.redactor``)
    applied to every entry's note. Nothing is written when nothing matches.

    The ledger is append-only and hash-chained; erasure is the one exception the law makes. As the
    case timeline does it (``cases.events.redact_timeline``):
    - only the matched words change (to 〔已删除〕); amounts, balances, numbers and every other
      column stay;
    - the chain is re-sealed from the first changed entry to the newest, and the account's head
      (``last_hash``) follows, so ``verify_credit`` still finds any change made behind the
      application's back afterwards;
    - the entries that did not verify before the re-sealing are returned (``unverified``): the
      caller records them (``LedgerRedaction``) and ``verify_credit`` goes on reporting them, so
      an earlier tampering is not laundered;
    - the old hashes are kept nowhere (with the rest of the entry known, they give the number back);
    - on PostgreSQL the trigger lets these UPDATEs through only inside this function (a
      transaction-local setting, and only note, hash and prev_hash may differ).
    ``account`` is locked by the caller (``lock_account``), in its transaction."""
    rows = list(LedgerEntry.objects.filter(account_id=account.pk).order_by("seq"))
    result = ChainRedaction()
    first = None
    for index, entry in enumerate(rows):
        note = redact(entry.note) if entry.note else entry.note
        if note != entry.note:
            if first is None:
                unverified = set(_unverified(rows))  # before anything is changed
                first = index
            entry.note = note
            result.entries[str(entry.pk)] = ["note"]
    if first is None:
        return result
    # Only those the re-sealing would hide: an entry before the first changed one keeps its hash
    # and ``verify_credit`` finds it as it always did.
    result.unverified = [entry.pk for entry in rows[first:] if entry.pk in unverified]
    previous = rows[first - 1].hash if first else ""
    for entry in rows[first:]:
        entry.prev_hash = previous
        entry.hash = entry.compute_hash()
        previous = entry.hash
    with local_settings(**{REDACTION_SETTING: "on"}):
        LedgerEntry.objects.bulk_update(rows[first:], ["note", "hash", "prev_hash"], batch_size=500)
    account.last_hash = previous
    account.save(update_fields=["last_hash"])
    return result
