"""The case list's columns (列设置): which exist, which show by default, each user's own choice.

Light, number and title always show. The defaults fit a 1366 px screen beside the filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ListColumns


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    default: bool


COLUMNS = [
    Column("time_left", _("Time left"), True),
    Column("status", _("Status"), True),
    Column("category", _("Category"), True),
    Column("grid", _("Grid"), True),
    Column("handler", _("Lead department"), True),
    Column("community", _("Community"), False),
    Column("subdistrict", _("Sub-district"), False),
    Column("star", _("Star"), False),
    Column("channel", _("Channel"), False),
    Column("address", _("Address"), False),
    Column("filed_at", _("Filed at"), False),
]
KEYS = [c.key for c in COLUMNS]
DEFAULT = [c.key for c in COLUMNS if c.default]


def columns_for(user) -> list[str]:
    row = ListColumns.objects.filter(user=user).first()
    chosen = [k for k in (row.columns if row else DEFAULT) if k in KEYS]
    return chosen


def save_columns(user, keys) -> list[str]:
    chosen = [k for k in KEYS if k in set(keys)]
    ListColumns.objects.update_or_create(user=user, defaults={"columns": chosen})
    return chosen


def column_choices(chosen: list[str]) -> list[dict]:
    return [{"key": c.key, "label": c.label, "on": c.key in chosen} for c in COLUMNS]
