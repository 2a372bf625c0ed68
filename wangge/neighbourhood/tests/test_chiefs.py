"""三长: appointment (allowed and refused), end of term, limited accounts, coverage."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.neighbourhood import actions, selectors
from wangge.neighbourhood.choices import ChiefKind, SelectionMethod
from wangge.neighbourhood.models import Chief
from wangge.org.scope import Scope
from wangge.residents.models import Resident

from .conftest import TODAY


def test_appointed_chiefs_have_their_kind_and_selection_record(hood):
    b1 = hood.chiefs["b1"]
    assert b1.kind == ChiefKind.BUILDING and b1.community == hood.world.communities[0]
    assert b1.is_party_member and b1.compound_type == "old_unmanaged" and b1.selection_method == "joint"
    assert hood.chiefs["u11"].kind == ChiefKind.UNIT and hood.chiefs["grid"].kind == ChiefKind.GRID


def test_a_volunteer_gets_a_limited_account_without_staff_roles(hood):
    chief = hood.chiefs["u11"]
    user = chief.user
    assert user.groups.filter(name=actions.CHIEF_GROUP).exists()
    assert not user.has_usable_password() and not user.is_staff
    assert Scope.of(user).all_regions() == []  # no workbench territory at all
    assert selectors.reach_roots(user) == [chief.region]


def test_only_a_manager_of_the_place_appoints(hood):
    unit = hood.units[(2, 1)]
    other_sec = hood.world.users["secretary_b"]
    for actor in (other_sec, hood.world.users["worker_a1"], hood.user("b1")):
        with pytest.raises(Forbidden):
            actions.appoint_chief(actor=actor, region=unit, user=hood.world.users["clerk"],
                                  selection_method=SelectionMethod.SELF, term_start=TODAY)
    assert not Chief.objects.filter(region=unit).exists()


@pytest.mark.parametrize("problem", ["community", "two_people", "bad_method", "term_order"])
def test_bad_appointments_are_refused(hood, problem):
    args = dict(actor=hood.secretary, region=hood.units[(2, 1)], user=hood.world.users["clerk"],
                selection_method=SelectionMethod.SELF, term_start=TODAY)
    if problem == "community":
        args["region"] = hood.world.communities[0]
    elif problem == "two_people":
        args["resident"] = Resident.objects.create(name="赵六", phone="13600001234")
    elif problem == "bad_method":
        args["selection_method"] = "lottery"
    else:
        args["term_end"] = TODAY.replace(year=2025)
    with pytest.raises(InvalidInput):
        actions.appoint_chief(**args)
    assert not Chief.objects.filter(region=hood.units[(2, 1)]).exists()


def test_a_place_has_one_serving_chief_until_the_term_ends(hood):
    unit = hood.units[(1, 1)]
    with pytest.raises(InvalidState):
        actions.appoint_chief(actor=hood.secretary, region=unit, user=hood.world.users["clerk"],
                              selection_method=SelectionMethod.SELF, term_start=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Chief.objects.create(kind="unit", region=unit, community=hood.world.communities[0], user=hood.secretary,
                             name="x", selection_method="self", term_start=TODAY, appointed_by=hood.secretary)
    ended = actions.end_chief_term(actor=hood.secretary, chief=hood.chiefs["u11"], reason="搬家")
    assert ended.ended_at is not None
    with pytest.raises(InvalidState):
        actions.end_chief_term(actor=hood.secretary, chief=ended, reason="again")
    new = actions.appoint_chief(actor=hood.secretary, region=unit, user=hood.world.users["clerk"],
                                selection_method=SelectionMethod.ORGANISATION, term_start=TODAY)
    assert new.is_serving


def test_a_chief_cannot_end_a_term_outside_their_reach(hood):
    with pytest.raises(NotFound):
        actions.end_chief_term(actor=hood.world.users["secretary_b"], chief=hood.chiefs["b1"], reason="x")


def test_coverage_lists_exactly_the_places_without_a_chief(hood, django_assert_num_queries):
    community = hood.world.communities[0]
    with django_assert_num_queries(1):
        report = selectors.coverage(community)
    assert report.buildings == 2 and report.units == 4 and report.grids == 2
    assert report.grids_without == [hood.world.grids[1]]
    assert report.buildings_without == [hood.buildings[1]]
    assert set(report.units_without) == {hood.units[(1, 2)], hood.units[(2, 1)], hood.units[(2, 2)]}
    actions.end_chief_term(actor=hood.secretary, chief=hood.chiefs["b1"], reason="任期届满")
    assert set(selectors.coverage(community).buildings_without) == set(hood.buildings)


def test_a_volunteer_signs_in_once_with_the_link_the_community_hands_over(client, hood):
    path = actions.issue_login_link(actor=hood.secretary, chief=hood.chiefs["u11"])
    assert client.get(path).status_code == 200  # a preview of the link spends nothing
    response = client.post(path)
    assert response.status_code == 302 and response["Location"].endswith("/nb/me/")
    assert client.get("/nb/me/").status_code == 200
    client.logout()
    assert client.post(path).status_code == 404  # spent
    assert client.get("/nb/me/").status_code == 302  # to the sign-in page


def test_login_links_are_only_for_volunteers_and_only_from_their_community(hood):
    with pytest.raises(InvalidState):
        actions.issue_login_link(actor=hood.secretary, chief=hood.chiefs["b1"])  # staff use their password
    with pytest.raises(NotFound):
        actions.issue_login_link(actor=hood.world.users["secretary_b"], chief=hood.chiefs["u11"])


def test_a_serving_volunteer_is_not_erased_and_an_erased_one_leaves_no_name(hood):
    from wangge.residents.retention import open_business
    from wangge.residents.services import anonymise_resident

    volunteer = hood.chiefs["u11"].resident
    assert len(open_business(volunteer)) == 1
    actions.end_chief_term(actor=hood.secretary, chief=hood.chiefs["u11"], reason="退出")
    assert not open_business(volunteer)
    anonymise_resident(resident=volunteer, reason="本人申请")
    assert Chief.objects.get(pk=hood.chiefs["u11"].pk).name == "—"
