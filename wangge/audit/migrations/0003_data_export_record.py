"""导出日志: the record of every list exported to a file — append-only on PostgreSQL like the
sign-in records (the trigger function of 0002; a DELETE only under ``audit_maintenance()``)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_dataexportrecord"


def guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {TABLE};", params=None)
    schema_editor.execute(f"CREATE TRIGGER wangge_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                          "FOR EACH ROW EXECUTE FUNCTION wangge_append_only();", params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS wangge_append_only ON {TABLE};", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DataExportRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="username")),
                ("what", models.CharField(choices=[("cases", "Case list")], max_length=32, verbose_name="list")),
                ("filters", models.TextField(blank=True, verbose_name="filters")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="rows exported")),
                ("cut", models.BooleanField(default=False, verbose_name="cut at the row cap")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="account")),
            ],
            options={
                "verbose_name": "data export",
                "verbose_name_plural": "data export log",
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.RunPython(guard, unguard),
    ]
