"""三问三联三评 on phones, in headless Chromium: a resident answers the community's questionnaire →
the unit chief matches a resource and records the service → the household rates it. Any console
error or request to another host fails the test."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from wangge.neighbourhood import actions, signing
from wangge.neighbourhood.choices import NeedStatus, ResourceTier
from wangge.neighbourhood.models import Need, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_need_from_a_phone_answer_to_a_delivered_rated_service(hood, page_factory, screenshot, live_server):
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0],
                                      title="五月主题：便民服务", question="您家最需要哪些便民服务？")
    grocer = hood.resources[ResourceTier.CONVENIENCE]

    # The resident, on the page the questionnaire's QR code opens.
    resident, resident_watch = page_factory(**PHONE)
    resident.goto(f"/nb/ask/{signing.ask_token(q.pk)}/")
    resident.locator("select[name=need_class]").select_option(label="便民服务")
    resident.locator("textarea[name=description]").fill("老人腿脚不便，想请人送米面上楼")
    resident.locator("select[name=unit]").select_option(label="1号楼1单元")
    resident.locator("input[name=room]").fill("101")
    assert fits(resident)
    screenshot(resident, "neighbourhood_ask_phone")
    resident.get_by_test_id("nb-ask-submit").click()
    expect(resident.get_by_test_id("nb-thanks")).to_be_visible()
    need = Need.objects.get(questionnaire=q)
    assert need.chief == hood.chiefs["u11"]

    # The unit chief (a volunteer's limited account), on their phone page.
    client = Client()
    client.force_login(hood.user("u11"))
    chief, chief_watch = page_factory(**PHONE)
    chief.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                "url": live_server.url}])
    chief.goto("/nb/me/")
    chief.get_by_test_id("nb-chief-needs").get_by_text(need.reference).click()
    chief.get_by_test_id(f"nb-match-{grocer.pk}").click()
    expect(chief.get_by_test_id("nb-need-status")).to_have_text("已匹配资源")
    chief.locator("[data-testid=nb-serve] input[name=description]").fill("粮店送米面各一袋上楼")
    assert fits(chief)
    chief.get_by_test_id("nb-serve-submit").click()
    expect(chief.get_by_test_id("nb-served")).to_be_visible()
    rate_url = chief.get_by_test_id("nb-rate-link").inner_text().strip()
    screenshot(chief, "neighbourhood_served_phone")

    # The household rates the service and the chief from the link.
    resident.goto(rate_url)
    resident.get_by_test_id("nb-service-5").check()
    resident.get_by_test_id("nb-chief-4").check()
    resident.get_by_text("是，已解决").click()
    assert fits(resident)
    resident.get_by_test_id("nb-rate-submit").click()
    expect(resident.get_by_test_id("nb-rated")).to_contain_text("感谢您的评价")

    need.refresh_from_db()
    rating = Rating.objects.get()
    assert need.status == NeedStatus.SERVED and need.resource == grocer
    assert (rating.service.need, rating.household, rating.service_score, rating.chief_score, rating.fixed) == (
        need, hood.households[(1, 1)], 5, 4, "yes")
    resident_watch.check()
    chief_watch.check()


def test_the_published_quarters_are_easy_to_tap_on_a_phone(hood, published_quarter, page_factory, screenshot):
    page, watch = page_factory(width=390, height=844, has_touch=True, is_mobile=True)
    page.goto("/nb/scores/")
    link = page.get_by_test_id("nb-periods").get_by_role("link")
    expect(link).to_have_text(f"{hood.world.subdistrict.name} · 2025年第三季度")
    assert link.bounding_box()["height"] >= 44
    assert fits(page)
    link.click()
    expect(page.get_by_test_id("nb-public-scores")).to_contain_text("放心粮店")
    assert fits(page)
    screenshot(page, "neighbourhood_scores_phone")
    watch.check()
