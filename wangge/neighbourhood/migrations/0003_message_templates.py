# The Chinese default texts of the SMS residents get from 三问三联三评: the rating invitation after
# a service (三评) and the "was it really fixed?" question after a case made from their need is
# closed; admins edit them afterwards (消息模板).

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "neighbourhood_rate",
        "channel": "sms",
        "description": "三评：服务完成后邀请住户评价。可用变量：{{ what }} 服务内容，{{ resource }} 服务资源，"
                       "{{ chief }} 对接的长，{{ link }} 评价页（90 天内有效）。",
        "body": "【网格】{{ resource }}为您提供的服务（{{ what }}）已完成，请为服务和{{ chief }}打分：{{ link }}",
    },
    {
        "key": "neighbourhood_follow_up",
        "channel": "sms",
        "description": "回访：由需求转成的案件结案后询问是否真正解决。可用变量：{{ number }} 案件编号，"
                       "{{ link }} 回访页（90 天内有效）。",
        "body": "【网格】您反映的问题（{{ number }}）已办结。真正解决了吗？请告诉我们：{{ link }}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("neighbourhood", "0002_need_classes_and_snapshot_guard"),
        ("notifications", "0007_default_message_templates"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
