"""Every write of the credit ledger and the credit store (信用积分 / 德誉超市).

Each action checks who acts, locks the rows in one fixed order — redemption code, then account,
then store item or dispute — validates, and writes the change and its ledger entry in one transaction;
nothing is written when it refuses. Domain events are published inside the transaction (their
subscribers choose when to hear of them).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.actors import Actor
from wangge.core.errors import InvalidInput, InvalidState
from wangge.core.events import DomainEvent, publish
from wangge.core.language import office_text
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import ledger, permissions
from .choices import AccountKind, Awarder, DisputeStatus, EntryKind, RedemptionVia, RuleUnit
from .errors import BadCode, ItemNotFound, NotAllowed, OutOfStock
from .models import (
    CreditAccount,
    CreditDispute,
    CreditRule,
    LedgerEntry,
    LedgerRedaction,
    Merchant,
    Redemption,
    RedemptionCode,
    StoreItem,
)

CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_DIGITS = 8


def _publish(name: str, *, subject, key: str, actor=None, payload: dict) -> None:
    user = getattr(actor, "user", actor)
    publish(DomainEvent(
        name=name, subject=f"credit.{type(subject).__name__.lower()}", subject_id=subject.pk, key=key,
        occurred_at=timezone.now(), actor_id=getattr(user, "pk", None),
        actor_kind=getattr(actor, "kind", "staff" if getattr(user, "pk", None) else "system"), payload=payload,
    ))


def _entry_event(entry: LedgerEntry, actor=None) -> None:
    _publish("credit_booked", subject=entry, key=f"credit.ledgerentry:{entry.pk}", actor=actor, payload={
        "account_id": entry.account_id, "kind": entry.kind, "amount": entry.amount,
        "balance_after": entry.balance_after, "rule": entry.rule.code if entry.rule_id else "",
        "source": entry.source, "source_id": entry.source_id,
    })


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    value = " ".join((value or "").split())
    if len(value) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, fields={field: "too_long"})
    if required and not value:
        raise InvalidInput(_("This field is required."), fields={field: "required"})
    return value


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


def _is_holder(actor_: Actor, account: CreditAccount) -> bool:
    """Is the resident acting the account's holder — the resident, or a member of the household?"""
    resident = actor_.resident if actor_.kind == "resident" else None
    if resident is None:
        return False
    if account.kind == AccountKind.HOUSEHOLD:
        return account.household_id is not None and resident.household_id == account.household_id
    return account.resident_id == resident.pk


def _community_of(region: Region) -> Region:
    community = region.ancestor_at(RegionLevel.COMMUNITY) if region is not None else None
    if community is None:
        raise InvalidInput(_("An account sits in a community, or a grid, building or unit of one."),
                           fields={"region": "no_community"})
    return community


@transaction.atomic
def open_account(*, actor, region: Region, resident=None, household=None) -> CreditAccount:
    """开户 — the credit account of ``resident`` or ``household`` (one or the other), placed at
    ``region``. Opening one that exists returns it unchanged."""
    if (resident is None) == (household is None):
        raise InvalidInput(_("An account belongs to one resident or one household."), fields={"holder": "one"})
    actor_ = Actor.coerce(actor)
    community = _community_of(region)
    if actor_.is_staff and not permissions.may_open_account(actor_.user, region):
        raise NotAllowed(_("You may not open credit accounts in that place."))
    if resident is not None and (resident.merged_into_id or resident.anonymised_at):
        raise InvalidInput(_("That resident record is no longer in use."), fields={"resident": "inactive"})
    holder = {"resident": resident} if resident is not None else {"household": household}
    kind = AccountKind.RESIDENT if resident is not None else AccountKind.HOUSEHOLD
    existing = CreditAccount.objects.filter(**holder).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CreditAccount.objects.create(kind=kind, region=region, community=community, **holder)
    except IntegrityError:  # opened at the same moment by another request
        return CreditAccount.objects.get(**holder)


