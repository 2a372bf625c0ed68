"""The store: items, merchant codes (核销), the resident's phone page, leaderboards, the case hook."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from wangge.core.actors import Actor
from wangge.core.errors import Forbidden, InvalidInput
from wangge.credit import actions, selectors, signing
from wangge.credit.choices import EntryKind, RedemptionVia
from wangge.credit.errors import BadCode, NotEnoughCredit
from wangge.credit.models import LedgerEntry, Redemption

from .conftest import fund, key, make_account
from .conftest import make_unit as _unit


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_only_community_staff_manage_the_store(world, item):
    with pytest.raises(Forbidden):
        actions.create_store_item(actor=world.users["worker_a1"], community=world.communities[0], name="米", price=5)
    with pytest.raises(Forbidden):
        actions.create_store_item(actor=world.users["secretary_b"], community=world.communities[0], name="米", price=5)
    with pytest.raises(InvalidInput):
        actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0], name="米", price=0)
    with pytest.raises(InvalidInput):  # stock never below zero
        actions.restock_item(actor=world.users["secretary_a"], item=item, add=-6)
    assert actions.restock_item(actor=world.users["secretary_a"], item=item, add=3).stock == 8


# --- merchant codes --------------------------------------------------------------------------------


@pytest.fixture
def shop_item(world, merchant):
    return actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                                     name="理发券", price=40, stock=3, merchant=merchant)


def test_a_merchant_code_works_once(world, rules, account, merchant, shop_item):
    fund(world, account, rules, points=100)
    code = actions.issue_redemption_code(account=account, item=shop_item, actor=Actor.of_resident(account.resident))
    assert len(code.code) == 8 and code.code.isdigit()
    account.refresh_from_db()
    assert account.balance == 100  # nothing spent until the shop enters it
    redemption = actions.redeem_code(actor=merchant.user, code=f" {code.code[:4]} {code.code[4:]} ")
    assert (redemption.via, redemption.merchant_id, redemption.price) == (RedemptionVia.MERCHANT, merchant.pk, 40)
    with pytest.raises(BadCode):
        actions.redeem_code(actor=merchant.user, code=code.code)
    account.refresh_from_db()
    shop_item.refresh_from_db()
    assert (account.balance, shop_item.stock, Redemption.objects.count()) == (60, 2, 1)


def test_a_merchant_code_expires(world, rules, account, merchant, shop_item):
    fund(world, account, rules, points=100)
    code = actions.issue_redemption_code(account=account, item=shop_item, actor=Actor.of_resident(account.resident))
    with pytest.raises(BadCode):
        actions.redeem_code(actor=merchant.user, code=code.code, now=timezone.now() + dt.timedelta(minutes=11))
    account.refresh_from_db()
    assert account.balance == 100 and not Redemption.objects.exists()


def test_a_code_is_refused_to_another_merchant_and_to_a_wrong_guess(world, rules, account, merchant, shop_item):
    from wangge.credit.models import Merchant
    from wangge.testing.factories import make_user

    other = Merchant.objects.create(name="别家", community=world.communities[0], user=make_user(None))
    fund(world, account, rules, points=100)
    code = actions.issue_redemption_code(account=account, item=shop_item, actor=Actor.of_resident(account.resident))
    for actor, guess in ((other.user, code.code), (merchant.user, "12345678"), (merchant.user, "abc")):
        with pytest.raises(BadCode):
            actions.redeem_code(actor=actor, code=guess)
    assert not Redemption.objects.exists()


def test_a_resident_cannot_get_a_code_beyond_their_credit_or_for_another_account(world, rules, account, shop_item):
    fund(world, account, rules, points=20)
    with pytest.raises(NotEnoughCredit):
        actions.issue_redemption_code(account=account, item=shop_item, actor=Actor.of_resident(account.resident))
    other = make_account(world, name="李四", phone="13900002222")
    with pytest.raises(Forbidden):
        actions.issue_redemption_code(account=other, item=shop_item, actor=Actor.of_resident(account.resident))


# --- leaderboards ----------------------------------------------------------------------------------


def test_leaderboards_list_only_opted_in_residents_with_names_masked(world, rules):
    shown = make_account(world, name="王小明", phone="13900001111")
    hidden = make_account(world, name="李大海", phone="13900002222")
    fund(world, shown, rules, points=40)
    fund(world, hidden, rules, points=80)
    actions.set_leaderboard_opt_in(account=shown, opt_in=True, actor=Actor.of_resident(shown.resident))
    board = selectors.leaderboard(world.communities[0].pk)
    assert board == [{"rank": 1, "account_id": shown.pk, "name": "王**", "earned": 40}]
    with pytest.raises(Forbidden):  # nobody opts another resident in
        actions.set_leaderboard_opt_in(account=hidden, opt_in=True, actor=Actor.of_resident(shown.resident))


# --- the case hook ---------------------------------------------------------------------------------


def test_a_confirmed_report_earns_credit_once(world, rules):
    from wangge.cases.actions import accept_case
    from wangge.core.events import run_pending_reactions
    from wangge.testing import file_case, make_category

    category = make_category(department=world.departments["chengguan"])
    case = file_case(world, category=category, reporter_name="赵六", reporter_phone="13700001234")
    accept_case(case=case, actor=world.users["clerk"])
    run_pending_reactions(subscribers={"credit.award_for_confirmed_report"})
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.rule.code, entry.source, entry.account.resident_id) == (
        EntryKind.EARN, 10, "hazard", "case", case.reporter_id)
    # The same event again (a retried reaction) books nothing more.
    from wangge.core.events import DomainEvent
    from wangge.credit.receivers import award_for_confirmed_report

    replay = DomainEvent(name="case_accepted", subject="cases.case", subject_id=case.pk, key="x",
                         occurred_at=timezone.now(), payload={"reporter_id": case.reporter_id, "channel": "hotline",
                                                              "grid_id": case.grid_id})
    assert award_for_confirmed_report(replay) == 0
    assert LedgerEntry.objects.count() == 1


def test_a_report_on_a_channel_the_rule_does_not_name_earns_nothing(world, rules):
    from wangge.core.events import DomainEvent
    from wangge.credit.receivers import award_for_confirmed_report
    from wangge.residents.models import Resident

    resident = Resident.objects.create(name="钱七", phone="13700004321")
    event = DomainEvent(name="case_accepted", subject="cases.case", subject_id=1, key="y", occurred_at=timezone.now(),
                        payload={"reporter_id": resident.pk, "channel": "patrol", "grid_id": world.grids[0].pk})
    assert award_for_confirmed_report(event) == 0
    assert not LedgerEntry.objects.exists()


# --- pages -----------------------------------------------------------------------------------------


def test_the_resident_page_shows_balance_history_and_gives_a_code(world, rules, account, client, merchant, shop_item):
    fund(world, account, rules, points=100)
    token = signing.token_for(account.pk)
    page = client.get(reverse("credit:resident", args=[token]))
    assert page.status_code == 200
    body = page.content.decode()
    assert ">100<" in body and "理发券" in body and "13900001111" not in body
    response = client.post(reverse("credit:resident_code", args=[token]), {"item": shop_item.pk}, follow=True)
    code = account.codes.get()
    assert code.code in response.content.decode()
    assert client.get(reverse("credit:resident", args=[token[:-2] + "xx"])).status_code == 404


def _store_rows(body: str) -> dict[str, str]:
    """Item name → the rest of its row on the resident's page (price, merchant, button or shortfall)."""
    store = body.split('data-testid="credit-store"', 1)[1].split("</section>", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"<strong>([^<]+)</strong>.*?</form>", store, re.DOTALL)}


