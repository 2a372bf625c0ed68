"""The exportable audit: admin changes, sign-ins, data-access logs (residents, case reporters, key
persons, and residents' own views of their data), data exports and (optionally) the timeline,
as one table in time order — CSV or XLSX.

Every row: time, category, who, IP address, subject, action, detail. Timeline rows carry their
hash: a file handed to an inspector anchors the chains (a later rewrite of the timeline, even
one that recomputes the hashes, no longer matches the copy).

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a return) are
written with a leading apostrophe, by the shared safe writer every export uses
(``wangge.core.exports``).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from urllib.parse import unquote_plus

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.utils import timezone
from django.utils.translation import pgettext

from wangge.cases.models import CaseEvent, ReporterAccessLog
from wangge.core.exports import stream_csv, stream_xlsx
from wangge.keypersons.models import KeyPersonAccessLog
from wangge.residents.models import ResidentAccessLog, SelfAccessLog

from .models import DataExportRecord, SignInRecord

CHUNK = 2000


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    category: str
    who: str
    ip: str
    subject: str
    action: str
    detail: str


def headers() -> list[str]:
    return [
        pgettext("audit export", "time"), pgettext("audit export", "category"), pgettext("audit export", "who"),
        pgettext("audit export", "IP address"), pgettext("audit export", "subject"),
        pgettext("audit export", "action"), pgettext("audit export", "detail"),
    ]


def _when(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def _admin_changes(since, until) -> Iterator[AuditRow]:
    flags = {ADDITION: pgettext("audit export", "added"), CHANGE: pgettext("audit export", "changed"),
             DELETION: pgettext("audit export", "deleted")}
    rows = (LogEntry.objects.filter(action_time__gte=since, action_time__lt=until)
            .select_related("user", "content_type").order_by("action_time", "pk"))
    for entry in rows.iterator(chunk_size=CHUNK):
        kind = entry.content_type.name if entry.content_type_id else ""
        yield AuditRow(entry.action_time, pgettext("audit export", "admin change"), entry.user.get_username(), "",
                       f"{kind} {entry.object_repr} (#{entry.object_id})".strip(),
                       flags.get(entry.action_flag, str(entry.action_flag)), entry.get_change_message())


def _sign_ins(since, until) -> Iterator[AuditRow]:
    rows = SignInRecord.objects.filter(at__gte=since, at__lt=until).order_by("at", "pk")
    for record in rows.iterator(chunk_size=CHUNK):
        yield AuditRow(record.at, pgettext("audit export", "sign-in"), record.username, record.ip_address or "",
                       "", record.get_kind_display(), record.user_agent)


def _granted(row) -> str:
    return pgettext("audit export", "granted") if row.granted else pgettext("audit export", "refused")


def _reporter_access(since, until) -> Iterator[AuditRow]:
    rows = (ReporterAccessLog.objects.filter(accessed_at__gte=since, accessed_at__lt=until)
            .select_related("user", "case").order_by("accessed_at", "pk"))
    for row in rows.iterator(chunk_size=CHUNK):
        yield AuditRow(row.accessed_at, pgettext("audit export", "reporter data access"), row.user.get_username(),
                       row.ip_address or "", pgettext("audit export", "case %(number)s") % {"number": row.case.number},
                       _granted(row), row.channel)


def _resident_access(since, until) -> Iterator[AuditRow]:
    rows = (ResidentAccessLog.objects.filter(accessed_at__gte=since, accessed_at__lt=until)
            .select_related("user").order_by("accessed_at", "pk"))
    for row in rows.iterator(chunk_size=CHUNK):
        yield AuditRow(row.accessed_at, pgettext("audit export", "resident data access"), row.user.get_username(),
                       row.ip_address or "", pgettext("audit export", "resident #%(id)d") % {"id": row.resident_id},
                       _granted(row), row.purpose)


def _self_access(since, until) -> Iterator[AuditRow]:
    """本人查阅 — a resident opened their own data on 我的个人信息 after proving their phone (PIPL
    art. 45): who looked was the resident, not a member of staff."""
    rows = SelfAccessLog.objects.filter(accessed_at__gte=since, accessed_at__lt=until).order_by("accessed_at", "pk")
    for row in rows.iterator(chunk_size=CHUNK):
        yield AuditRow(row.accessed_at, pgettext("audit export", "resident's own data view"),
                       pgettext("audit export", "the resident"), row.ip_address or "",
                       pgettext("audit export", "resident #%(id)d") % {"id": row.resident_id},
                       pgettext("audit export", "viewed"), pgettext("audit export", "after an SMS code"))


def _key_person_access(since, until) -> Iterator[AuditRow]:
    """The key-person register's log: each full view of a person (ID number included) and each
    export of the register, granted or refused."""
    rows = (KeyPersonAccessLog.objects.filter(accessed_at__gte=since, accessed_at__lt=until)
            .select_related("user").order_by("accessed_at", "pk"))
    for row in rows.iterator(chunk_size=CHUNK):
        subject = (pgettext("audit export", "key person #%(id)d") % {"id": row.key_person_id} if row.key_person_id
                   else pgettext("audit export", "key-person register"))
        detail = row.get_kind_display()
        if row.rows:
            detail += " " + pgettext("audit export", "%(rows)d rows") % {"rows": row.rows}
        if row.purpose:
            detail += " · " + row.purpose
        yield AuditRow(row.accessed_at, pgettext("audit export", "key-person data access"), row.user.get_username(),
                       row.ip_address or "", subject, _granted(row), detail)


def _data_exports(since, until) -> Iterator[AuditRow]:
    rows = DataExportRecord.objects.filter(at__gte=since, at__lt=until).order_by("at", "pk")
    for record in rows.iterator(chunk_size=CHUNK):
        detail = pgettext("audit export", "%(rows)d rows; filters: %(filters)s") % {
            "rows": record.rows, "filters": unquote_plus(record.filters) or "—"}
        if record.cut:
            detail += " " + pgettext("audit export", "(cut at the row cap)")
        yield AuditRow(record.at, pgettext("audit export", "data export"), record.username, record.ip_address or "",
                       record.get_what_display(), pgettext("audit export", "exported"), detail)


def _timeline(since, until) -> Iterator[AuditRow]:
    """A summary of each timeline event: who did what to which case — not its note or data
    (they may hold a resident's words) — and its hash."""
    rows = (CaseEvent.objects.filter(created_at__gte=since, created_at__lt=until)
            .select_related("case", "actor")
            .only("created_at", "type", "actor_kind", "from_status", "to_status", "hash", "case", "case__number",
                  "actor", "actor__username")
            .order_by("created_at", "pk"))
    for event in rows.iterator(chunk_size=CHUNK):
        who = event.actor.get_username() if event.actor_id else event.get_actor_kind_display()
        change = f"{event.from_status} → {event.to_status}" if event.from_status or event.to_status else ""
        case = pgettext("audit export", "case %(number)s") % {"number": event.case.number}
        yield AuditRow(event.created_at, pgettext("audit export", "timeline"), who, "", case, event.get_type_display(),
                       f"{change} #{event.pk} {event.hash}".strip())


def audit_rows(*, since: dt.datetime, until: dt.datetime, timeline: bool = False) -> Iterator[AuditRow]:
    """Every audit row with ``since <= time < until``, oldest first."""
    sources = [_admin_changes(since, until), _sign_ins(since, until), _reporter_access(since, until),
               _resident_access(since, until), _self_access(since, until), _key_person_access(since, until),
               _data_exports(since, until)]
    if timeline:
        sources.append(_timeline(since, until))
    return heapq.merge(*sources, key=lambda row: row.at)


def _cells(row: AuditRow) -> list[str]:
    """The row as text; the shared writer neutralises formula-like cells."""
    return [str(v) for v in (_when(row.at), *astuple(row)[1:])]


def write_csv(rows: Iterable[AuditRow], stream) -> int:
    """Write the rows to a text stream (UTF-8 with a BOM is the caller's choice); returns how many."""
    return stream_csv(stream, headers(), (_cells(row) for row in rows))


def write_xlsx(rows: Iterable[AuditRow], target) -> int:
    """Write the rows to an XLSX file (a path or a binary stream); returns how many."""
    return stream_xlsx(target, headers(), (_cells(row) for row in rows), title=pgettext("audit export", "Audit"))
