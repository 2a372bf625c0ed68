"""The officer roles S3 names (一格八员), as a starting list the office edits."""

from django.db import migrations

ROLES = ["公安巡逻员", "城管队员", "市场监管员", "消防安全员", "环卫保洁员", "司法调解员", "卫生健康员", "人社服务员"]


def add_roles(apps, schema_editor):
    OfficerRole = apps.get_model("patrols", "OfficerRole")
    for i, name in enumerate(ROLES):
        OfficerRole.objects.get_or_create(name=name, defaults={"order": (i + 1) * 10})


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_initial")]
    operations = [migrations.RunPython(add_roles, migrations.RunPython.noop)]