def test_the_resident_store_is_titled_for_all_its_shops(world, rules, account, client, merchant, shop_item, item):
    merchant.name = "和顺西里社区便民理发店"
    merchant.save(update_fields=["name"])
    body = client.get(reverse("credit:resident", args=[signing.token_for(account.pk)])).content.decode()
    store = body.split('data-testid="credit-store"', 1)[1].split("</section>", 1)[0]
    assert "<h2>积分兑换</h2>" in store and "德誉超市与本社区合作商户" in store
    assert "和顺西里社区便民理发店" in store
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("credit:resident", args=[signing.token_for(account.pk)])).content.decode()
    assert "<h2>Spend your credit</h2>" in body and "partner shops" in body


def test_the_resident_sees_how_much_more_credit_an_item_needs(world, rules, account, client, shop_item, item):
    fund(world, account, rules, points=20)           # 洗衣粉 costs 30, 理发券 40
    actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                              name="肥皂", price=20, stock=2)
    actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                              name="牙膏", price=21, stock=2)
    actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                              name="大米", price=80, stock=1)
    actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                              name="食用油", price=50, stock=0)
    url = reverse("credit:resident", args=[signing.token_for(account.pk)])
    rows = _store_rows(client.get(url).content.decode())
    assert "credit-get-code" in rows["肥皂"] and "还差" not in rows["肥皂"]  # affordable: the button, as before
    assert "还差 1 积分" in rows["牙膏"] and "还差 10 积分" in rows["洗衣粉"] and "还差 20 积分" in rows["理发券"]
    assert "还差 60 积分" in rows["大米"]
    assert all("credit-get-code" not in rows[n] for n in ("牙膏", "洗衣粉", "理发券", "大米", "食用油"))
    assert "还差" not in rows["食用油"] and "已兑完" in rows["食用油"]  # out of stock says so instead

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = _store_rows(client.get(url).content.decode())
    assert "1 more credit needed" in rows["牙膏"] and "10 more credits needed" in rows["洗衣粉"]


def test_an_expired_resident_link_is_refused(account):
    token = signing.token_for(account.pk)
    with pytest.raises(signing.BadToken):
        signing.account_id_from(token, max_age=dt.timedelta(seconds=-1))


