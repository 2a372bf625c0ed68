"""三评: the quarterly publication computes exactly the published scores and is immutable;
the yearly evaluation and the awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction

from wangge.core.errors import Forbidden, InvalidInput, InvalidState
from wangge.neighbourhood import actions
from wangge.neighbourhood.choices import NeedSource, PeriodStatus, ResourceTier
from wangge.neighbourhood.models import FollowUp, PublishedScore, Rating

IN_Q3 = dt.datetime(2026, 8, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def rated(hood):
    """Three services rated in 2026 Q3, one rating outside it, one follow-up answered in it."""
    grocer, civic = hood.resources[ResourceTier.CONVENIENCE], hood.resources[ResourceTier.CIVIC]
    hh11, hh12 = hood.households[(1, 1)], hood.households[(1, 2)]
    svc1 = actions.record_service(actor=hood.user("u11"), resource=grocer, household=hh11, description="送米")
    svc3 = actions.record_service(actor=hood.user("u11"), resource=grocer, household=hh11, description="送面")
    a = actions.raise_need(actor=hood.user("b1"), need_class=hood.classes["volunteer"], description="楼道清扫",
                           source=NeedSource.DOOR, region=hood.units[(1, 1)], household=hh11)
    b = actions.raise_need(actor=hood.user("b1"), need_class=hood.classes["volunteer"], description="楼道清扫",
                           source=NeedSource.DOOR, region=hood.units[(1, 2)], household=hh12)
    common = actions.merge_needs(actor=hood.user("b1"), target=a, others=[b])
    svc2 = actions.record_service(actor=hood.user("b1"), need=common, resource=civic, household=hh11,
                                  description="志愿者清扫楼道")
    actions.rate_service(service=svc1, household=hh11, service_score=5, chief_score=4)
    actions.rate_service(service=svc2, household=hh11, service_score=4, chief_score=5)
    actions.rate_service(service=svc2, household=hh12, service_score=3)   # a common need: another household
    actions.rate_service(service=svc3, household=hh11, service_score=2, chief_score=3)
    Rating.objects.update(rated_at=IN_Q3)
    late = actions.record_service(actor=hood.user("u11"), resource=grocer, household=hh11, description="送油")
    actions.rate_service(service=late, household=hh11, service_score=1, chief_score=1)  # rated now: Q4
    need = actions.raise_need(actor=hood.user("u11"), need_class=hood.classes["emergency"], description="漏水",
                              source=NeedSource.DOOR, region=hood.units[(1, 1)], household=hh11)
    fu = actions.ask_follow_up(need=need, case_id=424242, case_number="TEST")
    actions.answer_follow_up(follow_up=fu, fixed="yes", score=5)
    FollowUp.objects.update(answered_at=IN_Q3)
    return {"svc1": svc1, "svc2": svc2, "svc3": svc3, "grocer": grocer, "civic": civic}


def published(period):
    return {(s.target, s.name): (s.ratings, s.total, s.score) for s in PublishedScore.objects.filter(period=period)}


def test_the_quarterly_publication_computes_exactly_the_published_scores(hood, rated):
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=2, note="已核对")
    assert period.status == PeriodStatus.REVIEWED and "2" in period.formula
    period = actions.publish_quarter(actor=hood.leader, period=period)
    assert period.status == PeriodStatus.PUBLISHED
    u11 = hood.chiefs["u11"]
    assert published(period) == {
        ("service", str(rated["svc2"])): (2, 7, Decimal("3.50")),           # 4 and 3
        ("resource", "放心粮店"): (2, 7, Decimal("3.50")),                   # 5 and 2; the Q4 rating is out
        ("resource", "五色光志愿服务队"): (2, 7, Decimal("3.50")),
        ("chief", f"单元长 王** · {u11.region.name}"): (3, 12, Decimal("4.00")),  # 4, 3 and the follow-up's 5
    }  # svc1, svc3 and the building chief have one score each: below the minimum


def test_the_staff_page_shows_a_quarter_before_and_after_publication(hood, rated, client):
    """The leader's 季度公示 page lists the kind of each score, from the preview and from the
    published snapshot alike."""
    client.force_login(hood.leader)
    url = f"/neighbourhood/ratings/?subdistrict={hood.world.subdistrict.pk}&year=2026&quarter=3&min_ratings=2"

    def rows() -> str:
        page = client.get(url)
        assert page.status_code == 200
        return page.content.decode().split('data-testid="nb-scores"', 1)[1].split("</table>", 1)[0]

    before = rows()
    assert "放心粮店" in before and "资源" in before
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=2)
    actions.publish_quarter(actor=hood.leader, period=period)
    after = rows()
    assert "放心粮店" in after and "资源" in after and "单元长 王**" in after


def test_the_minimum_decides_what_is_published(hood, rated):
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=1)
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=3)  # reviewed again before publication: allowed
    actions.publish_quarter(actor=hood.leader, period=period)
    assert [s.target for s in PublishedScore.objects.filter(period=period)] == ["chief"]


def test_a_published_quarter_cannot_change(hood, rated):
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=1)
    period = actions.publish_quarter(actor=hood.leader, period=period)
    before = published(period)
    with pytest.raises(InvalidState):
        actions.publish_quarter(actor=hood.leader, period=period)
    with pytest.raises(InvalidState):
        actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                               min_ratings=5)
    assert published(period) == before and len(before) == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_edit_a_published_score(hood, rated):
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                                    min_ratings=1)
    actions.publish_quarter(actor=hood.leader, period=period)
    with pytest.raises(DatabaseError), transaction.atomic():
        PublishedScore.objects.filter(period=period).update(score=Decimal("5.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        PublishedScore.objects.filter(period=period).delete()


def test_publication_is_refused_before_the_quarter_ends_and_to_others(hood):
    with pytest.raises(InvalidState):
        actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=4)
    with pytest.raises(Forbidden):
        actions.review_quarter(actor=hood.secretary, subdistrict=hood.world.subdistrict, year=2026, quarter=3)
    with pytest.raises(InvalidInput):
        actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=5)
    with pytest.raises(InvalidInput):
        actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3,
                               min_ratings=0)
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026, quarter=3)
    with pytest.raises(Forbidden):
        actions.publish_quarter(actor=hood.secretary, period=period)


def test_the_yearly_evaluation_adds_everyday_work_to_residents_scores(hood, rated):
    rows = {e.chief_id: e for e in actions.evaluate_chiefs(actor=hood.leader, subdistrict=hood.world.subdistrict,
                                                           year=2026)}
    u11 = rows[hood.chiefs["u11"].pk]
    # Chief scores of the year: 4, 3, 1 (the Q4 rating) and the follow-up's 5 → 13 / 4.
    assert (u11.ratings, u11.resident_score) == (4, Decimal("3.25"))
    assert (u11.needs_raised, u11.services_linked, u11.cases_reported) == (1, 3, 0)
    assert u11.total == actions.evaluation_total(Decimal("3.25"), 1, 3, 0) == Decimal("53.0")
    assert rows[hood.chiefs["grid"].pk].resident_score is None
    again = actions.evaluate_chiefs(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2026)
    assert len(again) == len(rows)  # re-run replaces, never duplicates
    with pytest.raises(Forbidden):
        actions.evaluate_chiefs(actor=hood.secretary, subdistrict=hood.world.subdistrict, year=2026)


@pytest.mark.parametrize("year", [0, -1, 1999, 2101])
def test_a_year_no_office_could_mean_is_a_clear_error(hood, client, year):
    with pytest.raises(InvalidInput):
        actions.evaluate_chiefs(actor=hood.leader, subdistrict=hood.world.subdistrict, year=year)
    with pytest.raises(InvalidInput):
        actions.give_award(actor=hood.leader, year=year, title="最美单元长", reward="表彰证书", chief=hood.chiefs["u11"])
    client.force_login(hood.leader)
    page = client.post("/neighbourhood/evaluation/", {"op": "evaluate", "year": str(year)}, follow=True)
    assert page.status_code < 500 and "2000 至 2100" in page.content.decode()


def test_awards_are_recorded_once(hood):
    award = actions.give_award(actor=hood.leader, year=2026, title="最美单元长", reward="表彰证书",
                               chief=hood.chiefs["u11"])
    assert award.target == "chief"
    with pytest.raises(InvalidState):
        actions.give_award(actor=hood.leader, year=2026, title="最美单元长", reward="x", chief=hood.chiefs["u11"])
    with pytest.raises(InvalidInput):
        actions.give_award(actor=hood.leader, year=2026, title="优秀资源", reward="x")
    with pytest.raises(Forbidden):
        actions.give_award(actor=hood.secretary, year=2026, title="优秀资源", reward="优先购买服务",
                           resource=hood.resources[ResourceTier.CIVIC])
