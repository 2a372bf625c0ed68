"""Whether a key-person category is shown to the person on it (我的个人信息), and the post a
staff viewer held when they opened a person's full data (told to the person as for residents).

个人信息保护法 art. 44–45: a person may see what is held about them. Art. 18 and 35: a state organ
may withhold what a law or regulation requires kept confidential, or where telling would impede
its statutory duties. Of the six categories migration 0002 made (and the demo uses):

- 困难户 (needy), 独居老人 (elderly living alone), 残疾人家庭 (disabled), 失业人员 (unemployed):
  care and assistance — the visits are for the person; shown.
- 流动人口 (floating population): the residence registration the person gave themself (居住证
  暂行条例 keeps no part of it from them); shown.
- 其他重点人员 (other key persons): the catch-all where offices put the categories the law keeps
  from the person (community correction, drug rehabilitation, public-security watch lists …);
  kept. Staff turn it on where their own use of it is care only.

A category made later starts kept (the field's default), until staff decide in the admin: a
care category left kept shows the person a line to ask at the office; a security category
shown by mistake cannot be taken back. Categories edited before this migration keep their code,
so an office's own renamed copy of a default category gets the default of its code.
"""

from django.db import migrations, models

SHOWN = frozenset({"needy", "elderly_alone", "disabled", "floating", "unemployed"})


def show_care_categories(apps, schema_editor):
    apps.get_model("keypersons", "KeyPersonTag").objects.filter(code__in=SHOWN).update(shown_to_person=True)


class Migration(migrations.Migration):

    dependencies = [
        ('keypersons', '0004_visit_help_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='keypersonaccesslog',
            name='viewer_posts',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="viewer's posts then"),
        ),
        migrations.AddField(
            model_name='keypersontag',
            name='shown_to_person',
            field=models.BooleanField(default=False, help_text="The person on the register sees entries under this category, with the number and dates of visits, on the resident page 我的个人信息. Turn it off only for categories kept confidential by law or whose disclosure would impede the office's duties (public security, community correction …): the person then reads only that some records are kept under the law and may ask at the community office, without the category.", verbose_name='shown to the person'),
        ),
        migrations.RunPython(show_care_categories, migrations.RunPython.noop),
    ]
