"""The permission group of each role, with its default admin permissions (``org.role_permissions``).

Permissions are created here first (Django creates them only after the whole migrate run). Models
whose apps migrate later get their defaults from the ``post_migrate`` hook (``grant_defaults``),
so this migration depends on nothing but auth and org: rolling another app back never takes it
(or the migrations after it) along."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    from wangge.org.role_permissions import grant_defaults

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_defaults(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def backwards(apps, schema_editor):
    """Keep the groups: an admin may have edited them, and forwards is safe to run again."""


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
