"""Demo meetings (协商议事): in two communities, a bimonthly consultation held two months ago and
one last fortnight (ledger cases decided, minutes signed off), a sub-district department
consultation, and the next bimonthly meeting planned from a schedule with its agenda proposed.
Everything goes through the actions."""

from __future__ import annotations

import datetime as dt

from wangge.core.errors import DomainError

from . import actions, selectors
from .choices import Decision, MeetingKind, MeetingLevel, Recurrence, RepresentativeRole
from .models import AgendaItem

OUTCOMES = {
    Decision.SOLVED: "与会各方当场协调，物业同意立即整改",
    Decision.PLAN: "议定由牵头部门制定整改方案，配合单位协助，按期完成后向居民反馈",
    Decision.DEFERRED: "需进一步听取业委会意见，下次会议再议",
}


def _hold(meeting, convener, rng, department_pool, leads, clock) -> int:
    """Decide every item (a plan led by the department its case is with, or the one its topic
    names), close the meeting; on the day after, sign the minutes off. On the meeting's clock."""
    rows = 0
    for item in list(meeting.items.all()):
        choice = rng.choice([Decision.PLAN, Decision.PLAN, Decision.SOLVED, Decision.DEFERRED])
        kwargs = {}
        if choice == Decision.PLAN:
            lead = _lead_for(item, leads) or rng.choice(department_pool)
            kwargs = {"lead_department": lead, "deadline": meeting.scheduled_at.date() + dt.timedelta(days=14)}
            if item.case is None:  # a topic's plan is filed as a case: under a category of the lead's
                kwargs["category"] = _category_for(item, lead)
        try:
            actions.decide_item(item=item, actor=convener, decision=choice, outcome=OUTCOMES[choice], **kwargs)
        except DomainError:
            actions.decide_item(item=item, actor=convener, decision=Decision.DEFERRED, outcome=OUTCOMES[Decision.DEFERRED])
        rows += 1
    minutes = actions.close_meeting(meeting=meeting, actor=convener)
    clock.set(meeting.scheduled_at + dt.timedelta(days=1))  # the minutes the day after
    actions.update_minutes_summary(minutes=minutes, actor=convener, summary="会议按台账逐项协商，结果已向居民反馈。")
    actions.publish_minutes(minutes=minutes, actor=convener)
    return rows + 2


def _lead_for(item, leads):
    """The department a plan is led by: the one the case is with, else its category's; for a
    topic, the one the topic names (老楼加装电梯 → 住建, not the police station)."""
    case = item.case
    if case is not None:
        return case.lead_department or (case.category.default_department if case.category_id else None)
    return leads.get(item.topic.title) if item.topic_id else None


def _involved(meeting, leads) -> list:
    """The departments the agenda involves (S0: “将问题涉及部门召集到一起”), in agenda order."""
    found = []
    for item in meeting.items.all():
        dept = _lead_for(item, leads)
        if dept is not None and dept.is_active and dept not in found:
            found.append(dept)
    return found


def _category_for(item, lead):
    """The category a topic's plan is filed under: the one its subject belongs to, else one of the lead's."""
    from wangge.cases.models import Category

    active = Category.objects.filter(is_active=True).order_by("path")
    code = TOPIC_CATEGORIES.get(item.topic.title) if item.topic_id else None
    return (code and active.filter(code=code).first()) or active.filter(default_department=lead).first() or active.first()


# One vetted topic per meeting (a community does not raise the same one twice), with the code
# of the department that leads a plan on it.
TOPICS = [("小区电动车充电桩增设", "居民提出楼道充电隐患，建议增设集中充电桩", "zhujian"),
          ("老楼加装电梯意见征集", "低层与高层住户意见不一，需协商出资比例和施工安排", "zhujian")]
# The category each topic's plan is filed under (a charging-point plan is not a falling-objects case).
TOPIC_CATEGORIES = {"小区电动车充电桩增设": "anquan-diandongche", "老楼加装电梯意见征集": "wuye-dianti"}
AGENDA_DAYS_BEFORE = 3  # the agenda is drawn up and published three days before the meeting


def _ledger_before(user, region, moment):
    """The ledger as it could be read at ``moment``: a meeting discusses no case filed after it."""
    return selectors.ledger(user, region).filter(submitted_at__lt=moment)


