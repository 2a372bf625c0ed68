"""信息查看记录: a full view of a resident's number from the outbox admin (显示完整收件人) reads
「发件箱消息 #id」, a link to that message for whoever may open the outbox — not the raw
"notifications:outbox:<id>" under 其他."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from wangge.notifications.models import OutboundMessage
from wangge.residents.models import Resident
from wangge.residents.services import reveal_resident
from wangge.testing import make_user

pytestmark = pytest.mark.django_db

LOG = "/admin/residents/residentaccesslog/"


@pytest.fixture
def revealed():
    resident = Resident.objects.create(name="张三丰", phone="13812341234")
    message = OutboundMessage.objects.create(channel="sms", to=resident.phone, template="case_accepted",
                                             dedupe_key="case_accepted:1", next_attempt_at=timezone.now())
    officer = make_user(username="root", is_superuser=True, is_staff=True)
    reveal_resident(resident=resident, actor=officer, purpose=f"notifications:outbox:{message.pk}", allowed=True)
    return message, officer


def test_the_purpose_reads_as_the_outbox_message_with_its_link(client, revealed):
    message, officer = revealed
    client.force_login(officer)
    link = f'<a href="/admin/notifications/outboundmessage/{message.pk}/change/">发件箱消息 #{message.pk}</a>'
    listed = client.get(LOG).content.decode()
    assert link in listed and "notifications:outbox:" not in listed
    assert link in client.get(f"{LOG}?purpose_kind=outbox").content.decode()
    assert f"发件箱消息 #{message.pk}" not in client.get(f"{LOG}?purpose_kind=other").content.decode()
    row = client.get(LOG).context["cl"].result_list[0]
    assert link in client.get(f"{LOG}{row.pk}/change/").content.decode()


def test_without_the_outbox_right_it_reads_the_same_without_a_link(client, revealed):
    message, _officer = revealed
    auditor = make_user(username="auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_residentaccesslog"))
    client.force_login(auditor)
    listed = client.get(LOG).content.decode()
    assert f"发件箱消息 #{message.pk}" in listed and "/admin/notifications/outboundmessage/" not in listed
