"""The residents' phone pages read right in Chinese and in English: the questionnaire (who will
get back to them, errors at the field, no class chosen for them) and the published scores
(the quarter as a word, headers that say what the columns hold, the formula translated)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from wangge.neighbourhood import actions, signing
from wangge.neighbourhood.choices import ResourceTier
from wangge.neighbourhood.models import Need


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ask_url(hood):
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="四月主题",
                                      question="您家需要什么？")
    return reverse("neighbourhood:ask", args=[signing.ask_token(q.pk)])


def test_a_bad_link_tells_the_resident_whom_to_ask(client, ask_url):
    page = client.get(ask_url[:-3] + "xx/")
    body = page.content.decode()
    assert page.status_code == 404
    assert "请向您的楼栋长、单元长或社区工作人员索取新链接" in body and "您的长" not in body


def test_the_thanks_page_names_the_chief_who_will_call_back(client, hood, ask_url):
    data = {"need_class": hood.classes["elderly_care"].pk, "description": "老人需要助浴"}
    body = client.post(ask_url, {**data, "unit": hood.units[(1, 1)].pk, "room": "101"}).content.decode()
    need = Need.objects.get()
    assert need.chief == hood.chiefs["u11"]
    assert f"您的需求已登记，编号 {need.reference}。您的单元长会与您联系。" in body

    body = client.post(ask_url, data).content.decode()  # no unit given: no chief known yet
    assert "社区工作人员会与您联系" in body and "您的长" not in body

    body = english(client).post(ask_url, {**data, "unit": hood.units[(1, 1)].pk}).content.decode()
    assert "Your unit chief will get back to you." in body


def test_the_kind_of_help_starts_unchosen_and_is_required(client, hood, ask_url):
    body = client.get(ask_url).content.decode()
    select = re.search(r'<select name="need_class"[^>]*>(.*?)</select>', body, re.DOTALL)
    assert select and "required" in select.group(0)
    options = re.findall(r"<option[^>]*>[^<]*</option>", select.group(1))
    assert options[0] == '<option value="" selected>请选择</option>'
    assert not any("selected" in o for o in options[1:])  # 突发应急 is not chosen for the resident

    page = client.post(ask_url, {"need_class": "", "description": "楼道灯坏了"})
    body = page.content.decode()
    assert page.status_code == 400 and not Need.objects.exists()
    assert re.search(r'data-testid="nb-error-need_class">请选择您需要哪类服务。<', body)
    assert "楼道灯坏了" in body  # what the resident wrote is kept


def test_an_empty_description_is_reported_at_the_field(client, hood, ask_url):
    for description in ("", "   "):
        page = client.post(ask_url, {"need_class": hood.classes["convenience"].pk, "description": description})
        body = page.content.decode()
        assert page.status_code == 400 and not Need.objects.exists()
        field = re.search(r'<textarea name="description"[^>]*>.*?</label>', body, re.DOTALL).group(0)
        assert 'aria-invalid="true"' in field and "请简单写一下您需要什么帮助。" in field
        assert "该字段是必填项" not in body and "此项必填" not in body and 'data-testid="nb-error"' not in body
        # the chosen class stays chosen
        assert f'<option value="{hood.classes["convenience"].pk}" selected>' in body

    body = english(client).post(ask_url, {"need_class": hood.classes["convenience"].pk}).content.decode()
    assert "Tell us in a few words what you need." in body


def test_an_invalid_phone_is_reported_at_the_phone_field(client, hood, ask_url):
    body = client.post(ask_url, {"need_class": hood.classes["convenience"].pk, "description": "代买",
                                 "phone": "12"}).content.decode()
    assert re.search(r'data-testid="nb-error-phone">[^<]+<', body) and not Need.objects.exists()


def test_the_published_quarter_reads_as_a_chinese_quarter(client, published_quarter):
    listing = client.get(reverse("neighbourhood:scores")).content.decode()
    page = client.get(reverse("neighbourhood:score_period", args=[published_quarter.pk])).content.decode()
    for body in (listing, page):
        assert "2025年第三季度" in body and "2025 Q3" not in body
    assert 'class="nb-links"' in listing  # the tall (44 px) tap rows of the phone stylesheet

    listing = english(client).get(reverse("neighbourhood:scores")).content.decode()
    assert "2025 Q3" in listing and "季度" not in listing.split("</h1>", 1)[1]


def test_the_score_columns_are_headed_by_what_they_hold(client, published_quarter):
    body = client.get(reverse("neighbourhood:score_period", args=[published_quarter.pk])).content.decode()
    headers = re.findall(r"<th>([^<]*)</th>", body)
    assert headers == ["类型", "名称", "评价数", "得分"]
    assert "<td>资源</td><td>放心粮店</td>" in body

    body = english(client).get(reverse("neighbourhood:score_period", args=[published_quarter.pk])).content.decode()
    assert re.findall(r"<th>([^<]*)</th>", body) == ["Type", "Name", "Ratings", "Score"]


def test_the_formula_is_shown_in_the_readers_language(client, published_quarter):
    url = reverse("neighbourhood:score_period", args=[published_quarter.pk])
    formula = re.search(r'data-testid="nb-formula">(.*?)</p>', client.get(url).content.decode(), re.DOTALL).group(1)
    assert "得分 = 本季度全部评分之和" in formula and "不少于 1 条" in formula

    formula = re.search(r'data-testid="nb-formula">(.*?)</p>', english(client).get(url).content.decode(),
                        re.DOTALL).group(1)
    assert "Formula" in formula and "score = sum of the quarter" in formula and "at least 1 scores" in formula
    assert not re.search(r"[\u4e00-\u9fff]", formula)


def test_a_formula_no_longer_current_is_shown_as_it_was_published(client, published_quarter):
    type(published_quarter).objects.filter(pk=published_quarter.pk).update(formula="旧公式：得分 = 平均分")
    body = english(client).get(reverse("neighbourhood:score_period", args=[published_quarter.pk])).content.decode()
    assert "旧公式：得分 = 平均分" in body


def test_the_rating_page_names_the_chief_by_their_role(client, hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    url = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(1, 1)].pk)])
    assert "<legend>对接服务的单元长（1–5 分）</legend>" in client.get(url).content.decode()
    assert "<legend>The unit chief who brought it (1–5)</legend>" in english(client).get(url).content.decode()
