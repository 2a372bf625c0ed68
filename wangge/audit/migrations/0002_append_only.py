"""PostgreSQL: the record is append-only in the database too, not only in Django.

``wangge_append_only()`` refuses UPDATE and DELETE on the timeline, the two data-access logs and
the sign-in records:
- a DELETE goes through only while the transaction has ``wangge.audit_maintenance = on``
  (``wangge.audit.maintenance.audit_maintenance()``: ``prune_audit``, a deliberate clean-up);
- an UPDATE goes through only if it changes no column but the ones named as the trigger's
  arguments: ``resident_id`` of the resident access log, which a merge of two residents
  re-points (``residents.services._merge``). Nothing else may ever be updated.
A later migration that must rewrite these rows disables the trigger for its statement
(``ALTER TABLE … DISABLE TRIGGER wangge_append_only``) and says why. Other databases: no-op.
"""

from django.db import migrations

GUARDED = [
    ("cases_caseevent", []),
    ("cases_reporteraccesslog", []),
    ("residents_residentaccesslog", ["resident_id"]),
    ("audit_signinrecord", []),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION wangge_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('wangge.audit_maintenance', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF TG_NARGS > 0 THEN
        IF (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'wangge: % on % refused: the audit record is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _trigger(table, allowed):
    args = ", ".join(f"'{column}'" for column in allowed)
    return (f"CREATE TRIGGER wangge_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION wangge_append_only({args});")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, allowed in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {table};", params=None)
        schema_editor.execute(_trigger(table, allowed), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _allowed in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS wangge_append_only();", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("cases", "0013_event_hash_chain"),
        ("residents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
