"""PostgreSQL: the timeline stays append-only, with one controlled way through for PIPL erasure.

The trigger of ``audit/0002_append_only`` refuses every UPDATE and DELETE on ``cases_caseevent``.
Erasing a resident (``cases.actions.privacy.erase_from_free_text``) must replace their number and
name in the timeline's notes and data, and re-seal the hash chain after them
(``cases.events.redact_timeline``). The timeline's trigger now calls its own function, the same
rule plus one exception: an UPDATE goes through while the transaction has set
``wangge.timeline_redaction`` to ``on`` (``redact_timeline`` does, for its own block only) *and*
the row differs in nothing but ``note``, ``data``, ``hash`` and ``prev_hash``. A DELETE still
needs ``wangge.audit_maintenance``. No table lock is taken at run time (unlike ``ALTER TABLE …
DISABLE TRIGGER``, which would stop every case desk while one resident is erased). The trigger
keeps its name, so ``audit/0002``'s reverse still drops it. Other databases: no-op.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION wangge_caseevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('wangge.audit_maintenance', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF coalesce(current_setting('wangge.timeline_redaction', true), '') = 'on'
          AND (to_jsonb(NEW) - ARRAY['note', 'data', 'hash', 'prev_hash'])
              = (to_jsonb(OLD) - ARRAY['note', 'data', 'hash', 'prev_hash']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'wangge: % on % refused: the audit record is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
TABLE = "cases_caseevent"


def _trigger(function: str) -> str:
    return (f"CREATE TRIGGER wangge_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();")


def allow_redaction(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {TABLE};", params=None)
    schema_editor.execute(_trigger("wangge_caseevent_append_only"), params=None)


def refuse_redaction(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {TABLE};", params=None)
    schema_editor.execute(_trigger("wangge_append_only"), params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS wangge_caseevent_append_only();", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0021_held_by_department"),
        ("audit", "0002_append_only"),
    ]

    operations = [
        migrations.RunPython(allow_redaction, refuse_redaction),
    ]
