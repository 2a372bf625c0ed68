"""开通检查 for the case desk (registered in ``CasesConfig.ready``; see ``wangge.core.readiness``): a
default deadline policy, and every category a case can be filed in routed to a department."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from wangge.core.readiness import Result, admin_url, register_check

from .models import Category, SlaPolicy


def default_sla_policy() -> Result:
    """默认办理时限: the deadlines of a case whose category names no policy of its own."""
    policy = SlaPolicy.objects.filter(is_default=True).only("pk", "name").first()
    if policy is None:
        return Result(False, _("No default deadline policy: a case whose category has no policy gets no deadlines "
                               "and is never flagged overdue."), admin_url("cases", "slapolicy"))
    return Result(True, _("Default deadline policy: %(name)s.") % {"name": policy.name},
                  admin_url("cases", "slapolicy"))


def category_departments() -> Result:
    """事件分类: every category a case is filed in (an active leaf) has its handling department."""
    leaves = Category.objects.filter(is_active=True, numchild=0)
    if not leaves.exists():
        return Result(False, _("No case category yet: clerks and residents have nothing to file a case under."),
                      admin_url("cases", "category", "add"))
    bare = leaves.filter(Q(default_department__isnull=True) | Q(default_department__is_active=False)).count()
    if bare:
        return Result(False, ngettext(
            "%(n)d category has no default department (or one no longer in use): its cases go nowhere by themselves.",
            "%(n)d categories have no default department (or one no longer in use): their cases go nowhere by "
            "themselves.", bare) % {"n": bare},
            admin_url("cases", "category", query={"is_active__exact": 1, "default_department__isnull": "True"}))
    return Result(True, _("Every category in use has a default department."), admin_url("cases", "category"))


def register() -> None:
    register_check("cases.default_sla_policy", pgettext_lazy("readiness", "Default deadline policy"),
                   default_sla_policy, order=60)
    register_check("cases.category_departments", pgettext_lazy("readiness", "Categories and departments"),
                   category_departments, order=70)
