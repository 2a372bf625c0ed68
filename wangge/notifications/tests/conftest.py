"""Fixtures of the notification and outbox tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def outbox_dir(settings, tmp_path):
    """Every channel goes to a FileGateway writing under this test's own directory."""
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    settings.WANGGE_OUTBOX_DIR = str(tmp_path / "outbox")
    return tmp_path / "outbox"


@pytest.fixture
def sms_template(db):
    from wangge.notifications.models import MessageTemplate

    return MessageTemplate.objects.create(key="test_hello", channel="sms", body="【网格】{{ name }}您好，编号{{ number }} <&>")


@pytest.fixture
def staff(db):
    from wangge.testing import make_user

    return make_user(username="staff-a"), make_user(username="staff-b")


def ensure_default_templates():
    """The templates migrations 0007 and 0009 create (a transactional test elsewhere may have flushed them)."""
    import importlib

    from wangge.notifications.models import MessageTemplate

    defaults = [*importlib.import_module("wangge.notifications.migrations.0007_default_message_templates").DEFAULTS,
                *importlib.import_module("wangge.notifications.migrations.0009_rejected_notice").DEFAULTS]
    for values in defaults:
        MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)


@pytest.fixture
def default_templates(db):
    ensure_default_templates()


def queue_code(phone: str):
    """A resident with ``phone`` asks for their 我的个人信息 code: the message waiting in the outbox
    and its code (the templates as residents' migration writes them)."""
    import importlib

    from wangge.notifications.models import MessageTemplate, OutboundMessage
    from wangge.residents import personal_data
    from wangge.residents.models import Resident

    for values in importlib.import_module("wangge.residents.migrations.0003_message_templates").DEFAULTS:
        MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)
    Resident.objects.create(name="张三丰", phone=phone)
    personal_data.send_verification_code(phone=phone)
    message = OutboundMessage.objects.get(template=personal_data.CODE_TEMPLATE)
    return message, message.context["code"]
