"""PostgreSQL: the credit ledger is append-only in the database too, not only in Django.

``credit_ledger_append_only()`` refuses every UPDATE and DELETE of a ledger entry. A mistake is
put right by a reversing entry (``actions.correct_entry``). A later migration that must rewrite
entries disables the trigger for its statement (``ALTER TABLE credit_ledgerentry DISABLE TRIGGER
credit_ledger_append_only``) and says why. (TRUNCATE, used by test database flushes, is not
affected.) Other databases: no-op — ``verify_credit`` finds what was changed there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wangge: % on % refused: the credit ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGER = ("CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledgerentry "
           "FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();")


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute("DROP TRIGGER IF EXISTS credit_ledger_append_only ON credit_ledgerentry;", params=None)
    schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS credit_ledger_append_only ON credit_ledgerentry;", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS credit_ledger_append_only();", params=None)


class Migration(migrations.Migration):

    dependencies = [("credit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
