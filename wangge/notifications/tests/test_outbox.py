"""The outbox: written in the caller's transaction, delivered after commit, retried with back-off,
dead letters retried by an admin, and a worker killed mid-delivery loses and duplicates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from wangge.notifications import outbox
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway, gateway_for
from wangge.notifications.models import MessageTemplate, OutboundMessage
from wangge.notifications.tests.gateways import FlakyGateway

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def queue(key="evt:1:sms:13812341234", to="13812341234", template="test_hello", **context):
    return outbox.queue_message(channel="sms", to=to, template=template,
                                context={"name": "张先生", "number": "WG1", **context}, dedupe_key=key)


def lines(channel="sms"):
    from django.conf import settings

    return FileGateway.read(channel, settings.WANGGE_OUTBOX_DIR)


def use_gateway(settings, path, **options):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": path, "OPTIONS": options}}


# --- writing ------------------------------------------------------------------------------------


def test_a_message_is_written_with_the_transaction_and_delivered_after_commit(
        outbox_dir, sms_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue()
        assert message.status == OutboxStatus.PENDING and lines() == []
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1 and message.sent_at is not None
    # Plain text: no HTML escaping in an SMS.
    assert [(line["to"], line["body"], line["key"]) for line in lines()] == [
        ("13812341234", "【网格】张先生您好，编号WG1 <&>", "evt:1:sms:13812341234")]
    assert message.gateway_message_id == lines()[0]["id"]
    assert message.context == {"name": "张先生", "number": "WG1"}


def test_a_rolled_back_event_sends_nothing(outbox_dir, sms_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        queue()
        raise RuntimeError("the case action failed")
    assert callbacks == [] and not OutboundMessage.objects.exists() and lines() == []


def test_the_same_event_and_recipient_is_queued_once(outbox_dir, sms_template):
    first = queue()
    assert queue() is None
    assert queue(key="evt:1:sms:13900000000", to="13900000000") is not None
    assert OutboundMessage.objects.count() == 2 and first.pk


def test_a_missing_or_switched_off_template_sends_nothing(outbox_dir, sms_template):
    assert queue(template="no_such_template") is None
    sms_template.is_active = False
    sms_template.save()
    assert queue() is None
    assert not OutboundMessage.objects.exists()


def test_programming_errors_are_refused(outbox_dir, sms_template):
    with pytest.raises(ValueError):
        outbox.queue_message(channel="pigeon", to="x", template="test_hello", context={}, dedupe_key="k")
    with pytest.raises(ValueError):
        outbox.queue_message(channel="sms", to="138", template="test_hello", context={}, dedupe_key="")
    with pytest.raises(ValueError):
        outbox.queue_message(channel="email", to="a@b.cn", template="test_hello", context={}, dedupe_key="k")


def test_a_broken_template_gives_a_dead_letter_not_a_failed_action(outbox_dir, sms_template):
    MessageTemplate.objects.filter(pk=sms_template.pk).update(body="{% if %}坏了")
    message = queue()
    assert message.status == OutboxStatus.DEAD and "did not render" in message.last_error
    # The admin fixes the template and retries: rendered again from the stored context.
    MessageTemplate.objects.filter(pk=sms_template.pk).update(body="{{ name }}，已修好")
    assert outbox.retry_dead_messages() == 1
    outbox.deliver_due_messages()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and lines()[0]["body"] == "张先生，已修好"


def test_the_admin_form_refuses_a_template_that_does_not_parse(sms_template):
    from django.core.exceptions import ValidationError

    sms_template.body = "{% if %}"
    with pytest.raises(ValidationError):
        sms_template.full_clean()


def test_the_default_templates_are_in_chinese(default_templates):
    accepted = MessageTemplate.objects.get(key="case_accepted")
    resolved = MessageTemplate.objects.get(key="case_resolved")
    assert accepted.channel == resolved.channel == "sms" and accepted.is_active
    text = outbox.render_text(resolved.body, {"number": "WG20270104-0001", "answer": "已清理",
                                              "track_url": "http://x/r/t/abc/"})
    assert text == "【网格】您反映的问题（WG20270104-0001）已办结：已清理。请对办理结果进行评价：http://x/r/t/abc/"
    assert "{{ due }}" in accepted.body and "{{ track_url }}" in accepted.body


# --- delivering ---------------------------------------------------------------------------------


def test_failures_back_off_then_the_message_is_a_dead_letter(outbox_dir, sms_template, settings):
    use_gateway(settings, "wangge.notifications.tests.gateways.FlakyGateway")
    FlakyGateway.failures, FlakyGateway.permanent = 100, False
    message = queue()
    now = timezone.now()
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.deliver_due_messages(now=now).claimed == 1
        message.refresh_from_db()
        assert message.attempts == attempt and "provider busy" in message.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert message.status == OutboxStatus.PENDING
            waits.append(message.next_attempt_at - now)
            # Not due a second before its time.
            assert outbox.deliver_due_messages(now=message.next_attempt_at - dt.timedelta(seconds=1)).claimed == 0
            now = message.next_attempt_at
    assert waits == [MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 720 * MINUTE]
    assert message.status == OutboxStatus.DEAD and message.next_attempt_at is None
    assert outbox.deliver_due_messages(now=now + dt.timedelta(days=30)).claimed == 0
    assert list(outbox.dead_letters()) == [message]
    assert lines() == []

    # An admin retries it: due now, attempts from zero, the same key.
    FlakyGateway.failures = 0
    assert outbox.retry_dead_messages(ids=[message.pk]) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    outbox.deliver_due_messages()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.last_error == ""
    assert [line["key"] for line in lines()] == [message.dedupe_key]


def test_a_transient_failure_then_success(outbox_dir, sms_template, settings):
    use_gateway(settings, "wangge.notifications.tests.gateways.FlakyGateway")
    FlakyGateway.failures, FlakyGateway.permanent = 1, False
    message = queue()
    outbox.deliver_due_messages()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    result = outbox.deliver_due_messages(now=timezone.now() + 2 * MINUTE)
    assert (result.claimed, result.sent) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")
    assert len(lines()) == 1


def test_a_permanent_failure_is_a_dead_letter_at_once(outbox_dir, sms_template, settings):
    use_gateway(settings, "wangge.notifications.tests.gateways.FlakyGateway")
    FlakyGateway.failures, FlakyGateway.permanent = 1, True
    message = queue()
    assert outbox.deliver_due_messages().dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)


def test_a_channel_without_a_gateway_is_a_dead_letter(outbox_dir, sms_template, settings):
    settings.WANGGE_OUTBOX_GATEWAYS = {"email": "wangge.notifications.gateways.ConsoleGateway"}
    message = queue()
    outbox.deliver_due_messages()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and "WANGGE_OUTBOX_GATEWAYS" in message.last_error


@pytest.mark.parametrize("die", ["before", "after"])
def test_a_worker_stopped_mid_delivery_loses_and_duplicates_nothing(outbox_dir, sms_template, settings, die):
    """The worker stops (SystemExit) before or after the provider took the message, before the
    outbox recorded it: the row stays "sending"; nobody touches it while the lease runs; after it,
    the next run sends it again with the same key and the provider has it exactly once."""
    use_gateway(settings, "wangge.notifications.tests.gateways.SystemExitGateway", die=die)
    message = queue()
    with pytest.raises(SystemExit):
        outbox.deliver_due_messages()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENDING, 1)
    assert len(lines()) == (1 if die == "after" else 0)

    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    assert outbox.deliver_due_messages().claimed == 0  # the lease still runs
    later = timezone.now() + dt.timedelta(seconds=outbox.lease_seconds() + 1)
    assert outbox.deliver_due_messages(now=later).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert [line["key"] for line in lines()] == [message.dedupe_key]
    assert message.gateway_message_id == lines()[0]["id"]


def test_a_message_whose_worker_keeps_dying_ends_as_a_dead_letter(outbox_dir, sms_template):
    message = queue()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, attempts=outbox.MAX_ATTEMPTS,
        lease_until=timezone.now() - MINUTE, next_attempt_at=timezone.now() - MINUTE)
    assert outbox.deliver_due_messages().claimed == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and message.last_error == outbox.INTERRUPTED
    assert lines() == []


def test_an_outcome_is_recorded_only_under_the_lease(outbox_dir, sms_template):
    """A worker that overran its lease while another took the row over does not overwrite the
    other's outcome."""
    message = queue()
    (claimed,) = outbox._claim(1, None)
    OutboundMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() + dt.timedelta(hours=1))
    outbox._finish(claimed, None, status=OutboxStatus.DEAD, last_error="late")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING and message.last_error == ""


