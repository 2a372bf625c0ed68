# 我也遇到了 now files the joining resident's report as a case of its own: a joined link may name
# it (``from_case``) until a clerk merges it in and the link becomes a merged one.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_fewer_indexes_on_the_filing_path'),
        ('intake_duplicates', '0003_follow_the_case_table'),
        ('residents', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='casereporterlink',
            name='reporter_link_merged_has_case',
        ),
        migrations.AddConstraint(
            model_name='casereporterlink',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'merged'), ('from_case__isnull', False)), ('kind', 'joined'), _connector='OR'), name='reporter_link_merged_has_case'),
        ),
    ]
