# "Forget the recipient once sent": a message to an address the platform may not keep (the SMS
# confirming a resident's erasure) keeps only the masked number once it is sent or given up. The
# confirmations of erasures answered before this change are marked too, and those already sent
# or given up lose the number now.

from django.db import migrations, models

ANSWER_TEMPLATE = "personal_data_answered"  # wangge.residents.personal_data.ANSWER_TEMPLATE, as it was


def _masked(address):
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) > 7:
        return address[:3] + "*" * (len(address) - 7) + address[-4:]
    return address[:1] + "***" if address else ""


def forget_earlier_erasure_confirmations(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    PersonalDataRequest = apps.get_model("residents", "PersonalDataRequest")
    request_type = ContentType.objects.filter(app_label="residents", model="personaldatarequest").first()
    if request_type is None:
        return
    erasures = PersonalDataRequest.objects.filter(kind="delete", status="done").values_list("pk", flat=True)
    rows = OutboundMessage.objects.filter(template=ANSWER_TEMPLATE, subject_type=request_type,
                                          subject_id__in=list(erasures))
    for row in rows.iterator():
        row.forget_recipient = True
        if row.status in ("sent", "dead", "withdrawn"):
            row.to = _masked(row.to)
        row.save(update_fields=["forget_recipient", "to"])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0010_outbox_secret_keys"),
        ("residents", "0003_message_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="forget_recipient",
            field=models.BooleanField(default=False, verbose_name="forget the recipient once sent"),
        ),
        migrations.RunPython(forget_earlier_erasure_confirmations, migrations.RunPython.noop),
    ]
