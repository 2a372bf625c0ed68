from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from wangge.core.localcache import ProcessCache

from ..choices import HandlingType, StarLevel


class Category(MP_Node):
    """事件分类 — an admin-editable tree. Each category carries the defaults a new case takes:
    handling department, star level, handling type and deadline policy."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True,
                               help_text=_("Shown instead of the name on pages read in English; "
                                           "left empty, they show the name."))
    code = models.SlugField(_("code"), max_length=60, unique=True)
    default_department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("default department"),
    )
    default_star = models.PositiveSmallIntegerField(
        _("default star level"), choices=StarLevel.choices, default=StarLevel.ONE
    )
    handling_type = models.CharField(
        _("handling type"), max_length=16, choices=HandlingType.choices, default=HandlingType.GENERAL
    )
    sla_policy = models.ForeignKey(
        "cases.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("deadline policy"),
    )
    # Words residents and clerks use for this kind of problem; drive the category suggestion.
    keywords = models.CharField(_("keywords (space separated)"), max_length=500, blank=True)
    resident_label = models.CharField(_("label for residents"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the language of the page now (not when the object was read: a process
        cache or a form holds one object for every language): the English name when English is
        active and one is set, else the name. What is stored or sent on (event records, the API's
        ``name``, the 12345 hand-back) keeps ``name``."""
        return self.name_en if self.name_en and _english() else self.name

    @property
    def resident_display(self) -> str:
        """What residents read: the label in their words (Chinese), else the name; on a page in
        English the English name where one is set."""
        return self.name_en if self.name_en and _english() else (self.resident_label or self.name)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.read_at = time.monotonic()  # see ``is_fresh``
        return instance

    def is_fresh(self, seconds: float) -> bool:
        """Read from the database less than ``seconds`` ago; an instance built in memory (or
        just created) never is."""
        read_at = getattr(self, "read_at", None)
        return read_at is not None and not self._state.adding and time.monotonic() - read_at < seconds

    def effective_policy(self):
        """This category's policy, else the nearest ancestor's, else None (→ the default).

        Answered from the policy table kept in this process (at most a few seconds old); a
        policy or an ancestor the table does not know yet is read from the database."""
        table = policy_table()
        if self.sla_policy_id:
            return table.policies.get(self.sla_policy_id) or self.sla_policy
        ancestors = [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]
        if all(path in table.category_policies for path in ancestors):
            for path in reversed(ancestors):
                policy_id = table.category_policies[path]
                if policy_id:
                    return table.policies.get(policy_id) or Category.objects.get(path=path).sla_policy
            return None
        for node in reversed(list(Category.objects.get_ancestors(self))):
            if node.sla_policy_id:
                return node.sla_policy
        return None


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@dataclass(frozen=True)
class PolicyTable:
    """The deadline policies (时限标准) and which category names which, as one process keeps them.
    The instances are shared: never change them."""

    policies: dict  # id → SlaPolicy
    category_policies: dict[str, int | None]  # category path → its own sla_policy_id
    default: object | None  # the SlaPolicy marked default, if any


def _read_policy_table() -> PolicyTable:
    from .sla import SlaPolicy

    policies = {p.pk: p for p in SlaPolicy.objects.all()}
    return PolicyTable(
        policies=policies,
        category_policies=dict(Category.objects.values_list("path", "sla_policy_id")),
        default=next((p for p in policies.values() if p.is_default), None),
    )


_policy_cache: ProcessCache[PolicyTable] = ProcessCache(_read_policy_table)


def policy_table() -> PolicyTable:
    return _policy_cache.get()


def _policies_changed(sender, **kwargs) -> None:
    _policy_cache.invalidate()


for _signal in (post_save, post_delete):
    for _model in ("cases.Category", "cases.SlaPolicy"):
        _signal.connect(_policies_changed, sender=_model, dispatch_uid=f"wangge-policy-table-{_model}")
