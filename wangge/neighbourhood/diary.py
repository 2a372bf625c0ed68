"""Lines of the work diary (网格长工作日记) from this app: a chief's door-to-door visits (入户问,
the sentiment diary) and the services they recorded, on one local day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SentimentEntry, ServiceRecord

TZ = ZoneInfo("Asia/Shanghai")


def _bounds(day: dt.date):
    start = dt.datetime.combine(day, dt.time.min, tzinfo=TZ)
    return start, start + dt.timedelta(days=1)


def visit_lines(worker, day: dt.date):
    from wangge.diary.sources import DiaryLine

    start, end = _bounds(day)
    for e in SentimentEntry.objects.filter(chief__user=worker, visited_at__gte=start, visited_at__lt=end) \
            .select_related("region").order_by("visited_at"):
        yield DiaryLine(at=e.visited_at, source="neighbourhood.visits",
                        text=_("Door-to-door visit, %(place)s: %(note)s") % {"place": e.region.name,
                                                                            "note": e.note[:80]},
                        extra={"place": e.region.name})


def service_lines(worker, day: dt.date):
    from wangge.diary.sources import DiaryLine

    start, end = _bounds(day)
    for s in ServiceRecord.objects.filter(chief__user=worker, served_at__gte=start, served_at__lt=end) \
            .select_related("resource", "region").order_by("served_at"):
        yield DiaryLine(at=s.served_at, source="neighbourhood.services",
                        text=_("Service by %(resource)s: %(what)s") % {"resource": s.resource.name,
                                                                       "what": s.description[:80]},
                        url=reverse("neighbourhood:service", args=[s.pk]), extra={"place": s.region.name})