@transaction.atomic
def set_leaderboard_opt_in(*, account: CreditAccount, opt_in: bool, actor) -> CreditAccount:
    """排行榜 — the holder chooses to appear (masked) on their community's leaderboard, or not.
    Only the resident (through their signed link) or community staff may change it."""
    actor_ = Actor.coerce(actor)
    if actor_.is_staff and not permissions.may_correct(actor_.user, account):
        raise NotAllowed()
    if actor_.kind == "resident" and not _is_holder(actor_, account):
        raise NotAllowed()
    account = ledger.lock_account(account.pk)
    account.leaderboard_opt_in = bool(opt_in)
    account.save(update_fields=["leaderboard_opt_in"])
    return account


# ---------------------------------------------------------------------------------------------
# Earning, correcting, expiring
# ---------------------------------------------------------------------------------------------


def _expiry(rule: CreditRule, now: dt.datetime) -> dt.datetime | None:
    return ledger.add_months(now, rule.expiry_months) if rule.expiry_months else None


def _check_quantity(rule: CreditRule, quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput(_("Hours: enter a whole number."), fields={"quantity": "invalid"}) from None
    if rule.unit == RuleUnit.FIXED and quantity != 1:
        raise InvalidInput(_("Hours: this rule is awarded once at a time, not per hour; leave 1."),
                           fields={"quantity": "fixed"})
    if not 1 <= quantity <= rule.max_quantity:
        raise InvalidInput(_("Hours: between 1 and %(n)d for this rule.") % {"n": rule.max_quantity},
                           fields={"quantity": "range"})
    return quantity


@transaction.atomic
def award_credit(*, actor, account: CreditAccount, rule: CreditRule, request_key: str, quantity: int = 1,
                 note: str = "", now: dt.datetime | None = None) -> LedgerEntry:
    """奖励积分 — book ``rule``'s points (× ``quantity`` hours for a per-hour rule) to ``account``.
    ``request_key`` makes it idempotent: the same key again returns the entry already booked
    (``entry.replayed``), never a second award."""
    actor_ = Actor.coerce(actor)
    if not rule.is_active:
        raise InvalidState(_("This rule is no longer in use."))
    if not actor_.is_staff or not permissions.may_award(actor_.user, rule, account):
        raise NotAllowed(_("You may not award this credit to this account."))
    quantity = _check_quantity(rule, quantity)
    note = _clean_text(note, field="note", max_length=200)
    request_key = _clean_text(request_key, field="request_key", max_length=64, required=True)
    return _award(account=account, rule=rule, quantity=quantity, note=note, source="award",
                  source_id=request_key, actor=actor_.user, now=now)


def award_automatically(*, account: CreditAccount, rule: CreditRule, source: str, source_id: str,
                        note: str = "", now: dt.datetime | None = None) -> LedgerEntry:
    """The system's award on a domain event (a confirmed report): idempotent by
    (``source``, ``source_id``), so a repeated event books nothing more."""
    if not rule.is_active:
        raise InvalidState(_("This rule is no longer in use."))
    with transaction.atomic():
        return _award(account=account, rule=rule, quantity=1, note=note, source=source, source_id=source_id,
                      actor=None, now=now)


def _award(*, account, rule, quantity, note, source, source_id, actor, now) -> LedgerEntry:
    now = now or timezone.now()
    account = ledger.lock_account(account.pk)
    done = ledger.existing_entry(account, source, source_id)
    if done is not None:
        done.replayed = True
        return done
    entry = ledger.book(account=account, kind=EntryKind.EARN, amount=rule.points * quantity, source=source,
                        source_id=source_id, note=note, rule=rule, actor=actor, expires_at=_expiry(rule, now),
                        now=now)
    entry.replayed = False
    _entry_event(entry, actor)
    return entry


@transaction.atomic
def correct_entry(*, actor, entry: LedgerEntry, reason: str, now: dt.datetime | None = None) -> LedgerEntry:
    """更正 — reverse ``entry`` with an entry of the opposite amount (the entry itself is never
    changed). An earning can only be reversed while the balance still holds it; a spend is
    refunded as a new lot that does not expire. Each entry is reversed at most once."""
    actor_ = Actor.coerce(actor)
    account = entry.account
    if not actor_.is_staff or not permissions.may_correct(actor_.user, account):
        raise NotAllowed(_("You may not correct this account."))
    reason = _clean_text(reason, field="reason", max_length=200, required=True)
    if entry.kind not in (EntryKind.EARN, EntryKind.SPEND):
        raise InvalidState(_("Only earnings and spends can be corrected."))
    account = ledger.lock_account(account.pk)
    if ledger.existing_entry(account, "correction", str(entry.pk)) is not None:
        raise InvalidState(_("This entry has already been corrected."))
    corrected = ledger.book(account=account, kind=EntryKind.CORRECT, amount=-entry.amount, source="correction",
                            source_id=str(entry.pk), note=reason, rule=entry.rule, actor=actor_.user,
                            corrects=entry, now=now)
    _entry_event(corrected, actor_.user)
    # The holder's open dispute of this entry is settled by the correction (the account is locked
    # above: the fixed order, account before dispute).
    for dispute in CreditDispute.objects.select_for_update().filter(entry=entry, status=DisputeStatus.OPEN):
        _close_dispute(dispute, status=DisputeStatus.CORRECTED, reply=reason, correction=corrected,
                       actor=actor_.user, now=corrected.created_at)
    return corrected


@transaction.atomic
def merge_resident_accounts(*, kept, merged, now: dt.datetime | None = None) -> list[LedgerEntry]:
    """两人合一 — residents ``merged`` and ``kept`` were found to be one person (the residents app
    merged them: ``residents_merged``, in its transaction). The person keeps one account:

    - only ``merged`` had one: it becomes ``kept``'s, history and all;
    - both had one: ``merged``'s balance moves over by correction entries — one out of its
      account, one into ``kept``'s per unspent lot, with that lot's expiry — so both ledgers still
      add up and their hash chains stay whole; the emptied account keeps its history.

    Idempotent (the entries' keys name the accounts and lots). Returns the entries booked."""
    from .models import CreditLot

    source = CreditAccount.objects.filter(resident=merged, kind=AccountKind.RESIDENT).first()
    if source is None:
        return []
    target = CreditAccount.objects.filter(resident=kept, kind=AccountKind.RESIDENT).first()
    if target is None:
        CreditAccount.objects.filter(pk=source.pk).update(resident=kept)
        return []
    locked = {pk: ledger.lock_account(pk) for pk in sorted((source.pk, target.pk))}  # one fixed order
    source, target = locked[source.pk], locked[target.pk]
    if source.leaderboard_opt_in and not target.leaderboard_opt_in:
        target.leaderboard_opt_in = True
        target.save(update_fields=["leaderboard_opt_in"])
    if source.balance == 0 or ledger.existing_entry(source, "merge", str(target.pk)) is not None:
        return []
    lots = list(CreditLot.objects.filter(account=source, remaining__gt=0).order_by("entry_id"))
    booked = [ledger.book(account=source, kind=EntryKind.CORRECT, amount=-source.balance, source="merge",
                          source_id=str(target.pk), note=office_text(gettext_lazy("Moved to account #%(id)s (same person)"),
                                                          {"id": target.pk}), now=now)]
    for lot in lots:  # their ``remaining`` as read before the move
        booked.append(ledger.book(
            account=target, kind=EntryKind.CORRECT, amount=lot.remaining, source="merge",
            source_id=f"{source.pk}:{lot.entry_id}", expires_at=lot.expires_at, now=now,
            note=office_text(gettext_lazy("Moved from account #%(id)s (same person)"), {"id": source.pk})))
    for entry in booked:
        _entry_event(entry)
    return booked


def expire_lots(*, now: dt.datetime | None = None) -> int:
    """到期 — book an ``expire`` entry for the unspent remainder of every lot past its date. One
    transaction per account (its row locked), so a long run holds no lock for long and a run
    that overlaps another books nothing twice. Returns the entries booked."""
    from .models import CreditLot

    now = now or timezone.now()
    account_ids = (CreditLot.objects.filter(remaining__gt=0, expires_at__lte=now)
                   .values_list("account_id", flat=True).distinct().order_by("account_id"))
    booked = 0
    for account_id in list(account_ids):
        with transaction.atomic():
            account = ledger.lock_account(account_id)
            for entry in ledger.expire_account_lots(account=account, now=now):
                _entry_event(entry)
                booked += 1
    return booked


# ---------------------------------------------------------------------------------------------
# The store (德誉超市)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_store_item(*, actor, community: Region, name: str, price: int, stock: int = 0, description: str = "",
                      merchant: Merchant | None = None) -> StoreItem:
    """上架 — a new item of ``community``'s credit store."""
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise InvalidInput(_("Choose a community."), fields={"community": "level"})
    if not permissions.may_manage_store(actor, community):
        raise NotAllowed(_("You may not manage this community's store."))
    name = _clean_text(name, field="name", max_length=100, required=True)
    description = _clean_text(description, field="description", max_length=300)
    if not isinstance(price, int) or price <= 0 or price > 10**9:
        raise InvalidInput(_("The price is a positive whole number of credit."), fields={"price": "invalid"})
    if not isinstance(stock, int) or stock < 0 or stock > 10**9:
        raise InvalidInput(_("The stock is a whole number, zero or more."), fields={"stock": "invalid"})
    if merchant is not None and merchant.community_id != community.pk:
        raise InvalidInput(_("The merchant is not in this community."), fields={"merchant": "community"})
    return StoreItem.objects.create(community=community, name=name, price=price, stock=stock,
                                    description=description, merchant=merchant)