def test_the_file_gateway_dedupes_on_the_key(outbox_dir):
    from wangge.notifications.gateways import Envelope

    gateway = gateway_for("sms")
    one = gateway.send(Envelope(channel="sms", to="13800000000", body="一", idempotency_key="k1"))
    again = gateway.send(Envelope(channel="sms", to="13800000000", body="一", idempotency_key="k1"))
    other = gateway.send(Envelope(channel="sms", to="13800000000", body="二", idempotency_key="k2"))
    assert one == again != other
    assert [line["body"] for line in lines()] == ["一", "二"]


def test_the_console_gateway_logs(caplog, settings):
    from wangge.notifications.gateways import ConsoleGateway, Envelope

    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.ConsoleGateway"}
    gateway = gateway_for("wechat_template")
    assert isinstance(gateway, ConsoleGateway)
    with caplog.at_level("INFO", logger="wangge.outbox"):
        gateway.send(Envelope(channel="wechat_template", to="oOpenId", body="您好", idempotency_key="k"))
    assert "您好" in caplog.text


def test_the_email_gateway_uses_django_mail(mailoutbox, settings):
    from wangge.notifications.gateways import Envelope

    settings.WANGGE_OUTBOX_GATEWAYS = {"email": "wangge.notifications.gateways.DjangoEmailGateway"}
    message_id = gateway_for("email").send(Envelope(channel="email", to="a@example.org", title="办结通知",
                                                    body="已办结", idempotency_key="k"))
    assert [(m.subject, m.to, m.extra_headers["Message-ID"]) for m in mailoutbox] == [
        ("办结通知", ["a@example.org"], message_id)]


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client):
    from wangge.testing import make_user

    client.force_login(make_user(username="root", is_superuser=True, is_staff=True))
    return client


