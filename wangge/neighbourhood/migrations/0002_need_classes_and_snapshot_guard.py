"""The eight classes of the needs list (S4; editable in the admin) and, on PostgreSQL, a trigger
that refuses any UPDATE or DELETE of a published score (a published quarter is a snapshot)."""

from django.db import migrations

CLASSES = [
    ("emergency", "突发应急"),
    ("convenience", "便民服务"),
    ("volunteer", "志愿服务"),
    ("culture_health", "文教卫生"),
    ("elderly_care", "养老助老"),
    ("child_care", "托幼助学"),
    ("employment", "就业创业"),
    ("legal_aid", "法律援助"),
]

GUARD = """
CREATE OR REPLACE FUNCTION neighbourhood_score_is_snapshot() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a published score is an immutable snapshot (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER neighbourhood_score_snapshot BEFORE UPDATE OR DELETE ON neighbourhood_publishedscore
    FOR EACH ROW EXECUTE FUNCTION neighbourhood_score_is_snapshot();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS neighbourhood_score_snapshot ON neighbourhood_publishedscore;
DROP FUNCTION IF EXISTS neighbourhood_score_is_snapshot();
"""


def add_classes(apps, schema_editor):
    NeedClass = apps.get_model("neighbourhood", "NeedClass")
    for order, (code, name) in enumerate(CLASSES, start=1):
        NeedClass.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("neighbourhood", "0001_initial")]

    operations = [
        migrations.RunPython(add_classes, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
