""""Forget the recipient once sent": a message to an address the platform may not keep reaches it,
and once sent or given up its row keeps only the masked address (138****1234), never retried."""

from __future__ import annotations

import pytest
from django.conf import settings

from wangge.notifications import outbox
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway
from wangge.notifications.tests.gateways import refusing_for_good

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


def queue(**options):
    return outbox.queue_message(channel="sms", to=PHONE, template="test_hello", context={"name": "张先生"},
                                dedupe_key="request:1:answered", **options)


def test_the_number_is_used_to_send_and_then_kept_masked(outbox_dir, sms_template):
    message = queue(forget_recipient=True)
    assert message.to == PHONE  # the worker needs it until it hands the message over
    assert outbox.deliver_due_messages().sent == 1
    assert [line["to"] for line in FileGateway.read("sms", settings.WANGGE_OUTBOX_DIR)] == [PHONE]
    message.refresh_from_db()
    assert (message.status, message.to) == (OutboxStatus.SENT, "138****1234")


def test_a_message_given_up_forgets_the_number_and_is_not_retried(settings, outbox_dir, sms_template):
    message = queue(forget_recipient=True)
    with refusing_for_good(settings):
        assert outbox.deliver_due_messages().dead == 1
    message.refresh_from_db()
    assert (message.status, message.to) == (OutboxStatus.DEAD, "138****1234")
    assert outbox.retry_dead_messages(ids=[message.pk]) == 0  # never "sent" to 138****1234


def test_other_messages_keep_their_recipient_and_the_key_may_not_hold_it(outbox_dir, sms_template):
    message = queue()
    outbox.deliver_due_messages()
    message.refresh_from_db()
    assert message.to == PHONE
    with pytest.raises(ValueError):
        outbox.queue_message(channel="sms", to=PHONE, template="test_hello", context={},
                             dedupe_key=f"evt:2:{PHONE}", forget_recipient=True)
