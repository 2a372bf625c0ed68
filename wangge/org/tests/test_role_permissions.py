"""Admin permissions per role (org.0003): the groups exist with their defaults, a role's holder has
its group's permissions without being a member, and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from wangge.org.choices import Role
from wangge.org.role_permissions import ROLE_GROUP_NAMES
from wangge.testing import build_world, make_user

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_and_the_admin_role_can_administer():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAMES.values())
    world = build_world()
    admin = make_user(Role.ADMIN, region=world.district, username="sys")
    admin.is_staff = True
    admin.save()
    assert admin.has_perm("org.change_region") and admin.has_perm("cases.add_category")
    assert admin.has_module_perms("django_tasks_database") and admin.has_perm("axes.view_accessattempt")
    # A case changes only through its actions; the audit record is never edited.
    assert not admin.has_perm("cases.change_case") and admin.has_perm("cases.view_case")
    assert not admin.has_perm("audit.delete_signinrecord")


def test_other_roles_get_only_their_groups():
    world = build_world()
    leader, clerk = world.users["leader"], world.users["clerk"]
    assert leader.has_perm("org.view_region") and not leader.has_perm("org.change_region")
    assert not clerk.has_perm("org.view_region")
    # Editing a group changes what the role may do.
    from django.contrib.auth.models import Permission

    Group.objects.get(name=ROLE_GROUP_NAMES[Role.INTAKE_CLERK]).permissions.add(
        Permission.objects.get(codename="view_department"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert clerk.has_perm("org.view_department")


def test_a_retired_role_gives_nothing():
    world = build_world()
    leader = world.users["leader"]
    leader.roles.update(is_active=False)
    leader = type(leader).objects.get(pk=leader.pk)
    assert not leader.has_perm("org.view_region")
