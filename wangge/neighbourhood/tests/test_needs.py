"""三问: raising needs three ways, merging, escalation, turning a need into a case (both ways)."""

from __future__ import annotations

import pytest

from wangge.cases import actions as case_actions
from wangge.cases.choices import CaseStatus
from wangge.cases.panels import panels_for
from wangge.cases.selectors import case_by_id
from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.core.events import run_pending_reactions
from wangge.neighbourhood import actions
from wangge.neighbourhood.choices import NeedLevel, NeedScope, NeedSource, NeedStatus
from wangge.neighbourhood.models import FollowUp, Need, NeedHousehold, SentimentEntry
from wangge.notifications.models import Notification
from wangge.residents.models import Household, Resident


def raise_at(hood, b=1, u=1, *, actor=None, code="elderly_care", text="老人需要助餐"):
    return actions.raise_need(actor=actor or hood.user("u11" if (b, u) == (1, 1) else "b1"),
                              need_class=hood.classes[code], description=text, source=NeedSource.DOOR,
                              region=hood.units[(b, u)], household=hood.households[(b, u)])


def test_a_door_to_door_visit_writes_the_diary_and_the_need(hood):
    chief = hood.chiefs["u11"]
    entry = actions.record_visit(actor=chief.user, chief=chief, household=hood.households[(1, 1)],
                                 note="老两口身体还好，希望有人帮忙买菜", need_class=hood.classes["elderly_care"].pk,
                                 need_description="每周帮忙买菜")
    need = Need.objects.get(sentiment_entry=entry)
    assert entry.region == hood.units[(1, 1)]
    assert need.source == NeedSource.DOOR and need.chief == chief and need.household_count == 1
    assert need.resident.name == "住户11" and need.community == hood.world.communities[0]
    assert need.events.get().type == "raised"


def test_a_chief_cannot_visit_outside_their_place(hood):
    chief = hood.chiefs["u11"]
    with pytest.raises(NotFound):
        actions.record_visit(actor=chief.user, chief=chief, household=hood.households[(2, 1)], note="x")
    with pytest.raises(NotFound):  # nor write in another chief's diary
        actions.record_visit(actor=chief.user, chief=hood.chiefs["b1"], note="x")
    assert not SentimentEntry.objects.exists()


def test_raising_a_need_outside_the_reach_is_not_found(hood):
    with pytest.raises(NotFound):
        raise_at(hood, 2, 1, actor=hood.user("u11"))
    with pytest.raises(NotFound):
        raise_at(hood, 1, 1, actor=hood.world.users["secretary_b"])
    assert not Need.objects.exists()


def test_a_consultation_need_names_its_meeting(hood):
    args = dict(actor=hood.secretary, need_class=hood.classes["culture_health"], description="想办健康讲座",
                source=NeedSource.CONSULTATION, region=hood.world.grids[0], scope=NeedScope.COMMON)
    with pytest.raises(InvalidInput):
        actions.raise_need(**args)
    need = actions.raise_need(**args, meeting_ref="2026年3月双月协商会")
    assert need.meeting_ref and need.scope == NeedScope.COMMON and need.household_count == 0


@pytest.mark.parametrize("bad", [dict(need_class=999999), dict(description="  "), dict(source="phone"),
                                 dict(description="x" * 2001)])
def test_bad_needs_are_refused(hood, bad):
    args = dict(actor=hood.user("b1"), need_class=hood.classes["emergency"], description="楼道灯坏",
                source=NeedSource.DOOR, region=hood.buildings[0], **{})
    args.update(bad)
    with pytest.raises(InvalidInput):
        actions.raise_need(**args)