@transaction.atomic
def restock_item(*, actor, item: StoreItem, add: int) -> StoreItem:
    """补货 — add ``add`` to the stock (a negative number takes unsold stock back, never below 0)."""
    if not permissions.may_manage_store(actor, item.community):
        raise NotAllowed(_("You may not manage this community's store."))
    if not isinstance(add, int) or add == 0 or abs(add) > 10**6:
        raise InvalidInput(_("Enter a number of items other than zero."), fields={"add": "invalid"})
    updated = StoreItem.objects.filter(pk=item.pk, stock__gte=-add).update(stock=F("stock") + add)
    if not updated:
        raise InvalidInput(_("The stock cannot go below zero."), fields={"add": "below_zero"})
    item.refresh_from_db(fields=["stock"])
    return item


@transaction.atomic
def set_item_on_sale(*, actor, item: StoreItem, on_sale: bool) -> StoreItem:
    if not permissions.may_manage_store(actor, item.community):
        raise NotAllowed(_("You may not manage this community's store."))
    StoreItem.objects.filter(pk=item.pk).update(is_active=bool(on_sale))
    item.is_active = bool(on_sale)
    return item


def _redeem(*, account_id: int, item_id: int, via: str, actor, merchant=None, code=None,
            request_key: str | None = None, now=None) -> Redemption:
    """Take one of the item and its price in credit together (inside the caller's transaction):
    the account row is locked first, then the stock is taken by a conditional UPDATE (… WHERE
    stock >= 1), which waits for a concurrent one and re-reads the stock — so neither the credit
    nor the last item can go twice."""
    now = now or timezone.now()
    account = ledger.lock_account(account_id)
    item = StoreItem.objects.filter(pk=item_id).first()
    if item is None:
        raise ItemNotFound()
    if not item.is_active:
        raise InvalidState(_("This item is not on sale."))
    if item.community_id != account.community_id:
        raise InvalidState(_("This item is sold by another community's store."))
    if account.balance < item.price:
        raise ledger.NotEnoughCredit.for_item(balance=account.balance, item=item)
    if not StoreItem.objects.filter(pk=item.pk, stock__gte=1).update(stock=F("stock") - 1):
        raise OutOfStock()
    redemption = Redemption.objects.create(account=account, item=item, price=item.price, via=via, code=code,
                                           merchant=merchant, actor=actor, created_at=now, request_key=request_key)
    entry = ledger.book(account=account, kind=EntryKind.SPEND, amount=-item.price, source="redemption",
                        source_id=str(redemption.pk), note=item.name[:200], actor=actor, now=now)
    _entry_event(entry, actor)
    _publish("credit_redeemed", subject=redemption, key=f"credit.redemption:{redemption.pk}", actor=actor,
             payload={"account_id": account.pk, "item_id": item.pk, "price": item.price, "via": via})
    return redemption


