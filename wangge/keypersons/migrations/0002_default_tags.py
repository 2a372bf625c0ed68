"""The six tags of S1 (Yanjiaping 六访), all visited monthly by default; editable in the admin."""

from django.db import migrations

TAGS = [
    ("needy", "困难户", 10),
    ("elderly_alone", "独居老人", 20),
    ("disabled", "残疾人家庭", 30),
    ("floating", "流动人口", 40),
    ("unemployed", "失业人员", 50),
    ("other", "其他重点人员", 60),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("keypersons", "KeyPersonTag")
    for code, name, order in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name, "order": order, "frequency": "monthly"})


class Migration(migrations.Migration):
    dependencies = [("keypersons", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
