"""A resident whose WeChat report was merged (合并) into another case goes on hearing in WeChat:
that case's acceptance, answer and refusal come as template messages to their OpenID, at their
own report's link — as its own WeChat reporter would hear them — and not also by SMS; and 「查询」
lists their report with how the case it is handled in is going."""

from __future__ import annotations

from unittest import mock

import pytest

from wangge.cases import actions
from wangge.cases.choices import EventType
from wangge.cases.events import domain_event
from wangge.intake.wechat import receivers
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import Envelope, FileGateway
from wangge.notifications.models import OutboundMessage
from wangge.testing import file_case, make_category

from . import wx
from .test_callback import file_report

pytestmark = pytest.mark.django_db

BASE = "https://wangge.example.gov.cn"
OTHER_PHONE = "13900001111"  # the kept case's own reporter, who called the hotline


def link(case) -> str:
    return f"{BASE}/r/t/{case.tracking_token}/"


@pytest.fixture
def merged(reported, world):
    """(the WeChat report, the case it was merged into): the kept case was phoned in."""
    kept = file_case(world, category=make_category(department=world.departments["chengguan"]),
                     reporter_phone=OTHER_PHONE)
    report = actions.merge_case(case=reported, into=kept, actor=world.users["clerk"])
    OutboundMessage.objects.all().delete()  # the merge notice itself: test_rejected_merged
    return report, kept


def test_the_merged_reporter_hears_the_kept_cases_acceptance_and_answer_in_wechat_not_by_sms(
        merged, world, settings, client, django_capture_on_commit_callbacks):
    report, kept = merged
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    with django_capture_on_commit_callbacks(execute=True):
        kept = actions.accept_case(case=kept, actor=clerk)
    accepted = OutboundMessage.objects.get(to=wx.OPENID)
    event = kept.events.get(type=EventType.ACCEPTED)
    assert (accepted.channel, accepted.template, accepted.dedupe_key) == (
        "wechat_template", "wechat_case_accepted", f"cases.caseevent:{event.pk}:wechat:{wx.OPENID}")
    assert accepted.body.startswith(f"您反映的问题已受理（编号{report.number}），我们承诺于")
    assert accepted.body.endswith(f"进度查询：{link(report)}")  # their own link, never the kept case's
    assert accepted.context["app_id"] == wx.APP_ID and accepted.context["into"] == kept.number
    # The kept case's own reporter hears by SMS as before; the merged one gets no SMS (phone on record).
    assert list(OutboundMessage.objects.filter(channel="sms").values_list("to", "template")) == [
        (OTHER_PHONE, "case_accepted")]

    with django_capture_on_commit_callbacks(execute=True):
        kept = actions.dispatch_case(case=kept, actor=clerk,
                                     lead=actions.Target(department=world.departments["chengguan"]))
        kept = actions.claim_case(case=kept, actor=officer)
        kept = actions.resolve_case(case=kept, actor=officer, result="井盖已补装。")
    answer = OutboundMessage.objects.get(to=wx.OPENID, template="wechat_merged_case_resolved")
    assert answer.channel == "wechat_template" and answer.title == "您反映的问题已办结"
    # The answer is rated by the kept case's reporter (the merged page has no rating card): no
    # invitation to rate, the link to their own page where the answer is.
    assert answer.body == (f"您反映的问题（{report.number}）与{kept.number}合并办理，已办结：井盖已补装。"
                           f"办理结果请查看：{link(report)}")
    page = client.get(link(report).removeprefix(BASE)).content.decode()
    assert "井盖已补装。" in page and 'data-testid="merged-rating-note"' in page
    assert not OutboundMessage.objects.filter(channel="sms", to="13812341234").exists()
    assert [m["template"] for m in FileGateway.read("wechat_template", settings.WANGGE_OUTBOX_DIR)] == [
        "wechat_case_accepted", "wechat_merged_case_resolved"]
    # A replay of the event sends nothing more.
    receivers.tell_resolved(domain_event(kept.events.get(type=EventType.RESOLVED)))
    assert OutboundMessage.objects.filter(to=wx.OPENID).count() == 2


def test_a_merged_reporter_without_a_phone_still_hears_in_wechat(client, account, world):
    file_report(client, account, world)  # no phone on record: the SMS never reached them at all
    from wangge.cases.models import Case

    report = Case.objects.get()
    kept = file_case(world, category=make_category(), reporter_phone=OTHER_PHONE)
    actions.merge_case(case=report, into=kept, actor=world.users["clerk"])
    actions.accept_case(case=kept, actor=world.users["clerk"])
    assert list(OutboundMessage.objects.filter(to=wx.OPENID).order_by("pk").values_list("template", flat=True)) == [
        "wechat_case_merged", "wechat_case_accepted"]


