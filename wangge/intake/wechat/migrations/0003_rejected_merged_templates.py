# The Chinese default texts of the WeChat notices of a report turned down (不予受理) or merged into
# another case (合并); admins edit them afterwards (an existing template of the same key is left
# as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "wechat_case_rejected",
        "channel": "wechat_template",
        "title": "您反映的问题不予受理",
        "description": "微信不予受理通知：告知居民不予受理的原因及咨询途径。可用变量：{{ number }} 编号，{{ title }} 标题，"
                       "{{ reason }} 原因，{{ hotline }} 服务热线（未设置时为空），{{ track_url }} 查询链接。",
        "body": "您反映的问题（{{ number }}）不予受理，原因：{{ reason }}。"
                "{% if hotline %}如有疑问请致电{{ hotline }}。{% endif %}详情：{{ track_url }}",
    },
    {
        "key": "wechat_case_merged",
        "channel": "wechat_template",
        "title": "您反映的问题已合并办理",
        "description": "微信合并通知：居民反映的问题与另一诉求为同一问题、合并办理时发送。可用变量：{{ number }} 其诉求编号，"
                       "{{ title }} 标题，{{ into }} 合并后办理的编号，{{ track_url }} 其诉求的查询链接（显示合并后的办理进展）。",
        "body": "您反映的问题（{{ number }}）与{{ into }}为同一问题，已合并办理。办理进展和结果请查看：{{ track_url }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("intake_wechat", "0002_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
