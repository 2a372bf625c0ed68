"""三联 and 三评 of a service: the matcher, the tier rule, recording a service, rating it once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.neighbourhood import actions, selectors, signing
from wangge.neighbourhood.choices import NeedSource, NeedStatus, ResourceTier
from wangge.neighbourhood.models import Rating, ResourceContactView, ServiceRecord
from wangge.notifications.models import OutboundMessage


def need_at(hood, b=1, u=1, code="convenience", text="想买米面，老人拿不动"):
    return actions.raise_need(actor=hood.user("b1" if b == 1 else "grid"), need_class=hood.classes[code], description=text,
                              source=NeedSource.DOOR, region=hood.units[(b, u)], household=hood.households[(b, u)])


def test_the_matcher_proposes_by_class_tier_and_distance(hood):
    need = need_at(hood)  # raised by the building chief, so held through them
    assert need.chief == hood.chiefs["b1"]
    names = [p.resource.name for p in selectors.propose_resources(hood.user("b1"), need)]
    assert set(names) == {"放心粮店", "五色光志愿服务队", "社区法律服务站"}
    assert names[0] == "五色光志愿服务队"  # the building chief's own tier comes first
    unit_need = actions.raise_need(actor=hood.user("u11"), need_class=hood.classes["convenience"],
                                   description="买米", source=NeedSource.DOOR, region=hood.units[(1, 1)])
    proposals = selectors.propose_resources(hood.user("u11"), unit_need)
    assert proposals[0].resource.name == "放心粮店" and proposals[0].distance_m < 1000
    legal = need_at(hood, code="legal_aid", text="邻里纠纷想咨询律师")
    assert [p.resource.name for p in selectors.propose_resources(hood.user("b1"), legal)] == ["社区法律服务站"]
    assert selectors.propose_resources(hood.user("b1"), need_at(hood, code="employment")) == []


def test_haversine_is_in_metres():
    assert selectors.haversine_m(116.30, 39.90, 116.30, 39.91) == pytest.approx(1112, rel=0.01)


def test_a_need_matched_to_a_resource_and_served_then_rated(hood):
    need = need_at(hood, 1, 1)
    grocer = hood.resources[ResourceTier.CONVENIENCE]
    chief = hood.user("u11")
    need = actions.match_need(actor=chief, need=need, resource=grocer)
    assert need.status == NeedStatus.MATCHED and need.resource == grocer
    service = actions.record_service(actor=chief, need=need, resource=grocer, description="送米面各一袋上门")
    need.refresh_from_db()
    assert need.status == NeedStatus.SERVED and need.met_at is not None
    assert service.chief == hood.chiefs["u11"] and service.household == hood.households[(1, 1)]
    assert service.tier == ResourceTier.CONVENIENCE and service.need_class == hood.classes["convenience"]
    sms = OutboundMessage.objects.get(template="neighbourhood_rate")  # the household is asked to rate it
    token = sms.body.rsplit("/nb/rate/", 1)[1].rstrip("/")
    assert sms.to == "13900001100" and "送米面" in sms.body
    assert signing.rating_target_from(token) == (service.pk, hood.households[(1, 1)].pk)
    rating = actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=5,
                                  chief_score=4, fixed="yes", comment="很及时")
    assert (rating.chief, rating.resource) == (hood.chiefs["u11"], grocer)
    assert selectors.figures(hood.secretary)["ratings"]["service"] == 5


def test_one_rating_per_household_per_service(hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=3)
    with pytest.raises(actions.AlreadyRated):
        actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(service=service, household=hood.households[(1, 1)], chief=service.chief,
                              resource=service.resource, service_score=1)
    assert Rating.objects.get().service_score == 3


def test_only_a_household_served_rates_and_scores_are_1_to_5(hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    with pytest.raises(Forbidden):
        actions.rate_service(service=service, household=hood.households[(2, 2)], service_score=5)
    for bad in (0, 6, "x", None):
        with pytest.raises(InvalidInput):
            actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=bad)
    with pytest.raises(InvalidInput):
        actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=4, chief_score=9)
    assert not Rating.objects.exists()


def test_a_unit_chief_links_only_convenience_resources(hood):
    need = need_at(hood, 1, 1, code="legal_aid")
    with pytest.raises(Forbidden):
        actions.record_service(actor=hood.user("u11"), need=need, resource=hood.resources[ResourceTier.SOCIAL],
                               description="法律咨询")
    service = actions.record_service(actor=hood.user("grid"), need=need, resource=hood.resources[ResourceTier.SOCIAL],
                                     description="律师上门咨询")
    assert service.chief == hood.chiefs["grid"]


def test_services_and_matches_are_refused_outside_reach_or_state(hood):
    need = need_at(hood, 2, 1)
    with pytest.raises(NotFound):  # another building's need
        actions.match_need(actor=hood.user("u11"), need=need, resource=hood.resources[ResourceTier.CONVENIENCE])
    with pytest.raises(InvalidInput):  # the resource does not serve the class
        actions.match_need(actor=hood.user("b1"), need=need_at(hood, code="employment"),
                           resource=hood.resources[ResourceTier.CONVENIENCE])
    with pytest.raises(NotFound):
        actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                               household=hood.households[(2, 1)], description="x")
    with pytest.raises(InvalidInput):  # staff without a chief post records through a chief
        actions.record_service(actor=hood.secretary, resource=hood.resources[ResourceTier.CONVENIENCE],
                               household=hood.households[(2, 1)], description="x")
    closed = actions.close_need(actor=hood.user("b1"), need=need_at(hood), note="已解决")
    with pytest.raises(InvalidState):
        actions.record_service(actor=hood.user("b1"), need=closed, resource=hood.resources[ResourceTier.CIVIC],
                               description="x")
    assert not ServiceRecord.objects.exists()


def test_the_resource_contact_is_masked_and_every_full_view_logged(hood):
    grocer = hood.resources[ResourceTier.CONVENIENCE]
    from wangge.neighbourhood.api.serializers import ResourceSerializer

    assert ResourceSerializer(grocer).data["contact_phone"] == "138****2222"
    contact = actions.reveal_resource_contact(actor=hood.user("u11"), resource=grocer)
    assert contact["contact_phone"] == "13811112222"
    with pytest.raises(NotFound):
        actions.reveal_resource_contact(actor=hood.world.users["chengguan"], resource=grocer)
    assert list(ResourceContactView.objects.values_list("user__username", "granted").order_by("pk")) == [
        (hood.user("u11").username, True), ("officer_cg", False)]


def test_resources_are_validated_and_tiered_by_the_chief_who_links_them(hood):
    base = dict(name="便民理发", provider="张师傅", classes=[hood.classes["convenience"]], area=hood.units[(1, 1)])
    with pytest.raises(InvalidInput):  # a unit chief links convenience resources
        actions.create_resource(actor=hood.user("u11"), tier=ResourceTier.SOCIAL, linked_by=hood.chiefs["u11"], **base)
    res = actions.create_resource(actor=hood.user("u11"), tier=ResourceTier.CONVENIENCE,
                                  linked_by=hood.chiefs["u11"], **base)
    assert res.linked_by == hood.chiefs["u11"]
    with pytest.raises(Forbidden):
        actions.create_resource(actor=hood.user("u11"), tier=ResourceTier.CONVENIENCE, **base)
    with pytest.raises(InvalidInput):
        actions.create_resource(actor=hood.secretary, tier=ResourceTier.CONVENIENCE, longitude=116.3, **base)
    with pytest.raises(InvalidInput):
        actions.create_resource(actor=hood.secretary, tier=ResourceTier.CONVENIENCE, **{**base, "classes": []})


def test_a_service_goes_through_the_chief_of_the_household_s_place(hood):
    with pytest.raises(InvalidInput):  # the secretary may act, but not through a chief of another unit
        actions.record_service(actor=hood.secretary, chief=hood.chiefs["u11"], household=hood.households[(2, 1)],
                               resource=hood.resources[ResourceTier.CONVENIENCE], description="x")
    service = actions.record_service(actor=hood.secretary, chief=hood.chiefs["grid"],
                                     household=hood.households[(2, 1)],
                                     resource=hood.resources[ResourceTier.CONVENIENCE], description="代买")
    assert service.chief == hood.chiefs["grid"] and service.recorded_by == hood.secretary
