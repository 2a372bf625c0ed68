"""Residents who reported by WeChat hear back there: template messages to their OpenID through
the outbox when the case is accepted (with the promised time) and resolved (with the answer and
the rating link) — and no SMS, even when they have a phone on record."""

from __future__ import annotations

from unittest import mock

import pytest

from wangge.cases import actions
from wangge.cases.models import Case
from wangge.notifications.gateways import (
    Envelope,
    FileGateway,
    GatewayError,
    PermanentGatewayError,
)
from wangge.notifications.models import OutboundMessage
from wangge.residents.services import link_phone
from wangge.testing import make_category

from . import wx
from .test_callback import file_report

pytestmark = pytest.mark.django_db


def test_accepted_and_resolved_go_to_the_openid_as_template_messages(
        client, account, world, settings, django_capture_on_commit_callbacks):
    file_report(client, account, world)
    case = Case.objects.get()
    link_phone(resident=case.reporter, phone="13812341234", verified=True)  # would get SMS otherwise
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    category = make_category(department=world.departments["chengguan"])

    with django_capture_on_commit_callbacks(execute=True):
        case = actions.accept_case(case=case, actor=clerk, category=category)
    accepted = OutboundMessage.objects.get()
    assert (accepted.channel, accepted.to, accepted.template) == ("wechat_template", wx.OPENID, "wechat_case_accepted")
    assert case.number in accepted.body and "承诺于" in accepted.body
    assert accepted.context["app_id"] == wx.APP_ID

    with django_capture_on_commit_callbacks(execute=True):
        case = actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]))
        case = actions.claim_case(case=case, actor=officer)
        case = actions.resolve_case(case=case, actor=officer, result="井盖已补装。")
    resolved = OutboundMessage.objects.get(template="wechat_case_resolved")
    assert "已办结：井盖已补装。请对办理结果进行评价" in resolved.body  # one full stop, not "。。"
    rate_link = f"https://wangge.example.gov.cn/r/t/{case.tracking_token}/#rate"
    assert rate_link in resolved.body
    # The rating link opens the page with the rating form (a link is a GET: the form posts).
    page = client.get(rate_link.removeprefix("https://wangge.example.gov.cn"))
    assert page.status_code == 200 and 'data-testid="rate-submit"' in page.content.decode()
    assert not OutboundMessage.objects.filter(channel="sms").exists()
    # Delivered through the gateway the settings name (the test settings: the file gateway).
    assert [m["template"] for m in FileGateway.read("wechat_template", settings.WANGGE_OUTBOX_DIR)] == [
        "wechat_case_accepted", "wechat_case_resolved"]


def test_a_case_staff_filed_on_the_wechat_channel_is_not_messaged_by_wechat(world, account):
    from wangge.testing import file_case

    case = file_case(world, channel="wechat", category=make_category())  # a clerk typing one in: no OpenID
    actions.accept_case(case=case, actor=world.users["clerk"])
    assert not OutboundMessage.objects.filter(channel="wechat_template").exists()


def test_when_the_account_is_switched_off_the_reporter_hears_by_sms_instead(
        client, account, world, django_capture_on_commit_callbacks):
    file_report(client, account, world)
    case = Case.objects.get()
    link_phone(resident=case.reporter, phone="13812341234", verified=True)
    account.enabled = False  # the office stopped the account after the report came in
    account.save(update_fields=["enabled"])

    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_case(case=case, actor=world.users["clerk"], category=make_category())
    sent = OutboundMessage.objects.get()
    assert (sent.channel, sent.to, sent.template) == ("sms", "13812341234", "case_accepted")
    assert case.number in sent.body


def _envelope(channel="wechat_template", template="wechat_case_accepted"):
    return Envelope(channel=channel, to=wx.OPENID, body="您反映的问题已受理", idempotency_key="k1", title="已受理",
                    template=template, context={"app_id": wx.APP_ID, "number": "WG1", "due": "12月3日",
                                                "track_url": "https://x/r/t/abc/"})


def test_gateway_sends_a_template_message_when_the_account_has_its_id_else_a_text(account):
    from wangge.intake.wechat import gateways

    account.template_ids = {"wechat_case_accepted": "TPL_ACCEPTED"}
    account.save()
    client = mock.Mock()
    client.message.send_template.return_value = {"errcode": 0, "msgid": 200228332}
    client.message.send_text.return_value = {"errcode": 0}
    with mock.patch.object(gateways, "client_for", return_value=client):
        gateway = gateways.WechatGateway(channel="wechat_template")
        assert gateway.send(_envelope()) == "200228332"
        openid, template_id, data = client.message.send_template.call_args.args
        assert (openid, template_id, data["keyword1"]["value"]) == (wx.OPENID, "TPL_ACCEPTED", "WG1")
        gateways.WechatGateway(channel="wechat_custom").send(_envelope("wechat_custom", "wechat_reply"))
        client.message.send_text.assert_called_once_with(wx.OPENID, "您反映的问题已受理")


def test_gateway_sorts_wechat_errors_into_retry_and_give_up(account):
    from wechatpy.exceptions import WeChatClientException

    from wangge.intake.wechat import gateways

    client = mock.Mock()
    with mock.patch.object(gateways, "client_for", return_value=client):
        gateway = gateways.WechatGateway(channel="wechat_custom")
        client.message.send_text.side_effect = WeChatClientException(43004, "require subscribe")
        with pytest.raises(PermanentGatewayError):
            gateway.send(_envelope("wechat_custom"))
        client.message.send_text.side_effect = WeChatClientException(-1, "system busy")
        with pytest.raises(GatewayError):
            gateway.send(_envelope("wechat_custom"))


def test_a_conversation_under_way_follows_a_merged_resident(account):
    from wangge.intake.wechat.models import WechatConversation
    from wangge.residents.models import Resident
    from wangge.residents.services import link_phone

    sender = Resident.objects.create(name="", phone="")
    kept = Resident.objects.create(name="李女士", phone="13900006666")
    talk = WechatConversation.objects.create(account=account, openid="o-merge-1", resident=sender)

    link_phone(resident=sender, phone=kept.phone, verified=True)  # the phone button: one person

    talk.refresh_from_db()
    assert talk.resident_id == kept.pk