def redeem_at_counter(*, actor, account: CreditAccount, item: StoreItem, request_key: str | None = None,
                      now: dt.datetime | None = None) -> Redemption:
    """柜台兑换 — a staff member hands ``item`` to the holder of ``account`` at the community's
    counter. With ``request_key``, the same request sent twice hands out one item."""
    if not permissions.may_run_counter(actor, item):
        raise NotAllowed(_("You may not hand out items of this store."))
    if item.merchant_id is not None:
        raise InvalidState(_("This item is handed out by its merchant, against the resident's code."))
    request_key = (request_key or "").strip()[:64] or None
    if request_key:
        done = Redemption.objects.filter(request_key=request_key).first()
        if done is not None:
            done.replayed = True
            return done
    try:
        with transaction.atomic():
            redemption = _redeem(account_id=account.pk, item_id=item.pk, via=RedemptionVia.COUNTER, actor=actor,
                                 request_key=request_key, now=now)
    except IntegrityError:
        done = Redemption.objects.filter(request_key=request_key).first() if request_key else None
        if done is None:
            raise
        done.replayed = True
        return done
    redemption.replayed = False
    return redemption


@transaction.atomic
def issue_redemption_code(*, account: CreditAccount, item: StoreItem, actor,
                          now: dt.datetime | None = None) -> RedemptionCode:
    """兑换码 — the resident picks an item on their phone page and gets a code to show at the
    shop, valid for ten minutes. Nothing is spent until the code is redeemed."""
    actor_ = Actor.coerce(actor)
    if not _is_holder(actor_, account):
        raise NotAllowed()
    now = now or timezone.now()
    if not item.is_active or item.community_id != account.community_id:
        raise ItemNotFound()
    if item.stock < 1:
        raise OutOfStock()
    if account.balance < item.price:
        raise ledger.NotEnoughCredit.for_item(balance=account.balance, item=item)
    for _attempt in range(5):
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        try:
            with transaction.atomic():
                return RedemptionCode.objects.create(code=code, account=account, item=item, created_at=now,
                                                     expires_at=now + CODE_LIFETIME)
        except IntegrityError:
            continue
    raise InvalidState(_("Could not make a code; please try again."))


