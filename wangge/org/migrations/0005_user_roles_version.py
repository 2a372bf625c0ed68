"""``User.roles_version`` and the triggers that move it (``wangge.org.rolecache``).

The database moves the counter itself, in the transaction of the change, so no way of changing
an assignment — the admin, an action, a bare ``QuerySet.update()``, SQL — can leave a process
serving a user's old roles: any insert, update or delete of a role assignment moves its user's
version; a region or department changing what an assignment shows of it (place in the tree,
level, name, activity) moves the version of every user assigned to it.

PostgreSQL and SQLite; other databases get the column without triggers, and ``rolecache`` keeps
nothing there. (On SQLite a later migration that rebuilds one of these tables drops its
triggers: ``org/tests/test_rolecache.py`` checks they are all still there after every migration.)
"""

from django.db import migrations, models

BUMP_ONE = "UPDATE org_user SET roles_version = roles_version + 1 WHERE id = {row}.user_id"
BUMP_ASSIGNED = ("UPDATE org_user SET roles_version = roles_version + 1 WHERE id IN "
                 "(SELECT user_id FROM org_roleassignment WHERE {column} = NEW.id)")
REGION_CHANGED = ("OLD.path IS DISTINCT FROM NEW.path OR OLD.level IS DISTINCT FROM NEW.level "
                  "OR OLD.name IS DISTINCT FROM NEW.name OR OLD.is_active IS DISTINCT FROM NEW.is_active")
DEPARTMENT_CHANGED = "OLD.name IS DISTINCT FROM NEW.name OR OLD.is_active IS DISTINCT FROM NEW.is_active"

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION org_roleassignment_moves_version() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN {BUMP_ONE.format(row="OLD")}; END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        {BUMP_ONE.format(row="NEW")};
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER org_roleassignment_moves_version AFTER INSERT OR UPDATE OR DELETE
       ON org_roleassignment FOR EACH ROW EXECUTE FUNCTION org_roleassignment_moves_version()""",
    f"""CREATE OR REPLACE FUNCTION org_region_moves_version() RETURNS trigger AS $$
    BEGIN {BUMP_ASSIGNED.format(column="region_id")}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER org_region_moves_version AFTER UPDATE ON org_region FOR EACH ROW
       WHEN ({REGION_CHANGED}) EXECUTE FUNCTION org_region_moves_version()""",
    f"""CREATE OR REPLACE FUNCTION org_department_moves_version() RETURNS trigger AS $$
    BEGIN {BUMP_ASSIGNED.format(column="department_id")}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER org_department_moves_version AFTER UPDATE ON org_department FOR EACH ROW
       WHEN ({DEPARTMENT_CHANGED}) EXECUTE FUNCTION org_department_moves_version()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS org_roleassignment_moves_version ON org_roleassignment",
    "DROP FUNCTION IF EXISTS org_roleassignment_moves_version()",
    "DROP TRIGGER IF EXISTS org_region_moves_version ON org_region",
    "DROP FUNCTION IF EXISTS org_region_moves_version()",
    "DROP TRIGGER IF EXISTS org_department_moves_version ON org_department",
    "DROP FUNCTION IF EXISTS org_department_moves_version()",
]

SQLITE = [
    f"""CREATE TRIGGER org_roleassignment_moves_version_ins AFTER INSERT ON org_roleassignment
       BEGIN {BUMP_ONE.format(row="NEW")}; END""",
    """CREATE TRIGGER org_roleassignment_moves_version_upd AFTER UPDATE ON org_roleassignment
       BEGIN UPDATE org_user SET roles_version = roles_version + 1 WHERE id IN (OLD.user_id, NEW.user_id); END""",
    f"""CREATE TRIGGER org_roleassignment_moves_version_del AFTER DELETE ON org_roleassignment
       BEGIN {BUMP_ONE.format(row="OLD")}; END""",
    f"""CREATE TRIGGER org_region_moves_version AFTER UPDATE ON org_region
       WHEN {REGION_CHANGED.replace("IS DISTINCT FROM", "IS NOT")} BEGIN {BUMP_ASSIGNED.format(column="region_id")}; END""",
    f"""CREATE TRIGGER org_department_moves_version AFTER UPDATE ON org_department
       WHEN {DEPARTMENT_CHANGED.replace("IS DISTINCT FROM", "IS NOT")} BEGIN {BUMP_ASSIGNED.format(column="department_id")}; END""",
]
SQLITE_TRIGGERS = ("org_roleassignment_moves_version_ins", "org_roleassignment_moves_version_upd",
                   "org_roleassignment_moves_version_del", "org_region_moves_version",
                   "org_department_moves_version")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0004_region_aliases"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="roles_version",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="roles version"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
