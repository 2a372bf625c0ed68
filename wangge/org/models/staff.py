from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..choices import DEPARTMENT_ROLES, ROLE_LEVELS, RegionLevel, Role


class User(AbstractUser):
    """A staff account (工作人员). Residents do not need accounts."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Moved on by database triggers whenever the user's role assignments change (org.rolecache).
    roles_version = models.PositiveIntegerField(_("roles version"), default=0, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_assignments(self) -> list["RoleAssignment"]:
        from ..rolecache import active_assignments

        return active_assignments(self)

    def has_role(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.role_assignments)

    @property
    def role_names(self) -> list[str]:
        return sorted({a.get_role_display() for a in self.role_assignments})


class RoleAssignment(models.Model):
    """A role held by a staff member, with its jurisdiction (a territory node or a department)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("staff member")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("jurisdiction"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # A department officer belongs to a department; every other role has a territory.
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=[r.value for r in DEPARTMENT_ROLES], department__isnull=False)
                    | (~models.Q(role__in=[r.value for r in DEPARTMENT_ROLES]) & models.Q(region__isnull=False))
                ),
                name="role_assignment_has_jurisdiction",
            ),
            # One active row per person, role and jurisdiction (ended rows stay as history). Two
            # constraints, because a NULL never equals another in a unique index: a territory
            # role has no department, a department role usually no region.
            models.UniqueConstraint(
                fields=["user", "role", "region"], condition=models.Q(is_active=True, department__isnull=True),
                name="role_assignment_one_active_per_region",
                violation_error_message=_("This person already holds this role there."),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"], condition=models.Q(is_active=True, department__isnull=False),
                name="role_assignment_one_active_per_department",
                violation_error_message=_("This person already holds this role there."),
            ),
        ]

    def __str__(self) -> str:
        where = self.department or self.region
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        """An active role's jurisdiction is a current node of the level the role works at
        (``ROLE_LEVELS``): a grid worker's is a grid, never a whole district."""
        super().clean()
        if not self.is_active or self.region_id is None or self.role not in ROLE_LEVELS:
            return
        region = self.region
        allowed = ROLE_LEVELS[self.role]
        if region.level not in allowed:
            raise ValidationError({"region": _(
                "A %(role)s's jurisdiction must be a %(levels)s; %(place)s is a %(level)s."
            ) % {"role": self.get_role_display(), "levels": _(" or ").join(str(RegionLevel(v).label) for v in allowed),
                 "place": region.name, "level": RegionLevel(region.level).label}})
        if not region.is_active:
            raise ValidationError({"region": _("%(place)s has been retired; choose a current place.")
                                   % {"place": region.name}})
