"""One active role assignment per person, role and jurisdiction; retirement reaches the sub-tree.

The old unique constraint over (user, role, region, department) never held: a territory role has
no department and a department role no region, and NULLs are distinct in a unique index, so the
same active row could be saved twice. Before the new constraints go in, duplicates of an active
row are ended (the oldest is kept), and what earlier retirements left running is settled the way
retiring works now: the nodes under a retired node are retired with it, and the roles held over a
retired node are ended.

On SQLite, removing the old constraint rebuilds ``org_roleassignment``; the ``roles_version``
triggers (migration 0005) are dropped around it — the rebuild would lose some and trip over the
others, which name the table while it is away — and made again at once.
"""

import importlib

from django.db import migrations, models
from django.db.models import Min

roles_version = importlib.import_module("wangge.org.migrations.0005_user_roles_version")


def settle_assignments(apps, schema_editor):
    Region = apps.get_model("org", "Region")
    RoleAssignment = apps.get_model("org", "RoleAssignment")
    for retired in Region.objects.filter(is_active=False).order_by("depth", "path"):
        Region.objects.filter(path__startswith=retired.path, is_active=True).update(
            is_active=False, retired_at=retired.retired_at)
    RoleAssignment.objects.filter(is_active=True, region__is_active=False).update(is_active=False)
    groups = (RoleAssignment.objects.filter(is_active=True).values("user_id", "role", "region_id", "department_id")
              .annotate(first=Min("id"), n=models.Count("id")).filter(n__gt=1))
    for group in groups:
        same = RoleAssignment.objects.filter(is_active=True, user_id=group["user_id"], role=group["role"],
                                             region_id=group["region_id"], department_id=group["department_id"])
        same.exclude(pk=group["first"]).update(is_active=False)


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in roles_version.SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def make_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        drop_sqlite_triggers(apps, schema_editor)
        for statement in roles_version.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0005_user_roles_version"),
    ]

    operations = [
        migrations.RunPython(settle_assignments, migrations.RunPython.noop),
        migrations.RunPython(drop_sqlite_triggers, make_sqlite_triggers),
        migrations.RemoveConstraint(
            model_name="roleassignment",
            name="role_assignment_unique",
        ),
        migrations.RunPython(make_sqlite_triggers, drop_sqlite_triggers),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", True), ("is_active", True)),
                fields=("user", "role", "region"), name="role_assignment_one_active_per_region",
                violation_error_message="This person already holds this role there.",
            ),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", False), ("is_active", True)),
                fields=("user", "role", "department"), name="role_assignment_one_active_per_department",
                violation_error_message="This person already holds this role there.",
            ),
        ),
    ]