def test_online_answers_become_needs_with_their_household(hood):
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0],
                                      title="三月主题：民生服务", question="您最需要什么服务？")
    need = actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["child_care"].pk,
                                        description="放学后没人接孩子", unit=hood.units[(2, 2)], room="502",
                                        name="陈女士", phone="13512345678")
    assert need.source == NeedSource.ONLINE and need.questionnaire == q and need.region == hood.units[(2, 2)]
    household = Household.objects.get(unit=hood.units[(2, 2)], room="502")
    assert NeedHousehold.objects.get(need=need).household == household
    assert need.resident == Resident.objects.get(phone="13512345678")
    actions.close_questionnaire(actor=hood.secretary, questionnaire=q)
    with pytest.raises(InvalidState):
        actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["child_care"].pk, description="x")


def test_questionnaires_refuse_strangers_and_foreign_units(hood):
    with pytest.raises(Forbidden):
        actions.publish_questionnaire(actor=hood.world.users["secretary_b"], community=hood.world.communities[0],
                                      title="t", question="q")
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="t",
                                      question="q")
    from wangge.testing.factories import add_region

    elsewhere = add_region(hood.world.grids[2], "building", "西园1号楼")
    with pytest.raises(InvalidInput):
        actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["emergency"].pk, description="x",
                                     unit=elsewhere)
    with pytest.raises(InvalidInput):
        actions.answer_questionnaire(questionnaire=q, need_class=hood.classes["emergency"].pk, description="x",
                                     phone="12345")


def test_merging_counts_households_distinctly(hood):
    a = raise_at(hood, 1, 1)
    b = raise_at(hood, 1, 2, actor=hood.user("b1"))
    c = raise_at(hood, 1, 1, actor=hood.user("b1"))  # the same household again
    merged = actions.merge_needs(actor=hood.user("b1"), target=a, others=[b, c], note="同类需求")
    assert merged.scope == NeedScope.COMMON and merged.household_count == 2
    assert merged.region == hood.buildings[0]  # where the units meet
    for other in (b, c):
        other.refresh_from_db()
        assert other.status == NeedStatus.MERGED and other.merged_into == merged
    with pytest.raises(InvalidState):  # a merged need cannot be merged again
        actions.merge_needs(actor=hood.user("b1"), target=merged, others=[b])


def test_merge_refuses_other_communities_and_unreachable_needs(hood):
    a = raise_at(hood, 1, 1)
    other = actions.raise_need(actor=hood.world.users["secretary_b"], need_class=hood.classes["emergency"],
                               description="x", source=NeedSource.DOOR, region=hood.world.grids[2])
    with pytest.raises(NotFound):
        actions.merge_needs(actor=hood.user("u11"), target=a, others=[other])
    with pytest.raises(InvalidInput):
        actions.merge_needs(actor=hood.leader, target=a, others=[other])
    with pytest.raises(InvalidInput):
        actions.merge_needs(actor=hood.leader, target=a, others=[])


def test_a_need_nobody_can_meet_escalates_to_the_community_then_the_sub_district(hood):
    need = raise_at(hood, code="employment", text="下岗职工想学技能再就业")
    chief = hood.user("u11")
    need = actions.escalate_need(actor=chief, need=need, note="本单元没有就业资源")
    assert need.level == NeedLevel.COMMUNITY
    assert Notification.objects.filter(recipient=hood.secretary, kind="need_escalated").count() == 1
    with pytest.raises(Forbidden):  # the next step is the community's
        actions.escalate_need(actor=chief, need=need, note="还是不行")
    need = actions.escalate_need(actor=hood.secretary, need=need, note="社区协调不了，报街道")
    assert need.level == NeedLevel.SUBDISTRICT
    assert Notification.objects.filter(recipient=hood.leader, kind="need_escalated").count() == 1
    with pytest.raises(InvalidState):
        actions.escalate_need(actor=hood.leader, need=need, note="再上报")
    with pytest.raises(InvalidInput):
        actions.escalate_need(actor=hood.leader, need=raise_at(hood), note=" ")
    assert [e.type for e in need.events.all()] == ["raised", "escalated", "escalated"]


