"""承办部门 on the case: the department of its most recent lead assignment, filled in for the
cases already there (before the indexes are built, which is faster). About five minutes at a million cases on
the 2-core machine: each updated row gets new entries in every index of the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE cases_case SET lead_department_id = (
    SELECT a.department_id FROM cases_caseassignment a
    WHERE a.case_id = cases_case.id AND a.role = 'lead'
    ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM cases_caseassignment a
              WHERE a.case_id = cases_case.id AND a.role = 'lead' AND a.department_id IS NOT NULL)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_text_search_bigram'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='lead_department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='lead department'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('light', 'red')), fields=['lead_department'],
                               name='case_red_by_department'),
        ),
    ]
