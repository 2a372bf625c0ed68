"""Files this app hands out, all through the shared formula-safe writer (``core.exports``):
the result report of a job, and the reply upward in the hotline's own columns (回复12345)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import CaseStatus, EventType, Satisfaction
from wangge.cases.models import Case, CaseEvent
from wangge.core.exports import write_xlsx

from .choices import Outcome
from .jobs import SOURCE
from .models import ImportJob, ImportLine, ImportSource
from .rows import HOTLINE_TZ, reason


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(HOTLINE_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def result_report(job: ImportJob) -> bytes:
    """Every row of the file: its line, order number, outcome, case number, the reason, the
    hotline's deadline (办理时限) and the case's own; for a job that has not imported (yet), the
    validation report."""
    headers = [_("Line"), _("Order number"), _("Outcome"), _("Case number"), _("Reason"), _("Hotline deadline"),
               _("Case's resolve deadline")]
    lines = job.lines.select_related("case").only("line", "order_number", "outcome", "reason", "hotline_deadline",
                                                  "case__number", "case__resolve_due_at")
    if lines.exists():
        rows = ([row.line, row.order_number, _label(Outcome, row.outcome), row.case.number if row.case else "",
                 row.reason, _local(row.hotline_deadline), _local(row.case.resolve_due_at) if row.case else ""]
                for row in lines.iterator(chunk_size=2000))
    else:
        rows = ([p["line"], "", _("Not valid"), "", f"{p['column']}：{reason(p['code'], **p.get('params', {}))}"]
                for p in job.errors)
    return write_xlsx(headers, rows, title=_("Import result"))


def cases_for_reply(*, source: ImportSource | None, sources: QuerySet[ImportSource], start: dt.date,
                    end: dt.date) -> QuerySet[ImportLine]:
    """The imported orders received from ``start`` to ``end`` (Beijing days, inclusive), of one
    source or of every source the user has; one line per order (the latest import of it)."""
    since = dt.datetime.combine(start, dt.time(), tzinfo=HOTLINE_TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=HOTLINE_TZ)
    lines = ImportLine.objects.filter(
        outcome__in=[Outcome.FILED, Outcome.EXISTING], case__source=SOURCE,
        case__submitted_at__gte=since, case__submitted_at__lt=until,
        job__source__in=[source] if source is not None else sources,
    )
    return lines


def linked_orders(*, subdistricts, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The 12345 orders received from ``start`` to ``end`` that the hotline's system filed itself
    through the API (source 12345, the order number as external id) in ``subdistricts``: no import
    line names them, and the reply owes the hotline their answer all the same."""
    since = dt.datetime.combine(start, dt.time(), tzinfo=HOTLINE_TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=HOTLINE_TZ)
    imported = ImportLine.objects.filter(case=OuterRef("pk"))
    return (Case.objects.filter(source=SOURCE, subdistrict__in=list(subdistricts), submitted_at__gte=since,
                                submitted_at__lt=until)
            .exclude(external_id="").exclude(Exists(imported)))


def reply_upward(lines: QuerySet[ImportLine], linked: QuerySet[Case] | None = None) -> bytes:
    """回复12345 — one row per order, in the hotline's terms: what was done, the answer, the times.
    ``linked``: orders filed through the API (``linked_orders``), answered alike: their order
    number and 办理时限 are the case's own (external id, 来源时限)."""
    headers = [_("Order number"), _("Case number"), _("Title"), _("Time received"), _("Hotline deadline"),
               _("Handling status"), _("Lead department"), _("What was done"), _("Answer"), _("Accepted at"),
               _("Dispatched at"), _("Resolved at"), _("Resolved on time"), _("Satisfaction"), _("Closed at")]
    latest: dict[int, tuple[str, dt.datetime | None]] = {}
    for row in lines.order_by("case_id", "-job_id").only("case_id", "order_number", "hotline_deadline", "job_id"):
        latest.setdefault(row.case_id, (row.order_number, row.hotline_deadline))
    if linked is not None:
        for pk, number, due in linked.values_list("pk", "external_id", "source_due_at"):
            latest.setdefault(pk, (number, due))
    notes = Prefetch("events", queryset=CaseEvent.objects.filter(public=True).exclude(note="").order_by("created_at"),
                     to_attr="public_notes")
    cases = Case.objects.filter(pk__in=list(latest)).select_related("lead_department").prefetch_related(notes) \
        .order_by("submitted_at", "pk")

    def rows():
        for case in cases.iterator(chunk_size=1000):
            order_number, hotline_deadline = latest[case.pk]
            done = "\n".join(f"{_local(e.created_at)} {_label(EventType, e.type)}：{e.note}" for e in case.public_notes)
            on_time = "" if case.resolved_on_time is None else (_("Yes") if case.resolved_on_time else _("No"))
            yield [order_number, case.number, case.title, _local(case.submitted_at), _local(hotline_deadline),
                   _label(CaseStatus, case.status), case.lead_department.name if case.lead_department else "",
                   done, case.result, _local(case.accepted_at), _local(case.dispatched_at), _local(case.resolved_at),
                   on_time, _label(Satisfaction, case.satisfaction), _local(case.closed_at)]

    return write_xlsx(headers, rows(), title=_("Reply to 12345"))


def reply_filename(start: dt.date, end: dt.date) -> str:
    return f"12345-reply-{start:%Y%m%d}-{end:%Y%m%d}-{timezone.now():%H%M%S}.xlsx"
