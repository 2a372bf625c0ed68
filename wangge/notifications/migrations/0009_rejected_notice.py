# A report turned down (不予受理) is told why, as an accepted or resolved one is told so: the new
# outbox status "withdrawn" (an "accepted" text still waiting when the report is rejected is never
# sent) and the Chinese default text of the SMS; admins edit it afterwards (an existing template
# of the same key is left as it is).

from django.db import migrations, models

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "case_rejected",
        "channel": "sms",
        "description": "不予受理短信：告知居民其诉求不予受理的原因及咨询途径。可用变量：{{ number }} 编号，"
                       "{{ reason }} 不予受理原因（过长时截断），{{ hotline }} 服务热线（未设置时为空），"
                       "{{ track_url }} 查询链接。",
        "body": "【网格】您反映的问题（编号{{ number }}）不予受理，原因：{{ reason }}。"
                "{% if hotline %}如有疑问请致电{{ hotline }}。{% endif %}详情：{{ track_url }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0008_notification_preference"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundmessage",
            name="status",
            field=models.CharField(choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"),
                                            ("dead", "Dead letter"), ("withdrawn", "Withdrawn")],
                                   default="pending", max_length=16, verbose_name="status"),
        ),
        add_message_templates(DEFAULTS),
    ]