@transaction.atomic
def redeem_code(*, actor, code: str, now: dt.datetime | None = None) -> Redemption:
    """核销 — a merchant (or the counter, for a counter item) enters the code a resident shows:
    the item is handed out and its price spent, once. A wrong, used or expired code is refused
    with one answer, whichever it is."""
    now = now or timezone.now()
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != CODE_DIGITS:
        raise BadCode()
    # The code row only (``of``): the item is taken later, after the account, in the fixed order.
    row = RedemptionCode.objects.select_for_update(of=("self",)).filter(code=code).select_related("item").first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise BadCode()
    item = row.item
    merchant = permissions.merchant_of(actor)
    if item.merchant_id is not None:
        if merchant is None or merchant.pk != item.merchant_id:
            raise BadCode()
    elif not permissions.may_run_counter(actor, item):
        raise BadCode()
    redemption = _redeem(account_id=row.account_id, item_id=item.pk, via=RedemptionVia.MERCHANT, actor=actor,
                         merchant=merchant, code=row, now=now)
    row.used_at = now
    row.save(update_fields=["used_at"])
    return redemption


def awarders_label(rule: CreditRule) -> str:
    return dict(Awarder.choices).get(rule.awarded_by, "")


# ---------------------------------------------------------------------------------------------
# The holder's page: its link sent, and disputes (申诉)
# ---------------------------------------------------------------------------------------------