def test_staff_pages_award_and_redeem(world, rules, account, item, client):
    client.force_login(world.users["secretary_a"])
    page = client.get(reverse("credit:account", args=[account.pk]))
    assert page.status_code == 200 and "王**" in page.content.decode()
    form_key = key()
    for _ in range(2):  # a double submit books once
        client.post(reverse("credit:award", args=[account.pk]),
                    {"rule": rules["volunteer"].pk, "quantity": 8, "request_key": form_key})
    account.refresh_from_db()
    assert account.balance == 40
    response = client.post(reverse("credit:counter", args=[account.pk]), {"item": item.pk, "request_key": key()},
                           follow=True)
    account.refresh_from_db()
    assert account.balance == 10 and "洗衣粉" in response.content.decode()
    response = client.post(reverse("credit:counter", args=[account.pk]), {"item": item.pk, "request_key": key()})
    # Refused, said on the counter form with the item still chosen, nothing written, no 500.
    assert response.status_code == 400 and Redemption.objects.count() == 1
    counter = response.content.decode().split('data-testid="credit-counter"', 1)[1].split("</form>", 1)[0]
    assert "积分不足" in counter and f'<option value="{item.pk}" selected>' in counter
    # The counter is told what the resident has and what the item costs, not only “below zero”.
    assert f"余额 10 分，“{item.name}”需要 {item.price} 分" in counter and "不能低于零" not in counter
    for name in ("credit:accounts", "credit:store", "credit:figures", "credit:redeem_code"):
        assert client.get(reverse(name)).status_code == 200, name
    export = client.get(reverse("credit:figures") + "?format=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_staff_of_another_territory_get_404(world, account, client):
    client.force_login(world.users["worker_b1"])
    assert client.get(reverse("credit:account", args=[account.pk])).status_code == 404
    client.force_login(world.users["chengguan"])
    assert client.get(reverse("credit:accounts")).status_code == 404


def test_the_merchant_page_redeems_a_code(world, rules, account, merchant, shop_item, client):
    fund(world, account, rules, points=100)
    code = actions.issue_redemption_code(account=account, item=shop_item, actor=Actor.of_resident(account.resident))
    client.force_login(merchant.user)
    response = client.post(reverse("credit:redeem_code"), {"code": code.code})
    assert response.status_code == 200 and "理发券" in response.content.decode()
    again = client.post(reverse("credit:redeem_code"), {"code": code.code})
    assert again.status_code == 200 and Redemption.objects.count() == 1


# --- API -------------------------------------------------------------------------------------------


def test_the_api_awards_idempotently_and_refuses_clearly(world, rules, account, item, client):
    client.force_login(world.users["secretary_a"])
    url = reverse("api:credit-account-award", args=[account.pk])
    body = {"rule": "volunteer", "quantity": 2, "request_key": "api-1"}
    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    bad = client.post(url, {"rule": "volunteer", "quantity": 99, "request_key": "api-2"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]
    poor = client.post(reverse("api:credit-item-redeem", args=[item.pk]), {"account": account.pk},
                       content_type="application/json")
    assert poor.status_code == 400 and poor.json()["error"]["code"] == "not_enough_credit"
    detail = client.get(reverse("api:credit-account-detail", args=[account.pk])).json()
    assert detail["balance"] == 10 and detail["holder"] == "王**"
    entries = client.get(reverse("api:credit-account-entries", args=[account.pk])).json()
    assert [e["amount"] for e in entries["results"]] == [10]
    client.force_login(world.users["worker_b1"])
    assert client.get(reverse("api:credit-account-detail", args=[account.pk])).status_code == 404


def test_the_api_is_in_the_openapi_schema(client, world):
    client.force_login(world.users["admin"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/credit/accounts/{id}/awards/" in schema and "/api/v1/credit/redeem-code/" in schema


def test_the_resident_is_told_by_sms_when_credit_is_earned_not_when_spent(world, rules, account, item):
    from wangge.notifications.models import OutboundMessage

    entry = actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                                 quantity=8, request_key="sms-1")
    actions.award_credit(actor=world.users["secretary_a"], account=account, rule=rules["volunteer"],
                         quantity=8, request_key="sms-1")  # replayed: no second message
    actions.redeem_at_counter(actor=world.users["secretary_a"], account=account, item=item)
    message = OutboundMessage.objects.get()
    assert (message.to, message.template, message.subject_id) == ("13900001111", "credit_earned", entry.pk)
    assert message.context["points"] == 40 and "/credit/me/" in message.context["link"]


def test_a_household_account_is_opened_for_the_family_and_reused(world, client):
    from wangge.credit.choices import AccountKind
    from wangge.credit.models import CreditAccount
    from wangge.residents.models import Resident

    client.force_login(world.users["secretary_a"])
    place = _unit(world)
    form = {"name": "李大爷", "phone": "13900002222", "place": str(place.pk), "for_household": "on", "room": "3-201"}
    assert client.post(reverse("credit:open_account"), form).status_code == 302
    account = CreditAccount.objects.get()
    resident = Resident.objects.get(phone="13900002222")
    assert account.kind == AccountKind.HOUSEHOLD and account.household_id == resident.household_id
    assert resident.household.room == "3-201"
    # His wife, on the same household: the same account, not a second one.
    Resident.objects.create(name="王阿姨", phone="13900003333", household=resident.household)
    form.update(name="王阿姨", phone="13900003333")
    client.post(reverse("credit:open_account"), form)
    assert CreditAccount.objects.count() == 1
