"""The outbox admin (发件箱) and a recipient's phone: masked on the list and the page for everyone;
those with the unmask right show it in full with a posted button, and each full view is written
to the resident's own access log (居民信息查看记录, ``residents.reveal_resident``) and to the
``wangge.pii`` logger, as a case reporter's full view is. Before, an admin with the right saw the
full number on every page they opened, and nothing recorded that they had."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from wangge.notifications.models import OutboundMessage
from wangge.residents.models import Resident, ResidentAccessLog, WechatIdentity
from wangge.testing import make_user

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
LIST = "/admin/notifications/outboundmessage/"


def message(to=PHONE, channel="sms", key=None):
    return OutboundMessage.objects.create(channel=channel, to=to, template="case_accepted",
                                          dedupe_key=key or f"case_accepted:1:{channel}:{to}",
                                          next_attempt_at=timezone.now())


def page_of(msg) -> str:
    return f"{LIST}{msg.pk}/change/"


def reveal_of(msg) -> str:
    return f"{LIST}{msg.pk}/reveal/"


@pytest.fixture
def resident():
    return Resident.objects.create(name="张三丰", phone=PHONE)


@pytest.fixture
def unmasker(client):
    """An admin with the unmask right (a superuser has every right)."""
    user = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client, user


@pytest.fixture
def auditor(client):
    user = make_user(username="auditor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client.force_login(user)
    return client


@pytest.fixture
def pii_log(caplog):
    logger = logging.getLogger("wangge.pii")
    logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger="wangge.pii"):
        yield caplog
    logger.removeHandler(caplog.handler)


def test_the_list_and_the_page_are_masked_and_log_nothing(unmasker, resident):
    client, _user = unmasker
    msg = message()
    listed = client.get(LIST).content.decode()
    detail = client.get(page_of(msg)).content.decode()
    for page in (listed, detail):
        assert "138****1234" in page and PHONE not in page
    assert 'data-testid="outbox-reveal"' in detail and "显示完整收件人（留痕）" in detail
    assert not ResidentAccessLog.objects.exists()


def test_the_full_number_is_shown_by_a_post_and_logged_on_the_resident(unmasker, resident, pii_log):
    client, user = unmasker
    msg = message()
    assert client.get(reveal_of(msg)).status_code == 405  # a link (prefetched, bookmarked) shows nothing
    assert not ResidentAccessLog.objects.exists()
    shown = client.post(reveal_of(msg), REMOTE_ADDR="10.2.3.4")
    page = shown.content.decode()
    assert shown.status_code == 200 and PHONE in page and f"case_accepted:1:sms:{PHONE}" in page
    assert "本次查看已记入该居民的信息查看记录。" in page
    (row,) = ResidentAccessLog.objects.all()
    assert (row.resident, row.user, row.granted, row.ip_address, row.purpose) == (
        resident, user, True, "10.2.3.4", f"notifications:outbox:{msg.pk}")
    assert any("outbox recipient shown" in r.getMessage() and "138****1234" in r.getMessage()
               and PHONE not in r.getMessage() for r in pii_log.records)
    # The number is in no address on the way.
    assert PHONE not in reveal_of(msg) and PHONE not in shown.get("Location", "")


def test_a_wechat_recipient_is_logged_on_its_resident(unmasker, resident):
    client, _user = unmasker
    WechatIdentity.objects.create(resident=resident, app_id="wx1", openid="oABCDEFG123456789")
    msg = message(to="oABCDEFG123456789", channel="wechat_template")
    assert "oABCDEFG123456789" not in client.get(page_of(msg)).content.decode()
    assert "oABCDEFG123456789" in client.post(reveal_of(msg)).content.decode()
    assert ResidentAccessLog.objects.get().resident == resident


def test_a_number_of_no_resident_is_logged_to_the_pii_log(unmasker, pii_log):
    client, _user = unmasker
    msg = message(to="13900003333")
    page = client.post(reveal_of(msg)).content.decode()
    assert "13900003333" in page and "本次查看已留痕记录。" in page
    assert not ResidentAccessLog.objects.exists()
    assert any("outbox recipient shown" in r.getMessage() and "139****3333" in r.getMessage() for r in pii_log.records)


def test_without_the_unmask_right_there_is_no_button_and_no_full_view(auditor, resident):
    msg = message()
    detail = auditor.get(page_of(msg)).content.decode()
    assert "138****1234" in detail and PHONE not in detail and 'data-testid="outbox-reveal"' not in detail
    refused = auditor.post(reveal_of(msg))
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert not ResidentAccessLog.objects.exists()


def test_nobody_searches_or_filters_by_the_number(unmasker, resident):
    """?q=<phone> or ?to=<phone> would put the number into the address (and answer whether the
    office ever texted it): the admin does neither, even for those who may see it."""
    client, _user = unmasker
    message()
    assert client.get(LIST, {"to": PHONE}).status_code == 400
    assert list(client.get(LIST, {"q": PHONE}).context["cl"].result_list) == []
    assert list(client.get(LIST, {"q": f"case_accepted:1:sms:{PHONE}"}).context["cl"].result_list) == []
