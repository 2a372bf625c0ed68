# The Chinese default text of the SMS to the further reporters of a case turned down (不予受理);
# admins edit it afterwards (an existing template of the same key is left as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "linked_case_rejected",
        "channel": "sms",
        "description": "关注不予受理：居民关注的诉求（合并或“我也遇到了”）不予受理时发送。可用变量：{{ number }} 编号，"
                       "{{ reason }} 原因（过长时截断），{{ hotline }} 服务热线（未设置时为空），"
                       "{{ track_url }} 其诉求的查询链接。",
        "body": "【网格】您关注的问题（编号{{ number }}）不予受理，原因：{{ reason }}。"
                "{% if hotline %}如有疑问请致电{{ hotline }}。{% endif %}"
                "{% if track_url %}详情：{{ track_url }}{% endif %}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("intake_duplicates", "0004_joined_report_has_case"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
