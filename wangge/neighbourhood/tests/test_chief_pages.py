"""What a chief and the desk meet after a resident answers a questionnaire: the respondent named
(masked, the full view logged) and asked to rate the service, the chief told of the new need,
their own needs apart from those escalated, the way back to a service's rating QR code, a visit
form that keeps what was typed, and the desk's list and history in words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wangge.core.events import run_pending_reactions
from wangge.core.models import PendingReaction
from wangge.neighbourhood import actions, selectors, signing
from wangge.neighbourhood.choices import NeedLevel, NeedSource, ResourceTier
from wangge.neighbourhood.models import Need, SentimentEntry
from wangge.notifications.models import Notification, OutboundMessage
from wangge.residents.models import ResidentAccessLog

RESPONDENT_PHONE = "13912345678"


@pytest.fixture
def answered(hood):
    """A resident answers the community's questionnaire from 1号楼1单元 room 402 — a room no
    household record lists, a phone no resident record has: the respondent is on no household."""
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="四月主题",
                                      question="您家需要什么？")
    need = actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["convenience"],
                                        description="老人腿脚不便，想要代买米面", unit=hood.units[(1, 1)], room="402",
                                        name="王秀兰", phone=RESPONDENT_PHONE)
    assert need.resident.household_id is None and need.household_links.count() == 1
    return need


def between(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</ul>", 1)[0]


def test_the_respondent_is_shown_masked_and_in_full_only_with_a_logged_view(client, hood, answered):
    client.force_login(hood.user("u11"))
    page = client.get(reverse("neighbourhood:chief_need", args=[answered.pk])).content.decode()
    contacts = between(page, "nb-need-contacts")
    assert "1号楼1单元 402" in contacts and "王**" in contacts and "139****5678" in contacts
    assert "王秀兰" not in page and RESPONDENT_PHONE not in page
    assert 'name="from" value="phone"' in page

    url = reverse("neighbourhood:need_residents", args=[answered.pk])
    shown = client.post(url, {"from": "phone"}).content.decode()
    assert "王秀兰" in shown and RESPONDENT_PHONE in shown and "没有登记的居民" not in shown
    assert f'href="{reverse("neighbourhood:chief_need", args=[answered.pk])}"' in shown  # back to the phone page
    log = ResidentAccessLog.objects.get()
    assert (log.resident, log.user, log.granted) == (answered.resident, hood.user("u11"), True)

    client.force_login(hood.world.users["worker_a1"])  # reaches the need, may not see residents' data
    assert client.post(url).status_code == 403
    assert ResidentAccessLog.objects.filter(granted=False).count() == 1


def test_a_respondent_who_named_no_room_is_shown_at_the_place(client, hood):
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="t",
                                      question="q")
    need = actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["convenience"], description="代买",
                                        unit=hood.units[(1, 1)], name="李四", phone="13987654321")
    assert not need.household_links.exists()
    client.force_login(hood.user("u11"))
    page = client.get(reverse("neighbourhood:chief_need", args=[need.pk])).content.decode()
    assert "1号楼1单元 · 李* 139****4321" in between(page, "nb-need-contacts")
    assert 'name="household"' not in page.split('data-testid="nb-serve"', 1)[1]  # no household to pick
    url = reverse("neighbourhood:need_residents", args=[need.pk])
    assert "13987654321" in client.post(url).content.decode()
    client.force_login(hood.user("b1"))  # the building holds the unit: its chief may call too
    assert client.post(url).status_code == 200
    client.force_login(hood.world.users["worker_a1"])
    assert client.post(url).status_code == 403


def test_the_respondent_is_asked_to_rate_the_service(hood, answered):
    service = actions.record_service(actor=hood.user("u11"), need=answered,
                                     resource=hood.resources[ResourceTier.CONVENIENCE], description="代买米面送上门")
    assert service.resident == answered.resident and service.household.room == "402"
    sms = OutboundMessage.objects.get(template="neighbourhood_rate")
    assert sms.to == RESPONDENT_PHONE
    token = sms.body.rsplit("/nb/rate/", 1)[1].rstrip("/")
    assert signing.rating_target_from(token) == (service.pk, service.household_id)


def test_a_household_on_record_still_goes_to_its_resident(hood):
    need = actions.raise_need(actor=hood.user("u11"), need_class=hood.classes["convenience"], description="买米",
                              source=NeedSource.DOOR, region=hood.units[(1, 1)], household=hood.households[(1, 1)])
    assert [c.resident.name for c in selectors.need_contacts(need)] == ["住户11"]
    service = actions.record_service(actor=hood.user("u11"), need=need,
                                     resource=hood.resources[ResourceTier.CONVENIENCE], description="送米")
    assert service.resident.name == "住户11"


def test_the_chief_is_told_of_a_need_assigned_to_them_after_commit(client, hood, answered):
    chief = hood.user("u11")
    assert not Notification.objects.exists()  # nothing inside the answer's transaction
    assert run_pending_reactions() >= 1
    run_pending_reactions()  # idempotent
    notice = Notification.objects.get(recipient=chief)
    assert notice.kind == "need_new" and notice.subject == answered
    assert notice.message.startswith(f"新需求 {answered.reference} 待您联系住户")
    assert notice.url == reverse("neighbourhood:chief_need", args=[answered.pk])

    client.force_login(chief)
    home = client.get(reverse("neighbourhood:chief_home")).content.decode()
    assert f'href="{reverse("web:notifications")}"' in home and "1 条未读" in home
    assert f'action="{reverse("logout")}"' in home and "新的登录链接" in home  # a volunteer needs a new link
    opened = client.get(reverse("web:notification_open", args=[notice.pk]))
    assert opened.status_code == 302 and opened["Location"] == notice.url
    assert client.get(notice.url).status_code == 200


def test_a_chief_is_not_told_of_the_need_they_wrote_down_themselves(hood):
    actions.record_visit(actor=hood.user("u11"), chief=hood.chiefs["u11"], note="王阿姨说想要代买",
                         need_class=hood.classes["convenience"], need_description="代买米面")
    assert not PendingReaction.objects.filter(subscriber="neighbourhood.tell_chief_of_new_need").exists()
    run_pending_reactions()
    assert not Notification.objects.filter(kind="need_new").exists()


def test_a_need_answered_before_the_worker_runs_tells_nobody(hood, answered):
    actions.close_need(actor=hood.user("u11"), need=answered, note="已电话联系，邻居帮忙")
    run_pending_reactions()
    assert not Notification.objects.filter(kind="need_new").exists()


def test_the_chief_s_own_needs_are_apart_from_the_escalated(client, hood, answered):
    escalated = actions.raise_need(actor=hood.user("u11"), need_class=hood.classes["volunteer"],
                                   description="楼道杂物要清理", source=NeedSource.DOOR, region=hood.units[(1, 1)])
    actions.escalate_need(actor=hood.user("u11"), need=escalated, note="需要社区协调物业")
    client.force_login(hood.user("u11"))
    home = client.get(reverse("neighbourhood:chief_home")).content.decode()
    mine, above = between(home, "nb-chief-needs"), between(home, "nb-chief-escalated")
    assert answered.reference in mine and escalated.reference not in mine
    assert escalated.reference in above and "现由社区办理" in above
    # The chief no longer escalates it: the community does (the form would only be refused).
    page = client.get(reverse("neighbourhood:chief_need", args=[escalated.pk])).content.decode()
    assert 'data-testid="nb-escalate"' not in page


def test_the_escalate_form_speaks_for_the_level_that_holds_the_need(client, hood, answered):
    client.force_login(hood.secretary)
    url = reverse("neighbourhood:need", args=[answered.pk])
    form = client.get(url).content.decode().split('data-testid="nb-escalate"', 1)[1].split("</form>", 1)[0]
    assert "三长无法解决的原因" in form and "上报社区" in form
    actions.escalate_need(actor=hood.user("u11"), need=answered, note="资源不足")
    form = client.get(url).content.decode().split('data-testid="nb-escalate"', 1)[1].split("</form>", 1)[0]
    assert "社区无法解决的原因" in form and "三长" not in form and "上报街道" in form


def test_the_chief_finds_a_service_s_rating_link_again(client, hood, answered):
    service = actions.record_service(actor=hood.user("u11"), need=answered,
                                     resource=hood.resources[ResourceTier.CONVENIENCE], description="代买米面送上门")
    client.force_login(hood.user("u11"))
    page_url = reverse("neighbourhood:chief_service", args=[service.pk])
    home = client.get(reverse("neighbourhood:chief_home")).content.decode()
    assert f'href="{page_url}"' in between(home, "nb-chief-services")
    page = client.get(page_url).content.decode()
    # The page's rating link is signed for this service and household (signed at the page's own
    # second: compared by what it opens, not by its text).
    rate_prefix = reverse("neighbourhood:rate", args=["TOKEN"]).replace("TOKEN/", "")
    tokens = re.findall(re.escape(rate_prefix) + r"([^/\"<\s]+)/", page)
    assert tokens and {signing.rating_target_from(token) for token in tokens} == {(service.pk, service.household_id)}
    assert reverse("neighbourhood:service_qr", args=[service.pk]) in page
    assert client.get(reverse("neighbourhood:service_qr", args=[service.pk])).status_code == 200
    need_page = client.get(reverse("neighbourhood:chief_need", args=[answered.pk])).content.decode()
    assert f'href="{page_url}"' in need_page

    other = actions.record_service(actor=hood.user("grid"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                   household=hood.households[(2, 1)], description="别的楼")
    assert client.get(reverse("neighbourhood:chief_service", args=[other.pk])).status_code == 404


def test_a_visit_with_a_need_class_but_no_need_is_shown_again_as_typed(client, hood):
    client.force_login(hood.user("u11"))
    url = reverse("neighbourhood:chief_visit")
    note = "走访402王阿姨，说家里老人腿脚不便"
    response = client.post(url, {"note": note, "household": hood.households[(1, 1)].pk,
                                 "need_class": hood.classes["elderly_care"].pk, "need_description": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert not SentimentEntry.objects.exists() and not Need.objects.exists()
    assert note in body  # the diary note is not lost
    assert re.search(rf'<option value="{hood.classes["elderly_care"].pk}" selected>', body)
    assert re.search(rf'<option value="{hood.households[(1, 1)].pk}" selected>', body)
    field = body.split('name="need_description"', 1)[1].split("</label>", 1)[0]
    assert 'aria-invalid="true"' in field and "请填写需求简述" in field

    client.post(url, {"note": note, "need_class": "", "need_description": "老人想要助餐"})
    assert not SentimentEntry.objects.exists()  # a need without its class: asked for the class
    response = client.post(url, {"note": note, "need_class": hood.classes["elderly_care"].pk,
                                 "need_description": "老人想要助餐"})
    assert response.status_code == 302 and SentimentEntry.objects.count() == 1
    assert Need.objects.get().description == "老人想要助餐"


def test_a_visit_need_without_its_class_is_reported_at_the_class(client, hood):
    client.force_login(hood.user("u11"))
    response = client.post(reverse("neighbourhood:chief_visit"), {"note": "走访", "need_description": "想要助餐"})
    field = response.content.decode().split('name="need_class"', 1)[1].split("</label>", 1)[0]
    assert response.status_code == 400 and "请选择了解到的需求类别" in field and "想要助餐" in response.content.decode()


def test_the_desk_reads_what_each_need_is_and_its_history_in_words(client, hood, answered):
    actions.escalate_need(actor=hood.user("u11"), need=answered, note="资源不足")
    client.force_login(hood.secretary)
    listing = client.get(reverse("neighbourhood:needs")).content.decode()
    assert "需求描述" in listing and "老人腿脚不便，想要代买米面" in listing
    page = client.get(reverse("neighbourhood:need", args=[answered.pk])).content.decode()
    history = page.rsplit("<ol>", 1)[1].split("</ol>", 1)[0]
    assert "登记 · 居民（线上问）" in history and "上报社区 · " in history
    assert "raised" not in history and "escalated" not in history
    assert answered.level == NeedLevel.CHIEFS  # the object in hand; the row moved on


def test_the_service_page_and_the_questionnaire_form_say_what_they_mean(client, hood, published_quarter):
    from wangge.neighbourhood.models import ServiceRecord

    client.force_login(hood.secretary)
    service = ServiceRecord.objects.get()
    page = client.get(reverse("neighbourhood:service", args=[service.pk])).content.decode()
    assert "<h2>居民评价</h2>" in page and "评价数" not in page
    form = client.get(reverse("neighbourhood:questionnaires")).content.decode()
    form = form.split('data-testid="nb-questionnaire-form"', 1)[1].split("</form>", 1)[0]
    assert ">发布</button>" in form and "公示" not in form


def test_notices_are_written_in_the_office_language_whoever_acts(hood, answered):
    from django.utils import translation

    with translation.override("en"):  # a chief reading the pages in English, a worker with no request
        run_pending_reactions()
        actions.escalate_need(actor=hood.user("u11"), need=answered, note="资源不足")
    assert Notification.objects.get(kind="need_new").message.startswith(f"新需求 {answered.reference} 待您联系住户")
    assert Notification.objects.filter(kind="need_escalated").first().message.startswith(
        f"需求 {answered.reference} 已上报社区")
