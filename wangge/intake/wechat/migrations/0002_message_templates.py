# The Chinese default texts of the WeChat messages to residents; admins edit them afterwards (an
# existing template of the same key is left as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "wechat_case_accepted",
        "channel": "wechat_template",
        "title": "您反映的问题已受理",
        "description": "微信受理通知：经公众号反映的诉求被受理时发送。可用变量：{{ number }} 编号，{{ title }} 标题，"
                       "{{ due }} 承诺办结时间，{{ track_url }} 进度链接。",
        "body": "您反映的问题已受理（编号{{ number }}），我们承诺于{{ due }}前办结。进度查询：{{ track_url }}",
    },
    {
        "key": "wechat_case_resolved",
        "channel": "wechat_template",
        "title": "您反映的问题已办结",
        "description": "微信办结通知：告知办理结果并请居民评价。可用变量：{{ number }} 编号，{{ answer }} 办理结果，"
                       "{{ rate_url }} 评价链接，{{ track_url }} 进度链接。",
        "body": "您反映的问题（{{ number }}）已办结：{{ answer }}。请对办理结果进行评价：{{ rate_url }}",
    },
    {
        "key": "wechat_reply",
        "channel": "wechat_custom",
        "title": "",
        "description": "微信客服消息：来不及在5秒内被动回复的答复（如等待照片下载后的受理编号）。可用变量：{{ text }}。",
        "body": "{{ text }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("intake_wechat", "0001_initial"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
