# The Chinese default text of the SMS a resident gets when credit is booked to them (积分到账);
# admins edit it afterwards (消息模板).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "credit_earned",
        "channel": "sms",
        "description": "积分到账：居民获得信用积分时发送。可用变量：{{ points }} 本次积分，{{ reason }} 事由，"
                       "{{ balance }} 当前余额，{{ link }} 我的积分页（30 天内有效）。",
        "body": "【网格】您因{{ reason }}获得 {{ points }} 信用积分，当前余额 {{ balance }}，可到德誉超市兑换。查看：{{ link }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("credit", "0002_append_only"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
