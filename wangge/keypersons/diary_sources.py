"""The diary's lines from key persons: visits (六访), attendance (六到) and quick reports (六报)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from wangge.diary.sources import DiaryLine

from .choices import HelpNeeded
from .models import Attendance, QuickReport, Visit
from .periods import day_bounds


def visit_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = day_bounds(day)
    out = []
    for v in Visit.objects.filter(worker=worker, visited_at__gte=start, visited_at__lt=end).select_related(
            "key_person", "case"):
        text = _("Visited %(person)s (%(mood)s)") % {"person": str(v.key_person), "mood": v.get_mood_display()}
        if v.found:
            text += _(": %(found)s") % {"found": v.found}
        out.append(DiaryLine(at=v.visited_at, source="keypersons.visits", text=text,
                             url=v.key_person.get_absolute_url(), extra={"section": "work", "place": v.place}))
        if v.help_needed != HelpNeeded.NONE:
            need = v.need_note or v.found
            handled = (_("case %(number)s opened") % {"number": v.case.number}) if v.case_id else _("service need noted")
            out.append(DiaryLine(at=v.visited_at, source="keypersons.visits", text=f"{need} — {handled}",
                                 extra={"section": "problem"}))
    return out


def attendance_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = day_bounds(day)
    return [DiaryLine(at=a.at, source="keypersons.attendance",
                      text=_("Attended (六到): %(kind)s %(note)s") % {"kind": a.get_kind_display(), "note": a.note},
                      extra={"section": "work", "place": a.place})
            for a in Attendance.objects.filter(worker=worker, at__gte=start, at__lt=end)]


def report_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = day_bounds(day)
    out = []
    for r in QuickReport.objects.filter(worker=worker, at__gte=start, at__lt=end).select_related("case"):
        text = _("Reported (六报): %(kind)s %(note)s → %(to)s") % {"kind": r.get_kind_display(), "note": r.note,
                                                                  "to": r.routed_to}
        out.append(DiaryLine(at=r.at, source="keypersons.reports", text=text,
                             extra={"section": "problem", "place": r.place}))
    return out
