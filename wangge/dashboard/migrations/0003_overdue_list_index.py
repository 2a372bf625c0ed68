"""An index on the cases for the dashboard's overdue list (督办): only the open cases with a red
light (a few per cent of the cases), in the order the list shows them (the deadline of the stage
they are in), with the territory columns the jurisdiction filters by, so that the list reads its
first rows in order and the count reads the index alone. Kept here, with the query it serves
(``selectors.overdue_cases``); both SQLite and PostgreSQL have partial expression indexes."""

from django.db import migrations

# The same expression, order of statuses and condition as selectors.overdue_cases, or the planner
# will not use the index.
CREATE = """
CREATE INDEX IF NOT EXISTS dashboard_case_overdue ON cases_case (
  (CASE WHEN status = 'submitted' THEN accept_due_at WHEN status = 'accepted' THEN dispatch_due_at
        ELSE resolve_due_at END),
  id, district_id, subdistrict_id, community_id, grid_id, created_by_id)
WHERE light = 'red' AND status IN ('submitted', 'accepted', 'dispatched', 'in_progress', 'suspended')
"""

class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0002_monthly_rows_community_dims"),
        ("cases", "0003_default_policies"),
    ]

    operations = [
        migrations.RunSQL(CREATE, "DROP INDEX IF EXISTS dashboard_case_overdue"),
    ]
