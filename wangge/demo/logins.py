"""The table of demo logins per role (演示账号), printed by ``manage.py demo_logins``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wangge.org.choices import RegionLevel, Role
from wangge.org.models import RoleAssignment, User

from .data import DEMO_PASSWORD


@dataclass(frozen=True)
class LoginRow:
    role: str
    usernames: list[str]
    name: str  # of the first account
    jurisdiction: str  # of the first account

    @property
    def accounts(self) -> str:
        if len(self.usernames) <= 3:
            return ", ".join(self.usernames)
        return _("%(first)s … %(last)s (%(n)d accounts)") % {
            "first": self.usernames[0], "last": self.usernames[-1], "n": len(self.usernames)}


def login_rows() -> list[LoginRow]:
    """One row per role: the accounts holding it, with the first one's name and jurisdiction."""
    rows = []
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("username").first()
    if admin is not None:
        rows.append(LoginRow(_("Superuser"), [admin.username], str(admin), _("everything (and the admin site)")))
    assignments = (
        RoleAssignment.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "region", "department")
        .order_by("user__username")
    )
    by_role: dict[str, list[RoleAssignment]] = {}
    for a in assignments:
        by_role.setdefault(a.role, []).append(a)
    for role in Role:
        held = by_role.get(role.value)
        if not held:
            continue
        # Department officers: one row per department, since each sees only its own cases;
        # the others one row per level (a sub-district's leader and the district's are not
        # the same login: the row would name only the first one's territory).
        groups = _by_department(held) if role == Role.DEPARTMENT_OFFICER else _by_level(held)
        for group in groups:
            first = group[0]
            rows.append(LoginRow(str(role.label), [a.user.username for a in group], str(first.user),
                                 str(first.department or first.region)))
    return rows


def _by_department(held: list[RoleAssignment]) -> list[list[RoleAssignment]]:
    groups: dict[int, list[RoleAssignment]] = {}
    for a in sorted(held, key=lambda a: (a.department.kind, a.department.name, a.user.username)):
        groups.setdefault(a.department_id, []).append(a)
    return list(groups.values())


def _by_level(held: list[RoleAssignment]) -> list[list[RoleAssignment]]:
    """The assignments grouped by the level of their territory, the widest first."""
    order = {level: i for i, level in enumerate(RegionLevel.values)}
    groups: dict[str, list[RoleAssignment]] = {}
    for a in held:
        groups.setdefault(a.region.level if a.region_id else "", []).append(a)
    return [groups[level] for level in sorted(groups, key=lambda level: order.get(level, -1))]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(rows: list[LoginRow], password: str = DEMO_PASSWORD) -> str:
    header = [_("Role"), _("Username"), _("Password"), _("Staff name"), _("Jurisdiction")]
    body = [[r.role, r.accounts, password, r.name, r.jurisdiction] for r in rows]
    widths = [max(_width(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip() for line in [header, *body]]
    rule = "-" * max(_width(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:]])
