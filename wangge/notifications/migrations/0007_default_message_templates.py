# The Chinese default texts of the messages to residents; admins edit them afterwards (an
# existing template of the same key is left as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "case_accepted",
        "channel": "sms",
        "description": "受理短信：居民留了手机号的诉求被受理时发送。可用变量：{{ number }} 编号，{{ due }} 办结期限，"
                       "{{ track_url }} 进度查询链接。",
        "body": "【网格】您反映的问题已受理（编号{{ number }}），将于{{ due }}前办结。进度查询：{{ track_url }}",
    },
    {
        "key": "case_resolved",
        "channel": "sms",
        "description": "办结短信：告知居民办理结果并请其评价。可用变量：{{ number }} 编号，{{ answer }} 办理结果"
                       "（过长时截断），{{ track_url }} 查询与评价链接。",
        "body": "【网格】您反映的问题（{{ number }}）已办结：{{ answer }}。请对办理结果进行评价：{{ track_url }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0006_outbox"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
