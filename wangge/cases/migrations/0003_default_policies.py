"""The deadline policies the seeds describe; admins may edit them."""

from django.db import migrations

POLICIES = [
    # name, accept (value, unit), dispatch, resolve, default
    ("默认时限（5个工作日）", (1, "minutes"), (15, "minutes"), (5, "working_days"), True),
    ("一星事件（24小时）", (1, "minutes"), (15, "minutes"), (24, "hours"), False),
    ("跨部门事件（15个工作日）", (1, "minutes"), (15, "minutes"), (15, "working_days"), False),
    ("紧急事件（4小时）", (1, "minutes"), (5, "minutes"), (4, "hours"), False),
]


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for name, accept, dispatch, resolve, default in POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults=dict(
                accept_value=accept[0], accept_unit=accept[1],
                dispatch_value=dispatch[0], dispatch_unit=dispatch[1],
                resolve_value=resolve[0], resolve_unit=resolve[1],
                is_default=default,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
