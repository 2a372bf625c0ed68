"""The diary's lines from patrols (网格长工作日记): check-ins and findings of one local day."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.diary.sources import DiaryLine

from .models import CheckIn, Finding
from .windows import SHANGHAI, day_bounds


def checkin_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = day_bounds(day)
    rows = (CheckIn.objects.filter(worker=worker, client_time__gte=start, client_time__lt=end)
            .select_related("point").order_by("client_time", "pk"))
    lines = []
    for c in rows:
        flags = []
        if c.is_far:
            flags.append(_("far from the point"))
        if c.is_late:
            flags.append(_("submitted late"))
        if c.by_plate:
            flags.append(_("by QR plate"))
        text = _("Checked in at %(point)s") % {"point": c.point.name}
        if flags:
            text += " (" + ", ".join(flags) + ")"
        if c.notes:
            text += ": " + c.notes
        lines.append(DiaryLine(at=c.client_time.astimezone(SHANGHAI), source="patrols.checkins", text=text,
                               url=reverse("patrols:checkin", args=[c.pk]),
                               extra={"place": c.point.name, "result": c.notes}))
    return lines


def finding_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = day_bounds(day)
    rows = (Finding.objects.filter(worker=worker, checkin__client_time__gte=start, checkin__client_time__lt=end)
            .select_related("point", "case", "checkin").order_by("checkin__client_time", "pk"))
    return [
        DiaryLine(at=f.checkin.client_time.astimezone(SHANGHAI), source="patrols.findings",
                  text=_("Found at %(point)s: %(text)s → case %(number)s (%(how)s)")
                  % {"point": f.point.name, "text": f.description[:60], "number": f.case.number,
                     "how": f.get_handling_class_display()},
                  url=reverse("web:case_detail", args=[f.case.number]) if f.case_id else "",
                  extra={"place": f.point.name, "result": f.case.get_status_display()})
        for f in rows
    ]
