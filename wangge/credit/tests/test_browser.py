"""On a phone, in headless Chromium: the resident opens their credit link, gets a code for an
item, and the shop enters it (核销) — the credit and the stock are taken once. Any console error
or foreign request fails."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from wangge.credit import actions, signing
from wangge.credit.models import Redemption

from .conftest import fund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_a_resident_gets_a_code_on_a_phone_and_the_shop_redeems_it(world, rules, account, merchant, page_factory,
                                                                  screenshot):
    item = actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                                     name="理发券", price=40, stock=2, merchant=merchant)
    fund(world, account, rules, points=100)
    page, watch = page_factory(**PHONE)

    page.goto(reverse("credit:resident", args=[signing.token_for(account.pk)]))
    expect(page.get_by_test_id("credit-balance")).to_have_text("100")
    page.get_by_test_id("credit-get-code").first.click()
    expect(page.get_by_test_id("credit-codes")).to_be_visible()
    code = account.codes.get().code
    expect(page.get_by_test_id("credit-codes")).to_contain_text(code)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "credit_resident_phone")

    shop, _watch = page_factory(**PHONE)
    shop.goto(reverse("login"))
    shop.fill("input[name=username]", merchant.user.username)
    shop.fill("input[name=password]", "pw")
    shop.locator("#id_password").press("Enter")
    expect(shop).not_to_have_url(re.compile(r"/login"))
    shop.goto(reverse("credit:redeem_code"))
    shop.fill("#id_code", code)
    shop.get_by_role("button", name=re.compile("兑换|Redeem")).click()
    expect(shop.get_by_test_id("credit-redeemed")).to_contain_text("理发券")
    assert shop.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, item.stock, Redemption.objects.count()) == (60, 1, 1)
    page.reload()
    expect(page.get_by_test_id("credit-balance")).to_have_text("60")
    watch.check()
