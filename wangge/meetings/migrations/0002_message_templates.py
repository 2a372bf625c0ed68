# The Chinese default text of the message a resident gets when a meeting decides on their case
# (及时向居民反馈, S0); admins edit it afterwards (消息模板).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "meeting_outcome",
        "channel": "sms",
        "description": "协商结果告知：居民反映的问题经协商会议定方案或就地解决时发送。可用变量：{{ number }} 诉求编号，"
                       "{{ meeting }} 会议类型，{{ plan }} 议定结果（过长时截断），{{ when }} 所需时间。",
        "body": "【网格】您反映的问题（{{ number }}）经{{ meeting }}协商：{{ plan }}。完成时间：{{ when }}。",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0001_initial"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
