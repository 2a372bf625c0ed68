"""The holder's side: household accounts with a page of their own, the link sent to the holder,
disputes (申诉) raised on the page and settled by the community; refused staff forms keep what
was typed; the figures add up to the balances; the demo books in date order."""

from __future__ import annotations

import random
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from wangge.core.actors import Actor
from wangge.core.errors import Forbidden
from wangge.credit import actions, selectors, signing
from wangge.credit.choices import DisputeStatus, EntryKind
from wangge.credit.models import CreditAccount, CreditDispute, LedgerEntry
from wangge.notifications.models import Notification, OutboundMessage
from wangge.residents.models import Resident

from .conftest import fund, key, make_unit


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _section(body: str, testid: str, end: str = "</section>") -> str:
    return body.split(f'data-testid="{testid}"', 1)[1].split(end, 1)[0]


# --- household accounts -----------------------------------------------------------------------------


def test_a_household_account_is_titled_by_its_address_and_has_a_page_like_a_person(
        world, rules, household_account, client, item):
    fund(world, household_account, rules, points=40)
    client.force_login(world.users["secretary_a"])
    body = client.get(reverse("credit:account", args=[household_account.pk])).content.decode()
    title = re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)
    assert "东园1号楼2单元 301" in title  # building, unit and room, not the room alone
    link = re.search(r'value="([^"]+)"[^>]*data-testid="credit-resident-link"', body).group(1)
    assert "/credit/me/" in link and 'data-testid="credit-resident-qr"' in body

    page = client.get(link)
    text = page.content.decode()
    assert page.status_code == 200 and "我家的积分" in text and "东园1号楼2单元 301" in text
    assert ">40<" in text and "志愿服务" in text and "13912345678" not in text
    client.post(reverse("credit:resident_code", args=[link.rstrip("/").rsplit("/", 1)[1]]), {"item": item.pk})
    assert household_account.codes.get().item == item  # a redemption code, as a person's account gets


def test_opening_a_household_account_needs_its_building_or_unit_and_keeps_the_input(world, client):
    client.force_login(world.users["secretary_a"])
    unit = make_unit(world)
    form = {"name": "张秀兰", "phone": "13912345678", "place": str(world.grids[0].pk), "for_household": "on",
            "room": "301"}
    response = client.post(reverse("credit:open_account"), form)
    assert response.status_code == 400 and not CreditAccount.objects.exists()
    place = _section(response.content.decode(), "credit-open", "</form>")
    assert "按户开户须选择该户所在的楼栋或单元" in place.split('data-field="place"', 1)[1].split("</p>", 1)[0]
    assert 'value="张秀兰"' in place and 'value="301"' in place and "东园社区 / 东园第1网格 / 东园1号楼 / 1号楼2单元" in place

    form["place"] = str(unit.pk)
    response = client.post(reverse("credit:open_account"), form, follow=True)
    account = CreditAccount.objects.get()
    assert account.household.unit == unit and account.region == unit
    assert "积分账户 #%d · 东园1号楼2单元 301" % account.pk in response.content.decode()


def test_a_full_width_phone_opens_the_account_of_the_digits_and_finds_it_again(world, client):
    """Staff typing with a Chinese input method in full-width mode: the resident is stored with
    the half-width digits (the one who already called from that number is the same person), and
    a search by the number typed either way finds the account."""
    client.force_login(world.users["secretary_a"])
    known = Resident.objects.create(name="张秀兰", phone="13912345678")
    form = {"name": "张秀兰", "phone": "＋８６ １３９－１２３４－５６７８", "place": str(world.grids[0].pk)}
    assert client.post(reverse("credit:open_account"), form).status_code == 302
    account = CreditAccount.objects.get()
    assert account.resident == known and Resident.objects.filter(phone__startswith="+").count() == 0
    for typed in ("１３９１２３４５６７８", "139 1234 5678"):
        response = client.post(reverse("credit:accounts"), {"phone": typed})
        assert response.status_code == 302 and response["Location"] == reverse("credit:account", args=[account.pk])


# --- the holder's link -----------------------------------------------------------------------------


def test_staff_send_the_holder_their_link_by_sms_once_a_day(world, rules, account, client):
    client.force_login(world.users["worker_a1"])  # a grid worker who may see the account, not only the secretary
    body = client.get(reverse("credit:account", args=[account.pk])).content.decode()
    assert 'data-testid="credit-resident-qr"' in body and 'data-testid="credit-send-link"' in body
    response = client.post(reverse("credit:send_link", args=[account.pk]), follow=True)
    message = OutboundMessage.objects.get()
    assert (message.to, message.template, message.channel) == ("13900001111", "credit_link", "sms")
    token = message.context["link"].rsplit("/me/", 1)[1].strip("/")
    assert signing.account_id_from(token) == account.pk and "/credit/me/" in message.body
    assert "139****1111" in response.content.decode() and "13900001111" not in response.content.decode()

    again = client.post(reverse("credit:send_link", args=[account.pk]), follow=True)
    assert "今天已发送过链接" in again.content.decode() and OutboundMessage.objects.count() == 1
    client.force_login(world.users["worker_b1"])  # another territory: as if there were no such account
    assert client.post(reverse("credit:send_link", args=[account.pk])).status_code == 404


