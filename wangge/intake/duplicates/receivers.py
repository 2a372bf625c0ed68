"""What the duplicate finder does when the case desk publishes a case event."""

from __future__ import annotations

import logging

from django.utils import timezone

from wangge.cases import selectors as case_selectors
from wangge.core.events import DomainEvent
from wangge.notifications.outbox import withdraw_messages
from wangge.replies.receivers import office_hotline

from . import actions
from .models import CaseReporterLink

log = logging.getLogger("wangge.duplicates")


def merged(event: DomainEvent) -> None:
    """ATOMIC, on ``case_merged``: in the merge's own transaction, count the merged report's
    reporter on the surviving case and tell them."""
    duplicate = case_selectors.case_by_id(event.subject_id)
    actions.link_merged_reporters(duplicate=duplicate, event_key=event.key)


def _has_links(event: DomainEvent) -> bool:
    return CaseReporterLink.objects.filter(case_id=event.subject_id).exists()


def accepted(event: DomainEvent) -> None:
    """ATOMIC, on ``case_accepted``: the further reporters hear it, as the case's own does."""
    if not _has_links(event):
        return
    case = case_selectors.case_by_id(event.subject_id)
    actions.tell_linked_reporters(case=case, event_key=event.key, template=actions.TEMPLATE_LINKED_ACCEPTED,
                                  context={"due": _local_date(case.resolve_due_at)})


def resolved(event: DomainEvent) -> None:
    """ATOMIC, on ``case_resolved``: the further reporters hear the answer."""
    if not _has_links(event):
        return
    case = case_selectors.case_by_id(event.subject_id)
    answer = (event.payload.get("note") if event.payload.get("public", True) else "") or case.result
    actions.tell_linked_reporters(case=case, event_key=event.key, template=actions.TEMPLATE_LINKED_RESOLVED,
                                  context={"answer": actions.short(answer)})


def rejected(event: DomainEvent) -> None:
    """ATOMIC, on ``case_rejected``: the further reporters, told it would be handled, hear that it
    is not and why; an "accepted" text to them still waiting is withdrawn."""
    if not _has_links(event):
        return
    case = case_selectors.case_by_id(event.subject_id)
    withdraw_messages(subject=case, templates=[actions.TEMPLATE_LINKED_ACCEPTED],
                      reason="withdrawn: the case was rejected before this message went out")
    actions.tell_linked_reporters(case=case, event_key=event.key, template=actions.TEMPLATE_LINKED_REJECTED,
                                  context={"reason": actions.short(event.payload.get("note")),
                                           "hotline": office_hotline()})


def residents_merged(sender, *, kept, merged, **kwargs) -> None:
    actions.repoint_links_of_merged_resident(kept=kept, merged=merged)


def follows_open_cases(resident) -> str | None:
    """Retention check: a resident still following a case being handled keeps their data."""
    from django.utils.translation import gettext as _

    from wangge.cases.choices import OPEN_STATUSES

    if CaseReporterLink.objects.filter(resident=resident, case__status__in=OPEN_STATUSES).exists():
        return _("follows cases still being handled")
    return None


def _local_date(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    prefix = f"{local.year}年" if local.year != timezone.localdate().year else ""
    return f"{prefix}{local.month}月{local.day}日"
