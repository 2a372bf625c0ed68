"""Rows as the GeoReport v2 spec names them (and FixMyStreet's update extension). Public only:
free text goes through ``public_text``, which masks phone and ID numbers residents type into
their descriptions."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import CaseStatus, EventType
from wangge.residents.masking import mask_name, mask_phone, valid_phone

from .selectors import OPEN

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00+08:00"  # when this endpoint's behaviour last changed
FORMATS = ["text/xml", "application/json"]
_DIGITS = re.compile(r"\d{7,}")


def moment(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the platform's time zone: 2026-03-01T09:30:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def public_text(value: str | None, case=None) -> str:
    """Free text as the public may read it: runs of 7+ digits (phones, ID numbers) masked, and
    the reporter's name where the text repeats it (a staff note: 已联系报告人张三)."""
    def mask(match):
        run = match.group(0)
        return mask_phone(run) if valid_phone(run) else run[:3] + "*" * (len(run) - 5) + run[-2:]
    text = _DIGITS.sub(mask, value or "")
    name = (getattr(case, "reporter_name", "") or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def discovery(base_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": getattr(settings, "WANGGE_OPEN311_CONTACT", "") or _("The sub-district office's service desk"),
        "key_service": _("API keys are issued by the platform's administrators (admin → Open311 client apps)."),
        "endpoints": [{
            "specification": SPEC_URL,
            "url": base_url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": FORMATS,
        }],
    }


def service(category, group, metadata: bool) -> dict:
    keywords = ", ".join(k for k in (category.keywords or "").split() if k)
    return {
        "service_code": category.code,
        "service_name": category.resident_label or category.name,
        "description": category.name,
        "metadata": metadata,
        "type": "realtime",
        "keywords": keywords or None,
        "group": group,
    }


def service_definition(category, attributes) -> dict:
    return {
        "service_code": category.code,
        "attributes": [{
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description or None,
            "order": a.order,
            "description": a.description,
            "values": [{"key": str(v.get("key")), "name": str(v.get("name", v.get("key")))}
                       for v in a.values or [] if isinstance(v, dict)],
        } for a in attributes],
    }


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN else "closed"


def status_notes(case) -> str:
    if case.status == CaseStatus.REJECTED:
        return _("Not taken up. Reason: %(reason)s") % {"reason": public_text(case.public_reason, case)} \
            if case.public_reason else _("Not taken up.")
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case.result:
        return public_text(case.result, case)
    if case.status == CaseStatus.MERGED and case.merged_into_id:
        return _("Handled together with request %(number)s.") % {"number": case.merged_into.number}
    return {
        CaseStatus.SUBMITTED: _("Received, waiting to be accepted."),
        CaseStatus.ACCEPTED: _("Accepted; finding who will handle it."),
        CaseStatus.DISPATCHED: _("Sent to the office that handles it."),
        CaseStatus.IN_PROGRESS: _("Being handled."),
        CaseStatus.SUSPENDED: _("Handling is paused for now."),
        CaseStatus.RESOLVED: _("Handled."),
        CaseStatus.CLOSED: _("Finished."),
    }.get(case.status, "")


def service_notice(case) -> str | None:
    if case.status not in OPEN:
        return None
    due = dateformat.format(timezone.localtime(case.resolve_due_at), "Y-m-d H:i")
    return _("To be handled by %(due)s (working-day deadline).") % {"due": due}


def _open311_row(case):
    try:
        return case.open311
    except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist: not filed through Open311
        return None


def request(case) -> dict:
    row = _open311_row(case)
    category = case.category
    return {
        "service_request_id": case.number,
        "status": open_or_closed(case.status),
        "status_notes": status_notes(case) or None,
        "service_name": (category.resident_label or category.name) if category else None,
        "service_code": category.code if category else "",
        "description": public_text(case.description, case),
        "agency_responsible": case.lead_department.name if case.lead_department_id else None,
        "service_notice": service_notice(case),
        "requested_datetime": moment(case.submitted_at),
        "updated_datetime": moment(getattr(case, "public_updated_at", None) or case.submitted_at),
        "expected_datetime": moment(case.resolve_due_at),
        "address": public_text(case.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": (row.media_url or None) if row else None,
    }


def created(case, received) -> dict:
    """The answer to POST Service Request (realtime: the id at once, and the token for retries)."""
    return {
        "service_request_id": case.number,
        "token": received.token if received else None,
        "service_notice": service_notice(case),
        "account_id": (received.account_id or None) if received else None,
    }


def token(received) -> dict:
    return {"service_request_id": received.case.number, "token": received.token}


# Our timeline steps in FixMyStreet's update statuses.
UPDATE_STATUS = {
    EventType.CREATED: "open",
    EventType.ACCEPTED: "investigating",
    EventType.REJECTED: "no_further_action",
    EventType.DISPATCHED: "action_scheduled",
    EventType.CLAIMED: "in_progress",
    EventType.RETURNED: "investigating",
    EventType.PROGRESS: "in_progress",
    EventType.EXTENSION_APPROVED: "in_progress",
    EventType.SUSPENDED: "in_progress",
    EventType.RESUMED: "in_progress",
    EventType.RESOLVED: "fixed",
    EventType.ESCALATED: "internal_referral",
    EventType.REVISITED: "fixed",
    EventType.RATED: "fixed",
    EventType.REOPENED: "open",
    EventType.CLOSED: "closed",
    EventType.MERGED: "duplicate",
}


def _update_text(event) -> str:
    t = event.type
    if t in (EventType.REJECTED, EventType.PROGRESS, EventType.SUSPENDED, EventType.RESOLVED) and event.note:
        return public_text(event.note, event.case)
    return {
        EventType.CREATED: _("Report received."),
        EventType.ACCEPTED: _("Report accepted."),
        EventType.REJECTED: _("Report not taken up."),
        EventType.DISPATCHED: _("Sent to the office that handles it."),
        EventType.CLAIMED: _("The office in charge is working on it."),
        EventType.RETURNED: _("Finding the right office to handle it."),
        EventType.EXTENSION_APPROVED: _("More time was given to handle it."),
        EventType.SUSPENDED: _("Handling is paused for now."),
        EventType.RESUMED: _("Handling has resumed."),
        EventType.RESOLVED: _("Handled."),
        EventType.ESCALATED: _("Passed up a level for coordination."),
        EventType.REVISITED: _("We called back to check how it went."),
        EventType.RATED: _("The resident rated the answer."),
        EventType.REOPENED: _("Being handled again."),
        EventType.CLOSED: _("Finished."),
        EventType.MERGED: _("Handled together with a report of the same problem."),
    }.get(t, "")


def update(event) -> dict:
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": UPDATE_STATUS.get(event.type, "open"),
        "updated_datetime": moment(event.created_at),
        "description": _update_text(event),
        "media_url": None,
        "external_status_code": event.type,
    }


