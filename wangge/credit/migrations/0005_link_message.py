# The Chinese default text of the SMS that sends a holder the link to their credit page (积分页链接),
# sent when staff press 发送链接 on the account page; admins edit it afterwards (消息模板).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "credit_link",
        "channel": "sms",
        "description": "积分页链接：工作人员在积分账户页点“发送链接”时发给账户持有人。可用变量：{{ holder }} 账户"
                       "（本人或户的地址），{{ balance }} 当前余额，{{ link }} 我的积分页（30 天内有效）。",
        "body": "【网格】{{ holder }}的信用积分余额 {{ balance }}。查看积分记录、兑换德誉超市商品或对记录提出申诉："
                "{{ link }}（30 天内有效）",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("credit", "0004_disputes"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
