"""``manage.py export_audit [--since DATE] [--until DATE] [--format csv|xlsx] [--output FILE] [--timeline]``

The audit for an inspection (Cybersecurity Law art. 21): admin changes, sign-ins, reporter and
resident data-access logs, data exports — with ``--timeline`` also a summary of every timeline
event with its hash — one table in time order. ``--since`` defaults to 30 days ago, ``--until``
(inclusive) to today; dates are local. CSV goes to standard output unless ``--output`` is given
(written with a BOM, so spreadsheet programs read the Chinese right). XLSX is a file, not a stream
for a terminal: without ``--output`` it is written to ``audit-<since>-<until>.xlsx`` in the current
directory (``-2``, ``-3`` … added rather than overwrite an earlier file), and the command says where.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ...export import audit_rows, write_csv, write_xlsx


def _day(text: str | None, default: dt.date, option: str) -> dt.date:
    if not text:
        return default
    day = parse_date(text)
    if day is None:
        raise CommandError(_("%(option)s: expected a date such as 2025-01-31.") % {"option": option})
    return day


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _default_xlsx(first: dt.date, last: dt.date) -> Path:
    """``audit-YYYYMMDD-YYYYMMDD.xlsx`` in the current directory, never an existing file."""
    stem = f"audit-{first:%Y%m%d}-{last:%Y%m%d}"
    path, n = Path(f"{stem}.xlsx"), 1
    while path.exists():
        n += 1
        path = Path(f"{stem}-{n}.xlsx")
    return path.resolve()


class Command(BaseCommand):
    help = "Export the audit (admin changes, sign-ins, data-access logs, optionally the timeline) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day (YYYY-MM-DD); default 30 days ago.")
        parser.add_argument("--until", help="Last day, inclusive (YYYY-MM-DD); default today.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write; default standard output for csv, "
                                             "audit-<since>-<until>.xlsx in the current directory for xlsx.")
        parser.add_argument("--timeline", action="store_true", help="Add a summary row for every timeline event.")

    def handle(self, *args, since, until, format, output, timeline, **options):
        today = timezone.localdate()
        first = _day(since, today - dt.timedelta(days=30), "--since")
        last = _day(until, today, "--until")
        if last < first:
            raise CommandError(_("--until is before --since."))
        rows = audit_rows(since=_start_of(first), until=_start_of(last + dt.timedelta(days=1)), timeline=timeline)
        if format == "xlsx":
            output = output or str(_default_xlsx(first, last))
            n = write_xlsx(rows, output)
        elif output:
            with open(output, "w", encoding="utf-8-sig", newline="") as stream:
                n = write_csv(rows, stream)
        else:
            n = write_csv(rows, self.stdout)
        if output:
            self.stderr.write(_("%(count)d rows written to %(file)s.") % {"count": n, "file": output})
