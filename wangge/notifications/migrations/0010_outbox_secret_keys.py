# A message's secrets (the resident's verification code of 我的个人信息): named by the caller,
# masked in the admin, gone from the row once it is sent or given up. The codes queued before
# this change are marked too, and those already sent or given up lose theirs now.

from django.db import migrations, models

CODE_TEMPLATE = "personal_data_code"  # wangge.residents.personal_data.CODE_TEMPLATE, as it was
MASK = "******"


def forget_earlier_codes(apps, schema_editor):
    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    for row in OutboundMessage.objects.filter(template=CODE_TEMPLATE).iterator():
        row.secret_keys = ["code"]
        code = str((row.context or {}).get("code") or "")
        if row.status in ("sent", "dead", "withdrawn") and code:
            row.title, row.body = row.title.replace(code, MASK), row.body.replace(code, MASK)
            row.context = {**row.context, "code": MASK}
        row.save(update_fields=["secret_keys", "title", "body", "context"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0009_rejected_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="secret_keys",
            field=models.JSONField(blank=True, default=list, verbose_name="secret context keys"),
        ),
        migrations.RunPython(forget_earlier_codes, migrations.RunPython.noop),
    ]
