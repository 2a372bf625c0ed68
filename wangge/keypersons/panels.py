"""The case-page panel: where a case from the street came from — a key-person visit (六访) or a
quick report (六报). The person's personal data is not shown here (the register's own page, with
its logged full view, is one link away for those who may see it)."""

from __future__ import annotations

from . import selectors
from .models import QuickReport, Visit


def case_origin(case, user) -> dict | None:
    visit = Visit.objects.filter(case=case).select_related("worker", "key_person").first()
    if visit is not None:
        visible = selectors.key_persons_visible_to(user, include_retired=True).filter(pk=visit.key_person_id).exists()
        return {"visit": visit, "person_url": visit.key_person.get_absolute_url() if visible else ""}
    report = QuickReport.objects.filter(case=case).select_related("worker").first()
    if report is not None:
        return {"report": report}
    return None
