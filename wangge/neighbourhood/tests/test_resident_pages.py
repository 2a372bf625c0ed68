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


def test_a_full_width_phone_is_taken_and_stored_as_the_digits(client, hood, ask_url):
    """A Chinese input method in full-width mode types １３７ ００００ １１１１: the need is filed for
    the resident already known by 13700001111, not refused and not a second person."""
    from wangge.residents.models import Resident

    known = Resident.objects.get(phone="13700001111")
    page = client.post(ask_url, {"need_class": hood.classes["convenience"].pk, "description": "代买",
                                 "phone": "１３７ ００００ １１１１"})
    assert page.status_code == 200 and Need.objects.get().resident == known
    assert not Resident.objects.exclude(phone__regex=r"^[0-9]*$").exists()


def test_a_resource_contact_phone_is_stored_as_the_digits(hood):
    resource = actions.create_resource(
        actor=hood.secretary, name="便民修车铺", provider="老刘", tier=ResourceTier.CONVENIENCE,
        classes=[hood.classes["convenience"]], area=hood.world.communities[0], contact_phone="１３９－００００－１２３４")
    resource.refresh_from_db()
    assert resource.contact_phone == "13900001234"


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


def test_a_refused_rating_keeps_the_choices_and_names_the_missing_score(client, hood):
    """The service score left out (a browser that does not check ``required``): the chief's
    score, the answer and the comment the resident gave are still there, and the message sits at
    the service question and says it is that one."""
    from wangge.neighbourhood.models import Rating

    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    url = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(1, 1)].pk)])
    page = client.post(url, {"chief_score": "4", "fixed": "partly", "comment": "送菜的师傅很耐心"})
    body = page.content.decode()
    assert page.status_code == 400 and not Rating.objects.exists()
    checked = re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]* checked', body)
    assert sorted(checked) == [("chief_score", "4"), ("fixed", "partly")]
    assert ">送菜的师傅很耐心</textarea>" in body
    service_question = body.split("<fieldset", 2)[1]
    assert 'aria-invalid="true"' in service_question
    assert re.search(r'data-testid="nb-error-service_score">请为这次服务选择 1 到 5 分。<', service_question)
    assert 'data-testid="nb-error"' not in body

    page = client.post(url, {"service_score": "5", "chief_score": "9"})
    body = page.content.decode()
    assert page.status_code == 400 and re.findall(r'name="service_score" value="(\d)"[^>]* checked', body) == ["5"]
    assert "请为对接服务的单元长选择 1 到 5 分，也可以不评。" in body.split("<fieldset", 3)[2]
    assert "Choose a score from 1 to 5 for the unit chief who brought it, or none." in \
        english(client).post(url, {"service_score": "5", "chief_score": "9"}).content.decode()


def test_a_refused_follow_up_answer_keeps_the_choice_and_names_the_question(client, hood):
    data = {"need_class": hood.classes["convenience"].pk, "description": "楼道灯坏了"}
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="t",
                                      question="q")
    client.post(reverse("neighbourhood:ask", args=[signing.ask_token(q.pk)]), data)
    fu = actions.ask_follow_up(need=Need.objects.get(), case_id=1, case_number="WG20261130-00001")
    url = reverse("neighbourhood:follow_up", args=[signing.follow_token(fu.pk)])
    body = client.post(url, {"fixed": "yes", "comment": "修好了"}).content.decode()
    assert re.findall(r'name="(\w+)" value="(\w+)" required checked', body) == [("fixed", "yes")]
    assert ">修好了</textarea>" in body and "请选择满意程度（1 到 5 分）。" in body.split("<fieldset", 3)[2]
    fu.refresh_from_db()
    assert fu.answered_at is None


def test_the_rating_page_names_the_chief_by_their_role(client, hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    url = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(1, 1)].pk)])
    assert "<legend>对接服务的单元长（1–5 分）</legend>" in client.get(url).content.decode()
    assert "<legend>The unit chief who brought it (1–5)</legend>" in english(client).get(url).content.decode()
