"""A migration operation for apps that bring their own default message texts (消息模板).

    operations = [add_message_templates(DEFAULTS)]

It writes each default unless a template of that key exists (an admin's edit is kept), and
removes them when migrated backwards. It works on the historical model only, so it stays valid
whatever the app's code becomes.
"""

from django.db import migrations


def add_message_templates(defaults: list[dict]) -> migrations.RunPython:
    keys = [d["key"] for d in defaults]

    def forwards(apps, schema_editor):
        MessageTemplate = apps.get_model("notifications", "MessageTemplate")
        for values in defaults:
            MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)

    def backwards(apps, schema_editor):
        apps.get_model("notifications", "MessageTemplate").objects.filter(key__in=keys).delete()

    return migrations.RunPython(forwards, backwards)