def test_an_acceptance_still_waiting_is_withdrawn_when_the_kept_case_is_rejected(merged, world, settings):
    settings.WANGGE_OFFICE_HOTLINE = "12345"
    report, kept = merged
    clerk = world.users["clerk"]
    kept = actions.accept_case(case=kept, actor=clerk)
    accepted = OutboundMessage.objects.get(to=wx.OPENID)
    assert accepted.status == OutboxStatus.PENDING
    actions.reject_case(case=kept, actor=clerk, reason="该井盖属于燃气公司，已转告其处理。")
    accepted.refresh_from_db()
    assert accepted.status == OutboxStatus.WITHDRAWN
    told = OutboundMessage.objects.get(to=wx.OPENID, status=OutboxStatus.PENDING)
    assert told.template == "wechat_case_rejected"
    assert told.body == (f"您反映的问题（{report.number}）不予受理，原因：该井盖属于燃气公司，已转告其处理。"
                         f"如有疑问请致电12345。详情：{link(report)}")
    assert not OutboundMessage.objects.filter(channel="sms", to="13812341234").exists()


def test_when_the_account_is_switched_off_the_merged_reporter_hears_by_sms(merged, account, world):
    report, kept = merged
    account.enabled = False
    account.save(update_fields=["enabled"])
    actions.accept_case(case=kept, actor=world.users["clerk"])
    assert not OutboundMessage.objects.filter(to=wx.OPENID).exists()
    sms = OutboundMessage.objects.get(to="13812341234")
    assert (sms.channel, sms.template) == ("sms", "linked_case_accepted")


def test_two_wechat_reports_of_one_resident_merged_hear_each_notice_once(client, account, world):
    from wangge.cases.models import Case

    file_report(client, account, world)
    file_report(client, account, world)
    kept, again = Case.objects.order_by("pk")
    actions.merge_case(case=again, into=kept, actor=world.users["clerk"])
    kept = actions.accept_case(case=kept, actor=world.users["clerk"], category=make_category())
    accepted = OutboundMessage.objects.get(template="wechat_case_accepted")
    assert accepted.to == wx.OPENID and link(kept) in accepted.body  # as the kept case's own reporter


def test_query_lists_the_merged_report_with_how_the_kept_case_is_going(merged, client, account, world):
    report, kept = merged
    actions.accept_case(case=kept, actor=world.users["clerk"])
    listing = wx.say(client, account, wx.text("查询"), encrypted=True)
    assert f"{report.number} 小区门口井盖缺失，很危险：与{kept.number}合并办理，已受理，期限" in listing
    assert f"详情：{link(report)}" in listing and link(kept) not in listing
    one = wx.say(client, account, wx.text(f"查询 {report.number}"), encrypted=True)
    assert f"与{kept.number}合并办理，已受理，期限" in one


def test_the_merged_answer_goes_as_the_accounts_resolved_template_message(account):
    """A console that has a template for answers (办结通知) has no other: the merged reporter's
    answer uses it too, opening their own page — never a customer-service text, which WeChat
    takes only within 48 hours of the resident's last message."""
    from wangge.intake.wechat import gateways

    account.template_ids = {"wechat_case_resolved": "TPL_RESOLVED"}
    account.save()
    client = mock.Mock()
    client.message.send_template.return_value = {"errcode": 0, "msgid": 1}
    envelope = Envelope(channel="wechat_template", to=wx.OPENID, body="…已办结：井盖已补装。", idempotency_key="k1",
                        title="您反映的问题已办结", template="wechat_merged_case_resolved",
                        context={"app_id": wx.APP_ID, "number": "WG1", "into": "WG0", "answer": "井盖已补装",
                                 "track_url": "https://x/r/t/abc/"})
    with mock.patch.object(gateways, "client_for", return_value=client):
        gateways.WechatGateway(channel="wechat_template").send(envelope)
    openid, template_id, data = client.message.send_template.call_args.args
    assert (openid, template_id, data["keyword2"]["value"]) == (wx.OPENID, "TPL_RESOLVED", "井盖已补装")
    assert client.message.send_template.call_args.kwargs["url"] == "https://x/r/t/abc/"
    client.message.send_text.assert_not_called()
