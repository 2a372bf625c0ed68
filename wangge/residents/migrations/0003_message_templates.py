# The Chinese default texts of the two SMS of 我的个人信息 (PIPL self-service): the verification
# code, and the answer to a correction or deletion request. Admins edit them afterwards (消息模板);
# an existing template of the same key is left as it is.

from django.db import migrations

from wangge.notifications.migration_ops import add_message_templates

DEFAULTS = [
    {
        "key": "personal_data_code",
        "channel": "sms",
        "description": "个人信息查询验证码：居民在“我的个人信息”页面输入手机号后发送。可用变量：{{ code }} 6 位验证码，"
                       "{{ minutes }} 有效分钟数。",
        "body": "【网格】您的验证码为{{ code }}，{{ minutes }}分钟内有效，仅用于查看您在本平台的个人信息。"
                "请勿告诉他人；如非本人操作，请忽略本短信。",
    },
    {
        "key": "personal_data_answered",
        "channel": "sms",
        "description": "个人信息更正/删除申请答复：工作人员办理或驳回居民的申请后发送。可用变量：{{ kind }} 申请类型"
                       "（更正/删除），{{ received }} 收到日期，{{ outcome }} 结果（已办理/已驳回），{{ reply }} 答复"
                       "（过长时截断，不含句末标点）。",
        "body": "【网格】您于{{ received }}提出的个人信息{{ kind }}申请{{ outcome }}。{% if reply %}答复：{{ reply }}。{% endif %}",
    },
]


class Migration(migrations.Migration):

    dependencies = [
        ("residents", "0002_personal_data_requests"),
        ("notifications", "0009_rejected_notice"),
    ]

    operations = [
        add_message_templates(DEFAULTS),
    ]
