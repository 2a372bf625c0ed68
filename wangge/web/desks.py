"""工作台 by role — each role lands on its own work (a "desk").

A staff member holds one or more roles; each role belongs to a desk with its own home page:

- ``dispatch`` (受理员, 管理员): the dispatch backlog — what waits to be accepted and dispatched;
- ``field`` (网格员, 网格长, 楼栋长, 单元长, 三级街长): the phone page of their grid's cases and
  "report what I found" (filed on the patrol channel);
- ``department`` (部门人员): the department's queue — to claim, due soon, sent back;
- ``community`` (社区书记, 一二级街长): the ledger of the community's open cases;
- ``leader`` (领导): the overview — figures, 督办 (overdue cases), extension requests to decide.

A person with several desks switches between them (kept in the session). Reads only: the pages
call ``cases.selectors`` and the queries below, never write.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from wangge.org.choices import DEPARTMENT_ROLES, Role
from wangge.org.scope import FIELD_ROLES, Scope


class Desk(TextChoices):
    DISPATCH = "dispatch", _("Dispatch desk")
    LEADER = "leader", _("Leader's overview")
    COMMUNITY = "community", _("Community ledger")
    DEPARTMENT = "department", _("Department queue")
    FIELD = "field", _("Field (grid)")


DESK_ROLES: dict[str, frozenset] = {
    Desk.DISPATCH: frozenset({Role.INTAKE_CLERK, Role.ADMIN}),
    Desk.LEADER: frozenset({Role.LEADER}),
    Desk.COMMUNITY: frozenset({Role.COMMUNITY_SECRETARY, Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2}),
    Desk.DEPARTMENT: frozenset(DEPARTMENT_ROLES),
    Desk.FIELD: frozenset(FIELD_ROLES),
}
# The desk a person lands on first when they hold several: the widest view of their work.
DEFAULT_ORDER = [Desk.LEADER, Desk.COMMUNITY, Desk.DISPATCH, Desk.DEPARTMENT, Desk.FIELD]
SESSION_KEY = "wangge_desk"


@dataclass(frozen=True)
class DeskChoice:
    value: str
    label: object
    current: bool


def desks_for(user) -> list[str]:
    """The desks ``user``'s roles give, in landing order. A superuser without roles: dispatch
    and the leader's overview."""
    if not getattr(user, "is_authenticated", False):
        return []
    held = {a.role for a in user.role_assignments}
    desks = [d for d in DEFAULT_ORDER if held & DESK_ROLES[d]]
    if not desks and Scope.of(user).everything:
        desks = [Desk.DISPATCH, Desk.LEADER]
    return desks or [Desk.DISPATCH]


def current_desk(request) -> str:
    """The desk chosen in this session, if the user still holds it; else their first."""
    desks = desks_for(request.user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return chosen if chosen in desks else desks[0]


def choose_desk(request, desk: str) -> bool:
    """Switch to ``desk``; False (and nothing changed) if the user does not hold it."""
    if desk not in desks_for(request.user):
        return False
    request.session[SESSION_KEY] = desk
    return True


def desk_choices(request) -> list[DeskChoice]:
    """The switcher's entries (empty for a person with one desk)."""
    desks = desks_for(request.user)
    if len(desks) < 2:
        return []
    current = current_desk(request)
    return [DeskChoice(d, Desk(d).label, d == current) for d in desks]
