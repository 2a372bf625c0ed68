"""Free-text search for two-character terms on PostgreSQL.

pg_trgm (0007) needs three characters to use its index, but many Chinese search words have two
(油烟, 井盖, 漏水): those scanned every case. ``wangge_bigrams(text)`` is the set of distinct
upper-cased two-character pieces of a text; a GIN index over it per column answers "contains
this two-character term" exactly (a text contains ``ab`` if and only if ``ab`` is one of its
pieces). ``cases.search`` uses it for two-character terms and pg_trgm for longer ones.
Nothing to do on SQLite."""

from django.db import migrations

COLUMNS = ["title", "description", "address"]

FUNCTION = """
CREATE OR REPLACE FUNCTION wangge_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE(array_agg(DISTINCT substr(u, i, 2)), '{}'::text[])
  FROM (SELECT upper(t) AS u) AS s, generate_series(1, char_length(u) - 1) AS i
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS case_{column}_bigram ON cases_case '
            f'USING gin (wangge_bigrams("{column}"::text))'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS case_{column}_bigram")
    schema_editor.execute("DROP FUNCTION IF EXISTS wangge_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_text_search_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
