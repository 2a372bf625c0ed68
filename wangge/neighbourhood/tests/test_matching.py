"""What a need asks for decides the resources proposed (a barber is no answer to “代买米面油”), the
resource a chief chose is marked among them, and a refused action on the chief's phone page leads
back to the need."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.neighbourhood import actions, selectors
from wangge.neighbourhood.choices import NeedSource, ResourceTier
from wangge.neighbourhood.models import Resource


@pytest.fixture
def shops(hood):
    """Unit-chief shops of the convenience class, each offering something else."""
    sec, community = hood.secretary, hood.world.communities[0]
    grocer = hood.resources[ResourceTier.CONVENIENCE]
    actions.update_resource(actor=sec, resource=grocer, name=grocer.name, provider=grocer.provider,
                            classes=[hood.classes["convenience"]], longitude=grocer.longitude,
                            latitude=grocer.latitude, capacity=30, offers="代买、米 面,油；粮")
    made = {"grocer": Resource.objects.get(pk=grocer.pk)}
    for key, name, offers in (("barber", "便民理发店", "理发、上门理发"),
                              ("repair", "家电维修部", "家电、维修、修理、水龙头")):
        made[key] = actions.create_resource(actor=sec, name=name, provider="个体", tier=ResourceTier.CONVENIENCE,
                                            classes=[hood.classes["convenience"]], area=community, offers=offers,
                                            longitude=grocer.longitude, latitude=grocer.latitude)
    return made


def unit_need(hood, text):
    return actions.raise_need(actor=hood.user("u11"), need_class=hood.classes["convenience"], description=text,
                              source=NeedSource.DOOR, region=hood.units[(1, 1)], household=hood.households[(1, 1)])


def test_the_resources_proposed_offer_what_the_need_asks_for(hood, shops):
    need = unit_need(hood, "腿脚不便，需要代买米面油")
    proposals = selectors.propose_resources(hood.user("u11"), need)
    assert [p.resource.name for p in proposals] == ["放心粮店"]
    assert proposals.by_words and proposals[0].matched == ["代买", "米", "面", "油"]

    repair = unit_need(hood, "想请人上门修理水龙头")
    assert [p.resource for p in selectors.propose_resources(hood.user("u11"), repair)] == [shops["repair"]]


def test_a_need_no_resource_speaks_to_gets_the_resources_of_its_class(hood, shops):
    need = unit_need(hood, "想找个人陪着说说话")
    proposals = selectors.propose_resources(hood.user("u11"), need)
    assert not proposals.by_words
    assert {shops["grocer"], shops["barber"], shops["repair"]} <= {p.resource for p in proposals}


def test_the_chief_s_page_proposes_the_grocer_and_says_why(client, hood, shops):
    need = unit_need(hood, "腿脚不便，需要代买米面油")
    client.force_login(hood.user("u11"))
    page = client.get(reverse("neighbourhood:chief_need", args=[need.pk])).content.decode()
    proposals = page.split('data-testid="nb-proposals"', 1)[1].split("</section>", 1)[0]
    assert "放心粮店" in proposals and "理发" not in proposals and "家电" not in proposals
    assert "代买、米、面、油" in proposals


def test_what_a_resource_offers_is_kept_from_the_library_form_and_shown(client, hood):
    client.force_login(hood.secretary)
    response = client.post(reverse("neighbourhood:resources"), {
        "name": "惠民超市", "provider": "连锁超市", "tier": ResourceTier.CONVENIENCE,
        "classes": [hood.classes["convenience"].pk], "area": hood.world.communities[0].pk,
        "offers": " 代买， 日用品  送货上门、代买 "})
    resource = Resource.objects.get(name="惠民超市")
    assert response.status_code == 302 and resource.offers == "代买、日用品、送货上门"
    assert "代买、日用品、送货上门" in client.get(reverse("neighbourhood:resources")).content.decode()
    assert "代买、日用品、送货上门" in client.get(resource.get_absolute_url()).content.decode()
    client.post(reverse("neighbourhood:resource_edit", args=[resource.pk]), {
        "name": "惠民超市", "provider": "连锁超市", "classes": [hood.classes["convenience"].pk], "offers": "米 面"})
    resource.refresh_from_db()
    assert resource.offers == "米、面"


def test_the_chosen_resource_is_marked_and_not_offered_again(client, hood, shops):
    need = unit_need(hood, "想买米，顺便修修水龙头")
    actions.match_need(actor=hood.user("u11"), need=need, resource=shops["repair"])
    client.force_login(hood.user("u11"))
    page = client.get(reverse("neighbourhood:chief_need", args=[need.pk])).content.decode()
    proposals = page.split('data-testid="nb-proposals"', 1)[1].split("</section>", 1)[0]
    assert f'data-testid="nb-chosen-{shops["repair"].pk}"' in proposals and "已选定" in proposals
    assert f'data-testid="nb-match-{shops["repair"].pk}"' not in proposals
    assert f'data-testid="nb-match-{shops["grocer"].pk}"' in proposals and "改选此资源" in proposals
    # The chosen one comes first.
    assert proposals.index(shops["repair"].name) < proposals.index(shops["grocer"].name)


def test_a_refused_action_on_the_phone_page_leads_back_to_the_need(client, hood, shops):
    need = unit_need(hood, "腿脚不便，需要代买米面油")
    client.force_login(hood.user("u11"))
    url = reverse("neighbourhood:chief_need", args=[need.pk])
    response = client.post(url, {"op": "close", "note": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="{url}" data-testid="nb-back"' in page
