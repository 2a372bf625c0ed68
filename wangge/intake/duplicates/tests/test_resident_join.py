"""The resident report page: "this has already been reported nearby — add yourself"."""

from __future__ import annotations

import re

import pytest

from wangge.cases import actions
from wangge.cases.models import Case
from wangge.intake.duplicates import selectors
from wangge.intake.duplicates.actions import join_case
from wangge.intake.duplicates.models import CaseReporterLink
from wangge.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db

REPORT = "/r/report/"
JOIN = "/intake/duplicates/join/"


def resident_form(world, tree, place, **extra) -> dict:
    lng, lat = place(north_m=30)
    data = {"description": "3号楼门口的路灯不亮了，晚上很黑", "category": str(tree["light"].pk),
            "longitude": str(lng), "latitude": str(lat), "reporter_phone": "13900005555", "reporter_name": "王五"}
    data.update(extra)
    return data


def ref_in(html: str) -> str:
    return re.search(r'name="ref" value="([^"]+)"', html).group(1)


def test_a_resident_is_offered_the_open_case_and_adds_themselves(client, world, tree, report, place):
    existing = report(tree["light"], reporter_phone="13800000001")
    response = client.post(REPORT, resident_form(world, tree, place))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="already-reported"' in html
    assert "附近已有人反映" in html and "路灯不亮" in html
    # The resident sees the kind of problem and the place, never the other report's words or reporter.
    assert existing.description not in html and "13800000001" not in html and existing.number not in html
    assert Case.objects.count() == 1

    joined = client.post(JOIN, {**resident_form(world, tree, place), "ref": ref_in(html)})
    assert joined.status_code == 200 and 'data-testid="joined"' in joined.content.decode()
    assert "2 位居民" in joined.content.decode()
    link = CaseReporterLink.objects.get(case=existing)
    assert link.resident.phone == "13900005555" and selectors.reporter_count(existing) == 2
    assert Case.objects.count() == 1
    # Adding yourself twice counts you once.
    client.post(JOIN, {**resident_form(world, tree, place), "ref": ref_in(html)})
    assert CaseReporterLink.objects.count() == 1
    # They hear when it is taken on, as its own reporter does.
    actions.accept_case(case=existing, actor=world.users["clerk"])
    assert OutboundMessage.objects.filter(template="linked_case_accepted", to="13900005555").count() == 1


def test_send_anyway_files_a_new_case(client, world, tree, report, place):
    report(tree["light"])
    response = client.post(REPORT, {**resident_form(world, tree, place), "file_anyway": "1"})
    assert response.status_code == 302 and Case.objects.count() == 2


def test_no_offer_without_a_chosen_category_or_for_another_problem(client, world, tree, report, place):
    report(tree["light"])
    assert client.post(REPORT, resident_form(world, tree, place, category="")).status_code == 302
    assert client.post(REPORT, resident_form(world, tree, place, category=str(tree["rubbish"].pk),
                                             description="垃圾桶满了没人清运")).status_code == 302
    assert Case.objects.count() == 3


def test_a_finished_case_is_not_offered_and_cannot_be_joined(world, tree, report, place):
    existing = report(tree["light"])
    actions.reject_case(case=existing, actor=world.users["clerk"], reason="重复")
    lng, lat = place()
    assert selectors.nearby_reports(description=existing.description, category=tree["light"],
                                    longitude=lng, latitude=lat) == []
    from wangge.cases.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        join_case(case=existing, phone="13900005555")
    assert not CaseReporterLink.objects.exists()


@pytest.mark.parametrize("ref", ["", "garbage", "1", "MQ:1abc:forged"])
def test_an_altered_or_missing_offer_is_refused_and_writes_nothing(client, world, tree, report, ref):
    report(tree["light"])
    response = client.post(JOIN, {"ref": ref, "reporter_phone": "13900005555"})
    assert response.status_code == 400 and "已失效" in response.content.decode()
    assert not CaseReporterLink.objects.exists()


def test_a_bad_phone_is_refused_and_writes_nothing(client, world, tree, report):
    existing = report(tree["light"])
    ref = selectors.describe_for_resident(existing).ref
    response = client.post(JOIN, {"ref": ref, "reporter_phone": "abc123"})
    assert response.status_code == 400 and "电话号码" in response.content.decode()
    assert not CaseReporterLink.objects.exists()
    assert client.get(JOIN).status_code == 405
    # Without a phone they are still counted, but cannot be told.
    response = client.post(JOIN, {"ref": ref})
    assert response.status_code == 200 and selectors.reporter_count(existing) == 2


def test_a_join_lands_on_the_surviving_case(world, tree, report):
    earlier = report(tree["light"])
    later = report(tree["light"], north_m=20)
    actions.merge_case(case=later, into=earlier, actor=world.users["clerk"])
    link, created = join_case(case=later, phone="13900005555")
    assert created and link.case == earlier
