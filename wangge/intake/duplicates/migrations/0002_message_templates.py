# The Chinese default texts of the messages this app sends residents; admins edit them afterwards
# (消息模板; an existing template of the same key is left as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "duplicate_merged",
        "channel": "sms",
        "description": "合并告知：居民反映的问题被确认与另一诉求重复并合并办理时发送。可用变量：{{ number }} 其诉求编号，"
                       "{{ into }} 合并后办理的编号，{{ reporters }} 反映人数，{{ track_url }} 其诉求的查询链接。",
        "body": "【网格】您反映的问题（{{ number }}）与{{ into }}为同一问题，已合并办理（共{{ reporters }}位居民反映），"
                "办理进展将短信告知您。查询：{{ track_url }}",
    },
    {
        "key": "linked_case_accepted",
        "channel": "sms",
        "description": "关注受理：居民关注的诉求（合并或“我也遇到了”）被受理时发送。可用变量：{{ number }} 编号，"
                       "{{ due }} 办结期限。",
        "body": "【网格】您关注的问题（编号{{ number }}）已受理，将于{{ due }}前办结。",
    },
    {
        "key": "linked_case_resolved",
        "channel": "sms",
        "description": "关注办结：居民关注的诉求（合并或“我也遇到了”）办结时发送。可用变量：{{ number }} 编号，"
                       "{{ answer }} 办理结果（过长时截断）。",
        "body": "【网格】您关注的问题（编号{{ number }}）已办结：{{ answer }}。",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("intake_duplicates", "0001_initial"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
