from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import DepartmentKind


class Department(models.Model):
    """职能部门 / 科室 — a district department (城管, 环卫, 交警…), a public utility, or a
    sub-district section. Cases are dispatched to departments."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    # The territory the department serves (a district for district departments, the
    # sub-district for its sections).
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
