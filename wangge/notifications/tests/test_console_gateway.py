"""The console gateway writes to the server log, which operators and log collectors read: a
resident's verification code (a message's ``secret_keys``) and their phone number never appear
in it. The demo still signs in: its settings name a file for the codes (development only, never
a log line), and the log line says where the code went."""

from __future__ import annotations

import logging

import pytest

from wangge.notifications import outbox
from wangge.notifications.gateways import ConsoleGateway, Envelope
from wangge.notifications.tests.conftest import queue_code

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
CONSOLE = "wangge.notifications.gateways.ConsoleGateway"


@pytest.fixture
def code(db):
    """A resident's 我的个人信息 code, waiting in the outbox."""
    return queue_code(PHONE)[1]


def test_a_code_and_the_number_never_reach_the_log(settings, caplog, code):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": CONSOLE}
    with caplog.at_level(logging.DEBUG):
        assert outbox.deliver_due_messages().sent == 1
    assert "138****1234" in caplog.text and "******" in caplog.text
    assert code not in caplog.text and PHONE not in caplog.text


def test_a_number_in_the_text_is_masked_too(caplog):
    with caplog.at_level(logging.DEBUG):
        ConsoleGateway(channel="sms").send(Envelope(channel="sms", to=PHONE, title="回访",
                                                    body="请回电 13912345678 或 139-1234-5678",
                                                    idempotency_key=f"k:{PHONE}"))
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text
    assert "139-1234-5678" not in caplog.text


def test_the_demo_finds_its_code_in_the_codes_file_the_log_names(settings, caplog, tmp_path, code):
    codes_file = tmp_path / "demo-codes.txt"
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": CONSOLE, "OPTIONS": {"codes_file": str(codes_file)}}}
    with caplog.at_level(logging.DEBUG):
        assert outbox.deliver_due_messages().sent == 1
    assert code not in caplog.text and str(codes_file) in caplog.text
    written = codes_file.read_text(encoding="utf-8")
    assert code in written and "138****1234" in written and PHONE not in written


def test_outside_the_demo_the_codes_file_is_refused(settings, caplog, tmp_path, code, monkeypatch):
    from django.apps import apps

    codes_file = tmp_path / "demo-codes.txt"
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": CONSOLE, "OPTIONS": {"codes_file": str(codes_file)}}}
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: False if name == "wangge.demo" else real(name))
    with caplog.at_level(logging.DEBUG):
        assert outbox.deliver_due_messages().sent == 1
    assert not codes_file.exists() and code not in caplog.text


def test_the_demos_sign_in_page_says_where_the_code_is(settings, client, tmp_path, code):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": CONSOLE, "OPTIONS": {"codes_file": "var/outbox/demo-codes.txt"}}}
    client.post("/r/mydata/", {"phone": PHONE})
    assert "写在服务器上的 var/outbox/demo-codes.txt 文件中" in client.get("/r/mydata/code/").content.decode()
    settings.WANGGE_OUTBOX_GATEWAYS = {"sms": "wangge.notifications.gateways.FileGateway"}  # a real provider's place
    assert "demo-codes" not in client.get("/r/mydata/code/").content.decode()
