"""Free-text search on PostgreSQL: trigram GIN indexes matching what ``icontains`` generates
(``UPPER(col::text) LIKE UPPER('%…%')``), so searching a million cases uses an index.
pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
Nothing to do on SQLite."""

from django.db import migrations

COLUMNS = ["title", "description", "address"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS case_{column}_trgm ON cases_case '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS case_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
