"""The timeline's event types (时间线事件类型) — registered, so other apps can add their own.

``cases`` registers every ``EventType`` it writes; an app that writes its own rows on a case's
timeline (through ``cases.events.record_event``, called from its own action that runs inside a
case action or alongside it) registers the type first::

    register_event_type("patrol_found", _("Found on patrol"), domain_event="case_found_on_patrol")

Each type publishes a domain event of the same moment (``domain_event``; by default
``"case_" + value``), defined here so subscribers can check the name.
"""

from __future__ import annotations

from wangge.core.events import define_event
from wangge.core.registry import Registry

from .choices import EventType

event_types = Registry("timeline event types")

# The case desk's own domain events and what their payload carries beyond the common keys
# (number, event_type, from_status, to_status, channel, note, public, data, reporter_id,
# has_reporter_phone, grid_id, community_id, related).
DOMAIN_EVENT_DOCS = {
    EventType.CREATED: "A case was filed. data: channel, category, grid.",
    EventType.ACCEPTED: "受理: the case was taken on. data: classification changes.",
    EventType.REJECTED: "不予受理. note: the reason.",
    EventType.DISPATCHED: "派单 / 转派. data: lead, co_handlers, level, redispatch.",
    EventType.CLAIMED: "认领: a handler took it on.",
    EventType.RETURNED: "退单: the handler sent it back. note: the reason.",
    EventType.RESOLVED: "办结. note: the answer the resident is told; data: on_time.",
    EventType.ESCALATED: "上报 / 自动升级. data: level, star, automatic.",
    EventType.DEADLINE_AGREED: "议定时限: a consultation agreed the resolve deadline. data: resolve_due_at [old, new]; "
                               "note: where it was agreed.",
    EventType.REVISITED: "回访. data: lawful, in_place, accepted.",
    EventType.REVISIT_FAILED: "回访未接通: a callback did not reach the resident. data: attempt (of this answer), "
                              "needed (before the case may be closed as not reachable); too_soon: within the gap "
                              "of the last counted one (不同时段), so not counted.",
    EventType.RATED: "评价. data: satisfaction [old, new].",
    EventType.REOPENED: "重办. note: the reason.",
    EventType.CLOSED: "结案. data: revisit (done | no_contact | unreachable), rating (the satisfaction, "
                      "declined, or the no-revisit reason), attempts.",
    EventType.MERGED: "合并 into another case. data: into.",
    EventType.PII_REDACTED: "PIPL erasure: an erased resident's number and name were replaced by 〔已删除〕 in the "
                            "case's free text (staff-only). data: case (its fields changed), events (event id → "
                            "fields changed, re-sealed), files (attachments renamed), extensions, unverified (rows "
                            "that failed verification before the re-sealing).",
}

_OVERRIDES = {EventType.CREATED: "case_filed"}


def domain_event_name(event_type: str) -> str:
    entry = event_types.get(event_type)
    return entry.domain_event if entry is not None else f"case_{event_type}"


def register_event_type(value: str, label, *, domain_event: str | None = None, doc: str = ""):
    """Add a timeline event type (and define its domain event)."""
    name = domain_event or _OVERRIDES.get(value) or f"case_{value}"
    entry = event_types.register(value, label, domain_event=name)
    define_event(name, label=label, doc=doc)
    return entry


for _type in EventType:
    register_event_type(_type.value, _type.label, doc=DOMAIN_EVENT_DOCS.get(_type, ""))
del _type
