"""Admin permissions per role (角色权限组): each role has a permission group, and a staff member
holds the permissions of the groups of the roles they hold — no group membership to keep in step.

The groups are created with their default permissions by migration ``org.0003_role_groups`` and
edited afterwards in the admin (认证和授权 › 组). Admin access also needs ``is_staff`` on the account.
Defaults:

- 系统管理员 (``admin``): the whole admin — territory, staff and roles, departments, categories and
  deadline policies, calendar, message templates, the task queue, lockouts, intake channels — but
  never a case's own rows (a case changes only through its actions) nor the audit record;
- 领导 (``leader``): read-only on the configuration (territory, departments, categories, calendar).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .choices import Role

# Role → the name of its permission group (shown in the admin).
ROLE_GROUP_NAMES: dict[str, str] = {role.value: f"角色·{name}" for role, name in [
    (Role.INTAKE_CLERK, "受理员"), (Role.GRID_WORKER, "网格员"), (Role.GRID_CHIEF, "网格长"),
    (Role.BUILDING_CHIEF, "楼栋长"), (Role.UNIT_CHIEF, "单元长"), (Role.COMMUNITY_SECRETARY, "社区书记"),
    (Role.STREET_CHIEF_L1, "一级街长"), (Role.STREET_CHIEF_L2, "二级街长"), (Role.STREET_CHIEF_L3, "三级街长"),
    (Role.DEPARTMENT_OFFICER, "部门工作人员"), (Role.LEADER, "领导"), (Role.ADMIN, "系统管理员"),
]}

# Rows that only actions write (the case, its timeline, assignments, files) or that are the audit
# record: viewable, never added, changed or deleted in the admin.
ACTION_ONLY_APPS = {"audit"}
ACTION_ONLY_MODELS = {("cases", m) for m in ("case", "caseevent", "caseassignment", "caseattachment",
                                            "extensionrequest", "reporteraccesslog", "casenumbersequence")}
CONFIGURATION = {("org", "region"), ("org", "department"), ("cases", "category"), ("cases", "slapolicy"),
                 ("workdays", "*")}


def default_grant(role: str, app_label: str, model: str, action: str) -> bool:
    """Does ``role``'s group get ``<app_label>.<action>_<model>`` by default?"""
    if role == Role.ADMIN:
        if action == "view":
            return True
        return app_label not in ACTION_ONLY_APPS and (app_label, model) not in ACTION_ONLY_MODELS
    if role == Role.LEADER:
        return action == "view" and ((app_label, model) in CONFIGURATION or (app_label, "*") in CONFIGURATION)
    return False


def grant_defaults(*, group_model=None, permission_model=None) -> int:
    """Create the role groups if missing and give them the defaults for every model no role group
    has any permission on yet (a model new since the last run: the 系统管理员 group views every
    model, so a model already seen is left as the admins edited it). Returns the grants made."""
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group as group_model
        from django.contrib.auth.models import Permission as permission_model
    groups = {role: group_model.objects.get_or_create(name=name)[0] for role, name in ROLE_GROUP_NAMES.items()}
    known = set(permission_model.objects.filter(group__in=list(groups.values()))
                .values_list("content_type_id", flat=True))
    granted = 0
    for perm in permission_model.objects.select_related("content_type").exclude(content_type_id__in=known):
        action, _sep, model = perm.codename.partition("_")
        if model != perm.content_type.model:
            continue  # a custom permission (cases.view_reporter …): granted by hand
        for role, group in groups.items():
            if default_grant(role, perm.content_type.app_label, model, action):
                group.permissions.add(perm)
                granted += 1
    return granted


def grant_defaults_after_migrate(sender, using=None, **kwargs) -> None:
    """``post_migrate``: the defaults for the models of apps migrated after ``org.0003``."""
    from django.contrib.auth.models import Group
    from django.db import router

    if router.allow_migrate_model(using or "default", Group):
        grant_defaults()


class RolePermissionBackend(ModelBackend):
    """``ModelBackend``'s permissions, where a user's groups also include the groups of the roles
    they hold (``ROLE_GROUP_NAMES``): no group membership to keep in step with the role
    assignments. Listed before ``ModelBackend``, it fills the user's permission caches first, so
    ``ModelBackend`` finds them filled and the check costs no query more than before. Signs
    nobody in: that stays with ``ModelBackend`` (one password check per attempt)."""

    def authenticate(self, request, **credentials):
        return None

    def _get_group_permissions(self, user_obj):
        from django.contrib.auth.models import Permission
        from django.db.models import Q

        roles = {a.role for a in getattr(user_obj, "role_assignments", [])}
        names = sorted(ROLE_GROUP_NAMES[r] for r in roles if r in ROLE_GROUP_NAMES)
        held = Q(group__user=user_obj)
        if names:
            held |= Q(group__name__in=names)
        return Permission.objects.filter(held)
