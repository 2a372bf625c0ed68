"""The case page's panel: "from a patrol check-in at <point>", and the grid whistle (网格吹哨)
when the case's grid has officers sunk into it."""

from __future__ import annotations

from wangge.cases.choices import CaseStatus

from .models import Finding, GridOfficer


def case_panel(case, user) -> dict | None:
    finding = Finding.objects.filter(case_id=case.pk).select_related("point", "checkin", "worker").first()
    officers = (list(GridOfficer.objects.filter(grid_id=case.grid_id, is_active=True).select_related("user", "role"))
                if case.grid_id else [])
    if finding is None and not officers:
        return None
    return {"finding": finding, "checkin": finding.checkin if finding else None,
            "point": finding.point if finding else None, "officers": officers, "case": case,
            "may_whistle": bool(officers) and may_blow_whistle(case, user)}


def may_blow_whistle(case, user) -> bool:
    """The whistle is a dispatch of an accepted case, or a pass-on of one being handled
    (``actions.blow_whistle``): offered only when the case's action table lets ``user`` take that
    step now — never on a resolved, closed or rejected case."""
    from wangge.cases.selectors import available_actions

    step = "dispatch" if case.status == CaseStatus.ACCEPTED else "redispatch"
    return step in available_actions(user, case)