def test_a_complaint_becomes_a_case_linked_both_ways_and_is_followed_up(hood, client):
    need = raise_at(hood, code="emergency", text="楼上漏水淹了我家厨房")
    need = actions.need_to_case(actor=hood.user("u11"), need=need, title="楼上漏水")
    case = case_by_id(need.case_id)
    assert need.status == NeedStatus.CASE and case.number == need.case_number
    assert case.channel == "neighbourhood" and case.region == hood.units[(1, 1)]
    again = Need.objects.get(pk=need.pk)
    with pytest.raises(InvalidState):
        actions.need_to_case(actor=hood.user("u11"), need=again)
    panel = [p for p in panels_for(case, hood.secretary) if p["key"] == "neighbourhood"]
    assert panel and panel[0]["context"]["needs"] == [need]
    client.force_login(hood.secretary)
    page = client.get(f"/cases/{case.number}/").content.decode()
    shown = page.split('data-testid="nb-case-panel"', 1)[1].split("</section>", 1)[0]
    assert f'href="{need.get_absolute_url()}"' in shown and need.reference in shown and "楼上漏水" in shown

    clerk = hood.world.users["clerk"]
    from wangge.testing import make_category

    cat = make_category(department=hood.world.departments["chengguan"])
    case = case_actions.accept_case(case=case, actor=clerk, category=cat)
    case = case_actions.dispatch_case(case=case, actor=clerk,
                                      lead=case_actions.Target(department=hood.world.departments["chengguan"]))
    case = case_actions.claim_case(case=case, actor=hood.world.users["chengguan"])
    case = case_actions.resolve_case(case=case, actor=hood.world.users["chengguan"], result="已维修")
    case = case_actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True)
    case = case_actions.close_case(case=case, actor=clerk, rating_declined=True)
    assert case.status == CaseStatus.CLOSED
    run_pending_reactions()
    run_pending_reactions()  # idempotent
    follow_up = FollowUp.objects.get(need=need)
    assert follow_up.case_number == case.number and follow_up.chief == hood.chiefs["u11"]
    from wangge.neighbourhood import signing
    from wangge.notifications.models import OutboundMessage

    sms = OutboundMessage.objects.get(template="neighbourhood_follow_up")
    assert sms.to == "13900001100" and case.number in sms.body
    assert signing.follow_up_id_from(sms.body.rsplit("/nb/fixed/", 1)[1].rstrip("/")) == follow_up.pk
    actions.answer_follow_up(follow_up=follow_up, fixed="yes", score=5, comment="修好了")
    with pytest.raises(InvalidState):
        actions.answer_follow_up(follow_up=follow_up, fixed="no", score=1)


def test_closing_a_need_needs_a_reason_and_an_open_need(hood):
    need = raise_at(hood)
    with pytest.raises(InvalidInput):
        actions.close_need(actor=hood.user("u11"), need=need, note="")
    need = actions.close_need(actor=hood.user("u11"), need=need, note="住户已自行解决")
    assert need.status == NeedStatus.CLOSED
    with pytest.raises(InvalidState):
        actions.close_need(actor=hood.user("u11"), need=need, note="again")


def test_the_chiefs_visits_and_services_are_lines_of_their_work_diary(hood):
    from django.utils import timezone

    from wangge.diary.sources import lines_for
    from wangge.neighbourhood.choices import ResourceTier

    chief = hood.chiefs["u11"]
    actions.record_visit(actor=chief.user, chief=chief, note="走访王大爷", household=hood.households[(1, 1)])
    actions.record_service(actor=chief.user, resource=hood.resources[ResourceTier.CONVENIENCE],
                           household=hood.households[(1, 1)], description="送米")
    lines = [line for line in lines_for(chief.user, timezone.localdate()) if line.source.startswith("neighbourhood")]
    assert [line.source for line in lines] == ["neighbourhood.visits", "neighbourhood.services"]
    assert "走访王大爷" in lines[0].text and "送米" in lines[1].text