def test_a_household_link_goes_to_each_member_and_its_earnings_are_texted(world, rules, household_account):
    Resident.objects.create(name="李建国", phone="13812345679", household=household_account.household)
    sent = actions.send_holder_link(actor=world.users["secretary_a"], account=household_account)
    assert sent == ["139****5678", "138****5679"]
    assert sorted(OutboundMessage.objects.filter(template="credit_link").values_list("to", flat=True)) == [
        "13812345679", "13912345678"]
    fund(world, household_account, rules, points=10)
    assert OutboundMessage.objects.filter(template="credit_earned").count() == 2


# --- disputes -------------------------------------------------------------------------------------


def _dispute_on_page(client, account, entry, reason):
    token = signing.token_for(account.pk)
    return client.post(reverse("credit:resident_dispute", args=[token]), {"entry": entry.pk, "reason": reason},
                       follow=True)


def test_a_resident_disputes_an_entry_and_the_community_corrects_it(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    page = _dispute_on_page(client, account, entry, "我只做了 4 小时，不是 8 小时")
    dispute = CreditDispute.objects.get()
    assert (dispute.status, dispute.entry, dispute.account) == (DisputeStatus.OPEN, entry, account)
    body = page.content.decode()
    assert f'data-testid="credit-disputed-{entry.pk}"' in body and "待社区处理" in _section(body, "credit-my-disputes")
    note = Notification.objects.get(kind="credit_dispute")
    assert note.recipient == world.users["secretary_a"] and f"/credit/accounts/{account.pk}/" in note.url

    again = _dispute_on_page(client, account, entry, "再说一次")
    assert again.status_code == 400 and CreditDispute.objects.count() == 1

    client.force_login(world.users["secretary_a"])
    listed = client.get(reverse("credit:accounts")).content.decode()
    assert "我只做了 4 小时" in _section(listed, "credit-open-disputes")
    response = client.post(reverse("credit:resolve_dispute", args=[dispute.pk]),
                           {"reply": "核实为 4 小时，已更正，请重新登记", "outcome": "correct"}, follow=True)
    assert response.status_code == 200
    dispute.refresh_from_db()
    account.refresh_from_db()
    assert dispute.status == DisputeStatus.CORRECTED and dispute.correction.amount == -40 and account.balance == 0
    assert dispute.resolved_by == world.users["secretary_a"]
    client.logout()
    mine = _section(client.get(reverse("credit:resident", args=[signing.token_for(account.pk)])).content.decode(),
                    "credit-my-disputes")
    assert "已更正" in mine and "核实为 4 小时" in mine


def test_a_dispute_answered_leaves_the_entry_and_tells_the_resident_why(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    _dispute_on_page(client, account, entry, "积分少了")
    dispute = CreditDispute.objects.get()
    client.force_login(world.users["secretary_a"])
    refused = client.post(reverse("credit:resolve_dispute", args=[dispute.pk]), {"reply": " ", "outcome": "answer"})
    assert refused.status_code == 400 and CreditDispute.objects.get().status == DisputeStatus.OPEN
    client.post(reverse("credit:resolve_dispute", args=[dispute.pk]),
                {"reply": "志愿服务每小时 5 分，8 小时共 40 分", "outcome": "answer"})
    dispute.refresh_from_db()
    account.refresh_from_db()
    assert dispute.status == DisputeStatus.ANSWERED and account.balance == 40 and dispute.correction is None
    client.logout()
    mine = _section(client.get(reverse("credit:resident", args=[signing.token_for(account.pk)])).content.decode(),
                    "credit-my-disputes")
    assert "已答复" in mine and "8 小时共 40 分" in mine


def test_a_correction_from_the_ledger_settles_the_open_dispute(world, rules, account):
    from django.utils import translation

    entry = fund(world, account, rules, points=40)[0]
    with translation.override("en"):  # a resident reading in English: staff are still told in Chinese
        dispute = actions.dispute_entry(actor=Actor.of_resident(account.resident), account=account, entry=entry,
                                        reason="记错了人")
    assert "持有人对第 1 条记录（+40）提出申诉" in Notification.objects.get().message
    actions.correct_entry(actor=world.users["secretary_a"], entry=entry, reason="记错了人，已更正")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CORRECTED and dispute.reply == "记错了人，已更正"


def test_a_dispute_needs_a_reason_and_an_entry_of_ones_own(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    other = fund(world, _other_account(world), rules, points=5)[0]
    blank = _dispute_on_page(client, account, entry, "  ")
    assert blank.status_code == 400 and 'id="dispute-%d-error"' % entry.pk in blank.content.decode()
    foreign = _dispute_on_page(client, account, other, "不是我的")
    assert foreign.status_code == 400 and not CreditDispute.objects.exists()
    with pytest.raises(Forbidden):  # the action itself: only the holder disputes their own entries
        actions.dispute_entry(actor=Actor.of_resident(account.resident), account=other.account, entry=other,
                              reason="x")


def test_a_dispute_sent_twice_says_so_at_the_top_of_the_page(world, rules, account, client):
    """A double tap on 提交: the second post is refused, and the page says why where it can be
    seen (the entry's form has already given way to "you raised this entry")."""
    entry = fund(world, account, rules, points=40)[0]
    _dispute_on_page(client, account, entry, "我只做了 4 小时，不是 8 小时")
    again = _dispute_on_page(client, account, entry, "我只做了 4 小时，不是 8 小时")
    body = again.content.decode()
    assert again.status_code == 400 and CreditDispute.objects.count() == 1
    assert 'data-testid="credit-dispute-error"' in body and "您已对该记录提出申诉" in body
    assert f'data-testid="credit-disputed-{entry.pk}"' in body


def test_a_refused_dispute_of_an_entry_not_on_the_page_is_explained(world, rules, account, client):
    fund(world, account, rules, points=40)
    other = fund(world, _other_account(world), rules, points=5)[0]
    body = _dispute_on_page(client, account, other, "不是我的").content.decode()
    assert 'data-testid="credit-dispute-error"' in body and "请选择您的积分记录中的一条" in body


def test_a_refusal_beside_its_entry_is_not_repeated_at_the_top(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    body = _dispute_on_page(client, account, entry, "  ").content.decode()
    assert 'id="dispute-%d-error"' % entry.pk in body and 'data-testid="credit-dispute-error"' not in body


def _other_account(world):
    from .conftest import make_account

    return make_account(world, name="李四", phone="13900009999")


# --- refused staff forms keep what was typed ---------------------------------------------------------------


def test_a_refused_award_says_it_is_the_hours_and_keeps_rule_hours_and_note(world, rules, account, client):
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("credit:award", args=[account.pk]), {
        "rule": rules["volunteer"].pk, "quantity": 20, "note": "楼道清理", "request_key": key()})
    assert response.status_code == 400 and not LedgerEntry.objects.exists()
    form = _section(response.content.decode(), "credit-award", "</form>")
    hours = form.split('data-field="quantity"', 1)[1].split("</p>", 1)[0]
    assert "小时数：本规则须在 1 到 8 之间。" in hours and 'value="20"' in hours
    assert f'<option value="{rules["volunteer"].pk}" selected>' in form and 'value="楼道清理"' in form


def test_a_refused_correction_is_said_at_its_entry_with_the_reason_kept(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    actions.correct_entry(actor=world.users["secretary_a"], entry=entry, reason="重复登记")
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("credit:correct", args=[entry.pk]), {"reason": "再更正一次"})
    assert response.status_code == 400 and LedgerEntry.objects.filter(kind=EntryKind.CORRECT).count() == 1
    ledger = response.content.decode().split('data-testid="credit-correct-error"', 1)[1].split("</p>", 1)[0]
    assert f"第 {entry.seq} 条" in ledger and "该记录已被更正过" in ledger


def test_a_refused_correction_keeps_the_reason_in_its_row(world, rules, account, client):
    entry = fund(world, account, rules, points=40)[0]
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("credit:correct", args=[entry.pk]), {"reason": "x" * 201})
    assert response.status_code == 400 and not LedgerEntry.objects.filter(kind=EntryKind.CORRECT).exists()
    row = _section(response.content.decode(), f"credit-correct-{entry.pk}", "</form>")
    assert 'value="' + "x" * 200 in row and 'aria-invalid="true"' in row


# --- figures -----------------------------------------------------------------------------------------


def test_the_figures_add_up_to_the_balances_with_corrections(world, rules, account, item, client):
    fund(world, account, rules, points=100)
    other = _other_account(world)
    earned = fund(world, other, rules, points=40)[0]
    redemption = actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    spend = LedgerEntry.objects.get(source="redemption", source_id=str(redemption.pk))
    actions.correct_entry(actor=world.users["secretary_a"], entry=spend, reason="退货")      # +30
    actions.correct_entry(actor=world.users["secretary_a"], entry=earned, reason="记错人")  # −40
    data = selectors.figures(world.users["secretary_a"])
    totals = data["totals"]
    balances = sum(CreditAccount.objects.values_list("balance", flat=True))
    assert (totals["earned"], totals["spent"], totals["corrected"]) == (140, 30, -10)
    assert totals["earned"] - totals["spent"] - totals["expired"] + totals["corrected"] == balances == 100
    assert data["balances"] == 100 and data["before"] == 0

    client.force_login(world.users["secretary_a"])
    body = client.get(reverse("credit:figures")).content.decode()
    assert re.search(r'data-testid="credit-corrected">-10<', body)
    assert re.search(r'data-testid="credit-balances">100<', body)


# --- demo ----------------------------------------------------------------------------------------------


def test_the_demo_books_each_account_in_date_order(db):
    from django.utils import timezone

    from wangge.credit import demo
    from wangge.demo.builders import build_world

    world = build_world()
    now = timezone.now()
    assert demo.load_demo_data(world=world, rng=random.Random(11), now=now) > 0
    for account in CreditAccount.objects.all():
        dates = list(account.entries.order_by("seq").values_list("created_at", flat=True))
        assert dates == sorted(dates), account.pk
        assert dates and dates[-1] <= now
