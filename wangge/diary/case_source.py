"""The diary source for cases (案件): every case event the worker wrote that day — filed, accepted,
reported in, progress, resolved … — read from the case timeline (read-only)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.cases.models import CaseEvent
from wangge.cases.timeline import event_types

from .days import bounds
from .sources import DiaryLine


def case_lines(worker, day: dt.date) -> list[DiaryLine]:
    start, end = bounds(day)
    rows = (CaseEvent.objects.filter(actor=worker, created_at__gte=start, created_at__lt=end)
            .select_related("case").order_by("created_at", "pk"))
    out = []
    for e in rows:
        entry = event_types.get(e.type)
        label = str(entry.label) if entry else e.type
        text = _("%(action)s case %(number)s: %(title)s") % {"action": label, "number": e.case.number,
                                                             "title": e.case.title}
        out.append(DiaryLine(at=e.created_at, source="cases", text=text,
                             url=reverse("web:case_detail", args=[e.case.number]),
                             extra={"section": "handling" if e.type != "created" else "problem"}))
    return out

