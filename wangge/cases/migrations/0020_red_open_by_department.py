"""A department's open red cases (its 督办 figure on the dashboard, its 督办 list): the index
had only the red rows by department, so counting them read each case row for its status and
jurisdiction (6,900 rows of one department at 4,000,000 bench cases: 224–408 ms). With the
status in its condition and the jurisdiction's columns in its keys, the count reads the index
alone (about 50 ms, most of it the lead-assignment check). Still only red open rows: a filing
writes nothing to it."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_overdue_by_filing_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_red_by_department',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('light', 'red'), ('status__in', ['submitted', 'accepted', 'dispatched', 'in_progress', 'suspended'])), fields=['lead_department', 'id', 'district', 'subdistrict', 'community', 'grid', 'created_by'], name='case_red_open_by_department'),
        ),
    ]