LINK_TEMPLATE = "credit_link"
DISPUTE_KIND = "credit_dispute"


@transaction.atomic
def send_holder_link(*, actor, account: CreditAccount, now: dt.datetime | None = None) -> list[str]:
    """发送积分页链接 — a text message to the holder (the resident, or each member of the household
    with a mobile number) with the link to their credit page, through the outbox. Once a day per
    number: pressing again the same day sends nothing more. Returns the numbers, masked."""
    from wangge.notifications.models import OutboundMessage
    from wangge.notifications.outbox import queue_message
    from wangge.notifications.registry import OutboxChannel
    from wangge.residents.masking import mask_phone

    from . import selectors, signing

    actor_ = Actor.coerce(actor)
    if not actor_.is_staff or not permissions.may_see_account(actor_.user, account):
        raise NotAllowed(_("You may not send this account's link."))
    account = ledger.lock_account(account.pk)
    phones = selectors.holder_phones(account)
    if not phones:
        raise InvalidState(_("The holder has no mobile number on record to send the link to."))
    day = timezone.localdate(now or timezone.now()).isoformat()
    keys = {phone: f"credit-link:{account.pk}:{phone}:{day}" for phone in phones}
    if OutboundMessage.objects.filter(dedupe_key__in=keys.values()).count() == len(keys):
        raise InvalidState(_("The link was already sent today."))
    context = {"holder": selectors.holder_label(account), "balance": account.balance,
               "link": signing.public_link(account.pk)}
    sent = [phone for phone in phones
            if queue_message(channel=OutboxChannel.SMS, to=phone, template=LINK_TEMPLATE, subject=account,
                             dedupe_key=keys[phone], context=context) is not None]
    if not sent:
        raise InvalidState(_("Nothing was sent: text messages of this kind are switched off (消息模板)."))
    _publish("credit_link_sent", subject=account, key=f"credit.creditaccount:{account.pk}:link:{day}",
             actor=actor_.user, payload={"account_id": account.pk, "recipients": len(sent)})
    return [mask_phone(phone) for phone in sent]


def _community_staff(account: CreditAccount) -> list:
    from wangge.org.choices import Role
    from wangge.org.models import User

    return list(User.objects.filter(is_active=True, roles__is_active=True, roles__region_id=account.community_id,
                                    roles__role=Role.COMMUNITY_SECRETARY).distinct())


@transaction.atomic
def dispute_entry(*, actor, account: CreditAccount, entry: LedgerEntry, reason: str,
                  now: dt.datetime | None = None) -> CreditDispute:
    """有异议 — the holder objects to one entry of their account, on their phone page. The
    community's secretaries are notified; the dispute is listed on the account until they correct
    the entry or reply. One open dispute per entry: a second one while it is open is refused."""
    from django.urls import reverse

    from wangge.notifications.services import notify

    actor_ = Actor.coerce(actor)
    if not _is_holder(actor_, account) or entry.account_id != account.pk:
        raise NotAllowed()
    reason = _clean_text(reason, field="reason", max_length=300, required=True)
    account = ledger.lock_account(account.pk)
    if CreditDispute.objects.filter(entry=entry, status=DisputeStatus.OPEN).exists():
        raise InvalidState(_("You have already raised this entry; the community will answer."))
    dispute = CreditDispute.objects.create(account=account, entry=entry, reason=reason,
                                           created_at=now or timezone.now())
    _publish("credit_disputed", subject=dispute, key=f"credit.creditdispute:{dispute.pk}", actor=actor_,
             payload={"account_id": account.pk, "entry_id": entry.pk})
    message = office_text(gettext_lazy("Credit account #%(id)s: the holder disputes entry %(seq)s (%(amount)+d)."),
                          {"id": account.pk, "seq": entry.seq, "amount": entry.amount})
    notify(recipients=_community_staff(account), kind=DISPUTE_KIND, subject=dispute,
           url=reverse("credit:account", args=[account.pk]) + "#disputes", message=message)
    return dispute


