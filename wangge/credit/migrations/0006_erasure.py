"""PIPL erasure in the credit ledger: its record (``LedgerRedaction``), and one controlled way
through the append-only trigger.

The trigger of ``0002_append_only`` refuses every UPDATE and DELETE of a ledger entry. Erasing a
resident (``actions.erase_from_account``) must replace their number and name in their entries'
notes and re-seal the hash chain after them (``ledger.redact_chain``). The trigger's function now
lets an UPDATE through while the transaction has set ``wangge.credit_redaction`` to ``on``
(``redact_chain`` does, for its own block only) *and* the entry differs in nothing but ``note``,
``hash`` and ``prev_hash``; a DELETE is still refused. No table lock is taken at run time (unlike
``ALTER TABLE … DISABLE TRIGGER``, which would stop every credit desk while one resident is
erased). The function and trigger keep their names, so ``0002``'s reverse still drops them; this
migration's reverse puts ``0002``'s function back. ``credit_ledgerredaction`` is append-only from
the start. Other databases: no-op — ``verify_credit`` finds what was changed there.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'credit_ledgerentry'
       AND coalesce(current_setting('wangge.credit_redaction', true), '') = 'on'
       AND (to_jsonb(NEW) - ARRAY['note', 'hash', 'prev_hash'])
           = (to_jsonb(OLD) - ARRAY['note', 'hash', 'prev_hash']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'wangge: % on % refused: the credit ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
REDACTIONS_TRIGGER = ("CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledgerredaction "
                      "FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();")


def allow_redaction(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute("DROP TRIGGER IF EXISTS credit_ledger_append_only ON credit_ledgerredaction;", params=None)
    schema_editor.execute(REDACTIONS_TRIGGER, params=None)


def refuse_redaction(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    schema_editor.execute("DROP TRIGGER IF EXISTS credit_ledger_append_only ON credit_ledgerredaction;", params=None)
    schema_editor.execute(import_module("wangge.credit.migrations.0002_append_only").FUNCTION, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('credit', '0005_link_message'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerRedaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='erased at')),
                ('entries', models.JSONField(blank=True, default=dict, verbose_name='entries changed')),
                ('disputes', models.JSONField(blank=True, default=dict, verbose_name='disputes changed')),
                ('notices', models.PositiveIntegerField(default=0, verbose_name='notices changed')),
                ('unverified', models.JSONField(blank=True, default=list, verbose_name='entries that did not verify before')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='redactions', to='credit.creditaccount', verbose_name='account')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='erased by')),
            ],
            options={
                'verbose_name': 'personal data erased from the ledger',
                'verbose_name_plural': 'personal data erased from the ledger',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.RunPython(allow_redaction, refuse_redaction),
    ]