def test_the_admin_lists_dead_letters_and_retries_them(admin_client_, outbox_dir, sms_template, settings):
    use_gateway(settings, "wangge.notifications.tests.gateways.FlakyGateway")
    FlakyGateway.failures, FlakyGateway.permanent = 1, True
    dead = queue()
    outbox.deliver_due_messages()
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    alive = queue(key="evt:2:sms:13900000000", to="13900000000")
    outbox.deliver_due_messages()

    page = admin_client_.get("/admin/notifications/outboundmessage/?status=dead").content.decode()
    assert "死信" in page and "138****1234" in page and "139****0000" not in page
    assert "重新发送所选死信" in page  # the retry action, in Chinese

    response = admin_client_.post("/admin/notifications/outboundmessage/",
                                  {"action": "retry", "_selected_action": [dead.pk, alive.pk]}, follow=True)
    assert "1条消息已重新排队" in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.PENDING
    detail = admin_client_.get(f"/admin/notifications/outboundmessage/{dead.pk}/change/")
    # Masked on the page too, for anyone: the full number is shown by a logged button only
    # (test_outbox_admin_privacy).
    assert detail.status_code == 200 and "138****1234" in detail.content.decode()
    assert "13812341234" not in detail.content.decode()


def test_the_admin_edits_message_templates(admin_client_, default_templates):
    page = admin_client_.get("/admin/notifications/messagetemplate/").content.decode()
    assert "case_accepted" in page and "消息模板" in page
    tpl = MessageTemplate.objects.get(key="case_accepted")
    url = f"/admin/notifications/messagetemplate/{tpl.pk}/change/"
    form = {"description": tpl.description, "title": "", "body": "【网格】已受理{{ number }}", "is_active": "on"}
    assert admin_client_.post(url, form).status_code == 302
    assert MessageTemplate.objects.get(pk=tpl.pk).body == "【网格】已受理{{ number }}"
    broken = admin_client_.post(url, {**form, "body": "{% if %}"})
    assert broken.status_code == 200 and "模板错误" in broken.content.decode()


# --- the background worker ----------------------------------------------------------------------


def test_the_periodic_delivery_is_registered_and_keeps_one_chain(settings):
    from django_tasks_db.models import DBTaskResult

    from wangge.core.periodic import periodic_jobs
    from wangge.notifications.tasks import deliver_outbox_periodic

    (job,) = [j for j in periodic_jobs() if j.name == "notifications.outbox"]
    assert job.interval() == 30
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    job.schedule()
    job.schedule()  # a second worker starting: still one chain
    fn = deliver_outbox_periodic.func
    assert DBTaskResult.objects.filter(task_path=f"{fn.__module__}.{fn.__qualname__}", status="READY").count() == 1


def test_the_periodic_run_delivers_and_reschedules(outbox_dir, sms_template, settings):
    from wangge.notifications.tasks import deliver_outbox_periodic

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    message = queue()  # not delivered on commit: the queue is down
    assert deliver_outbox_periodic.call() == {"sent": 1, "retrying": 0, "dead": 0}
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_the_console_gateway_logs_a_masked_number(caplog):
    import logging

    from wangge.notifications.gateways import ConsoleGateway, Envelope

    with caplog.at_level(logging.INFO):
        ConsoleGateway(channel="sms").send(Envelope(channel="sms", to="13812345678", title="", body="您的问题已受理",
                                            idempotency_key="cases.caseevent:1:sms:13812345678"))
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
