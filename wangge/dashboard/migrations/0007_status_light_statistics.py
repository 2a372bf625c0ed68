"""Statistics PostgreSQL keeps on the case's status and light together: only open cases have a
light, so "red and open" is nearly all the red cases, not red × open as the planner assumes from
each column alone (at 4,000,000 bench cases with 72,000 overdue it expected 1,500 and chose
plans for a handful — the 督办 list of one department gathered and sorted all of that
department's overdue cases: 783 ms; with these statistics it walks ``dashboard_case_overdue`` in
the list's order and stops at 50 rows: 6 ms). PostgreSQL only; SQLite's planner has no such
statistics. They are filled by the next ANALYZE (autovacuum runs one on a busy table)."""

from django.db import migrations

CREATE = "CREATE STATISTICS IF NOT EXISTS case_status_light (mcv, dependencies) ON status, light FROM cases_case"
DROP = "DROP STATISTICS IF EXISTS case_status_light"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0006_rollup_rows_for_updates"),
        ("cases", "0019_overdue_by_filing_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