def _close_dispute(dispute: CreditDispute, *, status: str, reply: str, actor, now, correction=None) -> None:
    dispute.status, dispute.reply, dispute.correction = status, reply, correction
    dispute.resolved_at, dispute.resolved_by = now, actor
    dispute.save(update_fields=["status", "reply", "correction", "resolved_at", "resolved_by"])
    _publish("credit_dispute_resolved", subject=dispute, key=f"credit.creditdispute:{dispute.pk}:resolved",
             actor=actor, payload={"account_id": dispute.account_id, "entry_id": dispute.entry_id,
                                   "status": status})


@transaction.atomic
def resolve_dispute(*, actor, dispute: CreditDispute, reply: str, correct: bool,
                    now: dt.datetime | None = None) -> CreditDispute:
    """处理申诉 — community staff settle a holder's dispute: with ``correct``, the entry is reversed
    (更正, the reply its reason); otherwise the reply explains why the entry stands. The holder
    sees the outcome and the reply on their page."""
    actor_ = Actor.coerce(actor)
    if not actor_.is_staff or not permissions.may_correct(actor_.user, dispute.account):
        raise NotAllowed(_("You may not correct this account."))
    reply = _clean_text(reply, field="reply", max_length=200, required=True)
    ledger.lock_account(dispute.account_id)  # the fixed order: account, then dispute
    dispute = CreditDispute.objects.select_for_update().select_related("entry", "account").get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN:
        raise InvalidState(_("This dispute has already been settled."))
    if correct:
        correct_entry(actor=actor_.user, entry=dispute.entry, reason=reply, now=now)  # closes the dispute
        dispute.refresh_from_db()
        return dispute
    _close_dispute(dispute, status=DisputeStatus.ANSWERED, reply=reply, actor=actor_.user, now=now or timezone.now())
    return dispute


def erase_from_account(*, account: CreditAccount, phones, names, actor=None) -> LedgerRedaction | None:
    """删除 in an account's record (PIPL erasure, ``resident_anonymised``): each of ``phones`` (in
    any form it was typed) and each of ``names`` (two characters or more) is replaced by 〔已删除〕
    in its entries' notes (``ledger.redact_chain``, which re-seals the hash chain and the
    account's head), its disputes' reasons and replies, and the texts sent about a changed entry
    (the 积分到账 SMS quotes the note). Someone else's number in the same text stays; amounts,
    balances and every figure stay. When anything changed, a ``LedgerRedaction`` row says what —
    entry and dispute ids and fields, never the words — and which entries did not verify before
    (``verify_credit`` goes on reporting them); returned (None when nothing matched). Runs in the
    erasure's transaction; locks the account first, as every action does."""
    from wangge.notifications.services import redact_about
    from wangge.residents.masking import fit_column, redactor

    found = redactor(phones=phones, names=names)
    account = ledger.lock_account(account.pk)
    chain = ledger.redact_chain(account, lambda note: fit_column(LedgerEntry, "note", found(note)))
    disputes: dict[str, list[str]] = {}
    changed = []
    for dispute in CreditDispute.objects.select_for_update().filter(account=account).order_by("pk"):
        for name in ("reason", "reply"):
            new = fit_column(CreditDispute, name, found(getattr(dispute, name)))
            if new != getattr(dispute, name):
                setattr(dispute, name, new)
                disputes.setdefault(str(dispute.pk), []).append(name)
        if str(dispute.pk) in disputes:
            changed.append(dispute)
    CreditDispute.objects.bulk_update(changed, ["reason", "reply"])
    notices = sum(redact_about(subject=entry, redact=found)
                  for entry in LedgerEntry.objects.filter(pk__in=[int(pk) for pk in chain.entries]).order_by("pk"))
    if not (chain.entries or disputes or notices):
        return None
    return LedgerRedaction.objects.create(account=account, actor=actor if getattr(actor, "pk", None) else None,
                                          entries=chain.entries, disputes=disputes, notices=notices,
                                          unverified=chain.unverified)
