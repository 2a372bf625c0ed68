"""A message's secrets in the outbox: the resident's verification code of 我的个人信息 is sent to
them, but no member of staff reads it in the outbox admin while it is live, and the row no longer
holds it once it is sent or given up. Before, the admin showed the code in the message's text and
context for its whole ten minutes, and kept it for good."""

from __future__ import annotations

import pytest
from django.conf import settings

from wangge.notifications import outbox
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway
from wangge.notifications.tests.conftest import queue_code
from wangge.notifications.tests.gateways import refusing_for_good
from wangge.testing import make_user

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
LIST = "/admin/notifications/outboundmessage/"


@pytest.fixture
def code_message(outbox_dir):
    """A code texted to a resident, waiting in the outbox."""
    message, code = queue_code(PHONE)
    assert message.status == OutboxStatus.PENDING
    return message, code


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(username="root", is_superuser=True, is_staff=True))
    return client


def test_the_admin_never_shows_a_waiting_code(superuser_client, code_message):
    message, code = code_message
    detail = superuser_client.get(f"{LIST}{message.pk}/change/").content.decode()
    listed = superuser_client.get(LIST).content.decode()
    searched = superuser_client.get(LIST, {"q": code})
    assert code not in detail and code not in listed
    assert "您的验证码为******" in detail  # the rest of the text stays readable
    assert list(searched.context["cl"].result_list) == []


def test_the_resident_gets_the_code_and_the_row_forgets_it_once_sent(superuser_client, code_message):
    message, code = code_message
    assert outbox.deliver_due_messages().sent == 1
    [line] = FileGateway.read("sms", settings.WANGGE_OUTBOX_DIR)
    assert line["to"] == PHONE and f"您的验证码为{code}，" in line["body"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert code not in message.body and code not in str(message.context) and "您的验证码为******" in message.body
    assert code not in superuser_client.get(f"{LIST}{message.pk}/change/").content.decode()


def test_a_code_given_up_is_forgotten_and_not_retried(settings, code_message):
    message, code = code_message
    with refusing_for_good(settings):
        assert outbox.deliver_due_messages().dead == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and code not in message.body and code not in str(message.context)
    # A retry would text "******" hours after the code expired: the resident asks for a new one.
    assert outbox.retry_dead_messages(ids=[message.pk]) == 0
