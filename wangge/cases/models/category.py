from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from ..choices import HandlingType, StarLevel


class Category(MP_Node):
    """事件分类 — an admin-editable tree. Each category carries the defaults a new case takes:
    handling department, star level, handling type and deadline policy."""

    name = models.CharField(_("name"), max_length=100)
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
        return self.name

    def effective_policy(self):
        """This category's policy, else the nearest ancestor's, else None (→ the default)."""
        if self.sla_policy_id:
            return self.sla_policy
        for node in reversed(list(Category.objects.get_ancestors(self))):
            if node.sla_policy_id:
                return node.sla_policy
        return None
