"""What the credit ledger does when a case event is published: a resident whose report is
confirmed (受理 — the case accepted) earns the credit of the rules that trigger on it.

Durable (``Mode.DURABLE``): the award must not be lost if a process dies after the commit. The
ledger's idempotency key (``case``, ``<case id>:<rule code>``, account) makes a repeat harmless.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from wangge.core.events import DomainEvent
from wangge.core.localcache import ProcessCache
from wangge.org.models import Region
from wangge.residents.models import Resident

from . import actions
from .models import CreditAccount, CreditRule


def _read_triggers() -> list[tuple[str, tuple[str, ...]]]:
    return [(r.trigger_event, tuple(r.channels)) for r in CreditRule.objects.filter(is_active=True)
            .exclude(trigger_event="")]


# The active rules' triggers, as this process keeps them (a few seconds old at most).
_triggers: ProcessCache[list] = ProcessCache(_read_triggers)


def _rules_changed(sender, **kwargs) -> None:
    _triggers.invalidate()


post_save.connect(_rules_changed, sender=CreditRule, dispatch_uid="credit.triggers.saved")
post_delete.connect(_rules_changed, sender=CreditRule, dispatch_uid="credit.triggers.deleted")


def may_earn(event: DomainEvent) -> bool:
    """The subscription's ``when``: a reported case on a channel some active rule rewards — so an
    acceptance nobody earns from writes no reaction row (no query: the rules are cached)."""
    payload = event.payload
    if not payload.get("reporter_id"):
        return False
    channel = payload.get("channel")
    return any(trigger == event.name and (not channels or channel in channels)
               for trigger, channels in _triggers.get())


def award_for_confirmed_report(event: DomainEvent) -> int:
    """Award each active rule triggered by ``event.name`` whose channels include the case's."""
    payload = event.payload
    resident_id = payload.get("reporter_id")
    if not resident_id:
        return 0
    rules = [r for r in CreditRule.objects.filter(is_active=True, trigger_event=event.name)
             if not r.channels or payload.get("channel") in r.channels]
    if not rules:
        return 0
    resident = Resident.objects.filter(pk=resident_id, merged_into__isnull=True, anonymised_at__isnull=True).first()
    if resident is None:
        return 0
    account = CreditAccount.objects.filter(resident=resident).first()
    if account is None:
        place = Region.objects.filter(pk=payload.get("grid_id") or payload.get("community_id")).first()
        if place is None:
            return 0
        from wangge.core.actors import Actor

        account = actions.open_account(actor=Actor.system(), region=place, resident=resident)
    booked = 0
    for rule in rules:
        entry = actions.award_automatically(account=account, rule=rule, source="case",
                                            source_id=f"{event.subject_id}:{rule.code}",
                                            note=str(payload.get("number", ""))[:200])
        booked += 0 if entry.replayed else 1
    return booked


def tell_resident_of_earning(event: DomainEvent) -> None:
    """积分到账 — an SMS to the holder (the resident, or each member of the household with a mobile
    number) when credit is earned, queued in the booking's own transaction (the outbox delivers it
    after commit; one per entry and number, by its dedupe key)."""
    from wangge.notifications.outbox import queue_message
    from wangge.notifications.registry import OutboxChannel

    from . import selectors, signing
    from .models import LedgerEntry

    if event.payload.get("kind") != "earn":
        return
    entry = (LedgerEntry.objects.select_related("account__resident", "account__household", "rule")
             .filter(pk=event.subject_id).first())
    if entry is None:
        return
    phones = selectors.holder_phones(entry.account)
    if not phones:
        return
    context = {"points": entry.amount, "balance": entry.balance_after,
               "reason": entry.rule.name if entry.rule_id else entry.note,
               "link": signing.public_link(entry.account_id)}
    for i, phone in enumerate(phones):
        # The first number keeps the key it always had (a replayed event finds it).
        queue_message(channel=OutboxChannel.SMS, to=phone, template="credit_earned", subject=entry,
                      dedupe_key=f"{event.key}:sms" if i == 0 else f"{event.key}:sms:{phone}", context=context)


def residents_merged(sender, *, kept, merged, **kwargs) -> None:
    """Two residents are one person: one credit account for them (``actions.merge_resident_accounts``)."""
    actions.merge_resident_accounts(kept=kept, merged=merged)


def erase_from_ledger(sender, *, resident, phone: str = "", name: str = "", household_id=None, **kwargs) -> None:
    """PIPL erasure (``resident_anonymised``): the erased number and name go from the texts of the
    resident's account and of the account of the household they were in — entry notes (the chain
    re-sealed), disputes, the texts sent about them (``actions.erase_from_account``). The accounts,
    their entries and every figure stay; the household's balance is the household's. (The
    resident's own account holds no credit: a resident with unspent credit is not erased,
    ``open_business``.)"""
    actor = getattr(resident, "anonymised_by", None)
    theirs = Q(resident=resident) | Q(household_id=household_id) if household_id else Q(resident=resident)
    for account in CreditAccount.objects.filter(theirs).order_by("pk"):
        actions.erase_from_account(account=account, phones=[phone], names=[name], actor=actor)


def open_business(resident) -> str | None:
    """A resident with unspent credit is not erased (the credit would be lost with them)."""
    from django.utils.translation import gettext as _

    if CreditAccount.objects.filter(resident=resident, balance__gt=0).exists():
        return _("holds unspent credit")
    return None
