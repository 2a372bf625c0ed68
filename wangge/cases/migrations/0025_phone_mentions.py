"""号码提及: the index of phone numbers typed into cases and timelines (``cases.mentions``),
filled for what was written before it — here on a database of up to ``MIGRATION_LIMIT`` cases,
by ``manage.py index_phone_mentions`` on a larger one (which the migration then says)."""

import django.db.models.deletion
from django.db import migrations, models

MIGRATION_LIMIT = 200_000


def index_mentions(apps, schema_editor):
    from wangge.cases.mentions import index_existing

    cases, events = apps.get_model("cases", "Case"), apps.get_model("cases", "CaseEvent")
    if cases.objects.using(schema_editor.connection.alias).count() > MIGRATION_LIMIT:
        print("\n  cases 0025: run `manage.py index_phone_mentions` once to index the phone numbers in "
              "existing cases (for erasure).")
        return
    index_existing(cases=cases, events=events, mentions=apps.get_model("cases", "PhoneMention"))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0024_category_name_en'),
    ]

    operations = [
        migrations.CreateModel(
            name='PhoneMention',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digits', models.CharField(max_length=16, verbose_name='phone number')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
            ],
            options={
                'verbose_name': 'phone number mentioned',
                'verbose_name_plural': 'phone numbers mentioned',
                'constraints': [models.UniqueConstraint(fields=('digits', 'case'), name='phone_mention_once_per_case')],
            },
        ),
        migrations.RunPython(index_mentions, migrations.RunPython.noop),
    ]
