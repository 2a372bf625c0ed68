"""案件页面板 — panels other apps add to the staff case page.

An app that has something to say about a case (its duplicates, the meeting whose agenda holds
it, the patrol check-in it came from …) registers a panel in ``AppConfig.ready()``::

    register_case_panel("meetings", template="meetings/case_panel.html", context=agenda_for, order=20)

``context(case, user)`` returns what the template reads as ``panel`` (``{{ panel.finding }}``), or
``None`` to show nothing for this case; the page renders the panels in ``order``. The case page
never imports the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePanel:
    key: str
    template: str
    context: Callable[[object, object], dict | None]
    order: int = 100


_panels: dict[str, CasePanel] = {}


def register_case_panel(key: str, *, template: str, context: Callable[[object, object], dict | None],
                        order: int = 100) -> CasePanel:
    panel = CasePanel(key=key, template=template, context=context, order=order)
    _panels[key] = panel
    return panel


def panels_for(case, user) -> list[dict]:
    """``[{"key", "template", "context"}]`` for the panels that have something to show."""
    rows = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(case, user)
        if context is not None:
            rows.append({"key": panel.key, "template": panel.template, "context": context})
    return rows
