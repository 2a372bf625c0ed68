"""Free-text search on PostgreSQL through one bigram index instead of three trigram indexes.

pg_trgm (0007) needs three characters to use its index, but many Chinese search words have two
(油烟, 井盖, 漏水): those read every case. ``wangge_case_bigrams(title, description, address)`` is
the list of upper-cased two-character pieces of the three texts, joined by a line break (a
stripped search term cannot hold one between two characters, so a piece that spans two texts
never matches). One GIN index over it finds the cases holding every piece of a term of two
characters or more: exact for two, a handful of candidates for longer ones, which
``cases.search`` checks with LIKE.

The trigram indexes go: the bigram index does their work, and every case written (each insert,
and each update that is not HOT) pays for each GIN index. Nothing to do on SQLite."""

from django.db import migrations

# PL/pgSQL, not SQL: a SQL function is planned again in every statement that calls it (250 µs
# per single-row insert), and its substr() walks the text from the start for every piece.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION wangge_case_bigrams(title text, description text, address text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c text[] := string_to_array(upper(coalesce(title, '') || E'\n' || coalesce(description, '') || E'\n'
                                    || coalesce(address, '')), NULL);
  pieces text[] := '{}';
BEGIN
  FOR i IN 1 .. coalesce(array_length(c, 1), 0) - 1 LOOP
    pieces := pieces || (c[i] || c[i + 1]);
  END LOOP;
  RETURN pieces;
END
$$
"""

INDEX = ('CREATE INDEX IF NOT EXISTS case_text_bigram ON cases_case '
         'USING gin (wangge_case_bigrams("title"::text, "description"::text, "address"::text))')
TRIGRAM_COLUMNS = ["title", "description", "address"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS case_{column}_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS case_{column}_trgm ON cases_case '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')
    schema_editor.execute("DROP INDEX IF EXISTS case_text_bigram")
    schema_editor.execute("DROP FUNCTION IF EXISTS wangge_case_bigrams(text, text, text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_text_search_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
