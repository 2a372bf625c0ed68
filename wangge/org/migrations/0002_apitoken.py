"""API tokens of our own (hashed, expiring, revocable), replacing DRF's plain authtoken keys.

The keys of existing DRF tokens keep working for MIGRATED_DAYS days: each is copied as an
ApiToken (only its SHA-256) named "migrated", then the plain key is deleted from DRF's table.
After that the owner issues a new one (account page, the token endpoint or ``issue_token``).
The copy reads DRF's table directly when it exists, so it needs no ``rest_framework.authtoken``
installed (it no longer is)."""

import hashlib
from datetime import timedelta

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MIGRATED_DAYS = 30
DRF_TABLE = "authtoken_token"


def copy_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("org", "ApiToken")
    now = django.utils.timezone.now()
    table = schema_editor.quote_name(DRF_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id FROM {table}")
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create([
        ApiToken(user_id=user_id, name="migrated", key_hash=hashlib.sha256(key.encode()).hexdigest(),
                 created_at=now, expires_at=now + timedelta(days=MIGRATED_DAYS))
        for key, user_id in rows
    ])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True, verbose_name="key hash")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False,
                                                    verbose_name="created")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens",
                                           to=settings.AUTH_USER_MODEL, verbose_name="staff member")),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("expires_at__gt", models.F("created_at"))),
                                           name="org_apitoken_expires_after_created"),
                ],
            },
        ),
        migrations.RunPython(copy_drf_tokens, migrations.RunPython.noop, elidable=True),
    ]