def _invite(meeting, convener, rng, departments, leads) -> None:
    involved = _involved(meeting, leads)
    for dept in involved or rng.sample(departments, k=min(2, len(departments))):
        actions.add_participant(meeting=meeting, actor=convener, department=dept)


def load_demo_data(*, world, rng, now) -> int:
    """The meetings as they happened: each past one is prepared, held and minuted on its own
    dates (a travelling clock), its agenda drawn from the cases filed before it."""
    from wangge.demo.clock import time_travel

    made = 0
    departments = [d for d in world.departments.values() if d.kind == "district"] or list(world.departments.values())
    leads = {title: world.departments.get(code) for title, _d, code in TOPICS}
    for community in world.communities[:2]:
        secretary = world.secretary(community)
        for days_ago, (title, description, _code) in zip((60, 14), TOPICS, strict=True):
            at = now - dt.timedelta(days=days_ago)
            agenda_at = at - dt.timedelta(days=AGENDA_DAYS_BEFORE)
            with time_travel(agenda_at) as clock:
                meeting = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY,
                                                 level=MeetingLevel.COMMUNITY, region=community, scheduled_at=at,
                                                 place=f"{community.name}党群服务中心")
                for case in list(_ledger_before(secretary, community, agenda_at)[:4]):
                    try:
                        actions.add_agenda_item(meeting=meeting, actor=secretary, case=case)
                    except DomainError:
                        continue
                topic = actions.raise_topic(actor=secretary, region=community, title=title, description=description,
                                            is_dispute=True)
                actions.vet_topic(topic=topic, actor=secretary, accept=True)
                actions.add_agenda_item(meeting=meeting, actor=secretary, topic=topic)
                _invite(meeting, secretary, rng, departments, leads)
                actions.add_participant(meeting=meeting, actor=secretary, name=rng.choice(["刘建国", "陈秀英", "赵志强"]),
                                        role=RepresentativeRole.OWNERS_COMMITTEE, organisation="小区业主委员会",
                                        phone="1390000" + f"{rng.randint(0, 9999):04d}")
                actions.add_participant(meeting=meeting, actor=secretary, name="物业经理",
                                        role=RepresentativeRole.PROPERTY_COMPANY, organisation="物业服务公司")
                actions.publish_agenda(meeting=meeting, actor=secretary)
                clock.set(at)
                made += 1 + _hold(meeting, secretary, rng, departments, leads, clock)
        schedule = actions.create_schedule(actor=secretary, name=f"{community.name}双月协商会",
                                           kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY, region=community,
                                           recurrence=Recurrence.EVERY_TWO_MONTHS,
                                           first_date=(now + dt.timedelta(days=10)).date(), day_of_month=15,
                                           place=f"{community.name}党群服务中心")
        made += 1 + actions.create_due_meetings(now=now)
        upcoming = schedule.meetings.first()
        if upcoming is not None:
            try:
                made += len(actions.propose_agenda(meeting=upcoming, actor=secretary))
                _invite(upcoming, secretary, rng, departments, leads)
            except DomainError:
                pass
    leader = world.users.get("leader")
    if leader is not None:
        # 部门会商 a week ago on the sub-district's oldest open ledger cases filed before it.
        at = now - dt.timedelta(days=7)
        agenda_at = at - dt.timedelta(days=AGENDA_DAYS_BEFORE)
        busy = set(AgendaItem.objects.filter(decision="").exclude(case=None).values_list("case_id", flat=True))
        cases = [c for c in _ledger_before(leader, world.subdistrict, agenda_at)[:20] if c.pk not in busy][:2]
        if cases:
            with time_travel(agenda_at) as clock:
                meeting = actions.create_meeting(actor=leader, kind=MeetingKind.DEPARTMENT,
                                                 level=MeetingLevel.SUBDISTRICT, region=world.subdistrict,
                                                 scheduled_at=at, place="街道三楼会商室", title="疑难诉求部门会商")
                for case in cases:
                    actions.add_agenda_item(meeting=meeting, actor=leader, case=case)
                involved = _involved(meeting, leads)
                for dept in involved + [d for d in departments[:3] if d not in involved]:
                    actions.add_participant(meeting=meeting, actor=leader, department=dept)
                actions.publish_agenda(meeting=meeting, actor=leader)
                clock.set(at)
                made += 1 + _hold(meeting, leader, rng, departments, leads, clock)
    return made
