# The Chinese default text of the answer to a resident whose WeChat report was merged into another
# case (合并办理): the answer and their own report's link, without the rating request (the kept
# case's reporter rates it). Admins edit it afterwards (an existing template of the same key is
# left as it is).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "wechat_merged_case_resolved",
        "channel": "wechat_template",
        "title": "您反映的问题已办结",
        "description": "微信合并办结通知：居民经公众号反映的问题已并入另一诉求办理，该诉求办结时发送（不含评价邀请，"
                       "由原诉求反映人评价）。可用变量：{{ number }} 其诉求编号，{{ title }} 标题，{{ into }} 合并后办理的编号，"
                       "{{ answer }} 办理结果，{{ track_url }} 其诉求的查询链接。",
        "body": "您反映的问题（{{ number }}）与{{ into }}合并办理，已办结：{{ answer }}。办理结果请查看：{{ track_url }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("intake_wechat", "0003_rejected_merged_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
