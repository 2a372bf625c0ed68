"""Refused attempts to see a reporter's data are logged too: ``ReporterAccessLog.granted``.
Every row written before this migration was a granted view."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_link_reporters"),
    ]

    operations = [
        migrations.AddField(
            model_name="reporteraccesslog",
            name="granted",
            field=models.BooleanField(default=True, verbose_name="granted"),
        ),
    ]
