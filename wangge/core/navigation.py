"""The staff navigation, filled by the apps (导航): each app adds its own pages.

An app registers an entry in ``AppConfig.ready()``::

    register_nav("intake_12345", _("12345 orders"), "intake_12345:home", visible=can_import, order=40)

``visible(user)`` decides who sees the link (the page itself must still check); ``order`` sorts
the entries after the workbench's own links.

The command dashboard has tabs the same way (一网统管 — one screen, each app's figures on its own
tab): ``register_dashboard_tab("patrols", _("Patrols"), "patrols:figures", visible=…)``. An
app's figures page includes ``web/partials/dashboard_tabs.html`` to show the strip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_entries: dict[str, NavEntry] = {}


def register_nav(key: str, label, url_name: str, *, visible: Callable[[object], bool], order: int = 100) -> NavEntry:
    entry = NavEntry(key=key, label=label, url_name=url_name, visible=visible, order=order)
    _entries[key] = entry
    return entry


_tabs: dict[str, NavEntry] = {}


def register_dashboard_tab(key: str, label, url_name: str, *, visible: Callable[[object], bool],
                           order: int = 100) -> NavEntry:
    entry = NavEntry(key=key, label=label, url_name=url_name, visible=visible, order=order)
    _tabs[key] = entry
    return entry


def nav_for(user) -> list[dict]:
    """The entries ``user`` sees, in order: ``[{"key", "label", "url"}]``."""
    return _visible(_entries, user)


def dashboard_tabs_for(user) -> list[dict]:
    """The dashboard tabs ``user`` sees, in order: ``[{"key", "label", "url"}]``."""
    return _visible(_tabs, user)


def _visible(entries: dict[str, NavEntry], user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    rows = []
    for entry in sorted(entries.values(), key=lambda e: (e.order, e.key)):
        try:
            if entry.visible(user):
                rows.append({"key": entry.key, "label": entry.label, "url": entry.url})
        except NoReverseMatch:  # an app whose URLs are not included in this project
            continue
    return rows
