"""The resident report page: "this has already been reported nearby — add yourself" (我也遇到了).

A resident who adds themselves files a report of their own (重复件, as a repeat call on a 12345
line): they get their own number and tracking link, their words and photos are on record, they
are counted on the open case at once and hear of it by text message; a clerk merges the two."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case, CaseAttachment
from wangge.intake.duplicates import selectors
from wangge.intake.duplicates.actions import (
    confirm_duplicate,
    dismiss_duplicate,
    join_case,
)
from wangge.intake.duplicates.choices import CandidateStatus, LinkKind
from wangge.intake.duplicates.models import CaseReporterLink, DuplicateCandidate
from wangge.notifications.models import OutboundMessage
from wangge.testing import png

pytestmark = pytest.mark.django_db

REPORT = "/r/report/"
JOIN = "/intake/duplicates/join/"
TRACK = "/r/track/"


def resident_form(world, tree, place, **extra) -> dict:
    lng, lat = place(north_m=30)
    data = {"description": "3号楼门口的路灯不亮了，晚上很黑", "category": str(tree["light"].pk),
            "longitude": str(lng), "latitude": str(lat), "reporter_phone": "13900005555", "reporter_name": "王五",
            "address": "和平路3号楼门口"}
    data.update(extra)
    return data


def ref_in(html: str) -> str:
    return re.search(r'name="ref" value="([^"]+)"', html).group(1)


def offered(client, form: dict) -> str:
    """Post the report page and return the offer of the first open case it shows."""
    response = client.post(REPORT, form)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="already-reported"' in html, html
    return ref_in(html)


def own_report(existing: Case) -> Case:
    return Case.objects.exclude(pk=existing.pk).get()


def test_a_resident_is_offered_the_open_case_and_their_report_is_kept_and_counted(client, world, tree, report,
                                                                                  place):
    existing = report(tree["light"], reporter_phone="13800000001")
    response = client.post(REPORT, resident_form(world, tree, place))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="already-reported"' in html
    assert "附近已有人反映" in html and "路灯不亮" in html
    # The resident sees the kind of problem and the place, never the other report's words or reporter.
    assert existing.description not in html and "13800000001" not in html and existing.number not in html
    assert Case.objects.count() == 1

    joined = client.post(JOIN, {**resident_form(world, tree, place), "ref": ref_in(html)})
    page = joined.content.decode()
    assert joined.status_code == 200 and 'data-testid="joined"' in page and "2 位居民" in page
    # Their report is a case of their own, with their words, place and phone.
    mine = own_report(existing)
    assert mine.description == "3号楼门口的路灯不亮了，晚上很黑" and mine.address == "和平路3号楼门口"
    assert mine.category == tree["light"] and mine.channel == Channel.WEB and mine.reporter_phone == "13900005555"
    assert mine.status == CaseStatus.SUBMITTED
    # The answer gives its number and tracking link, as the normal "sent" page does.
    assert mine.number in page and f"/r/t/{mine.tracking_token}/" in page
    # Counted on the open case at once; the clerk is offered it as a duplicate the resident confirmed.
    link = CaseReporterLink.objects.get(case=existing)
    assert link.kind == LinkKind.JOINED and link.from_case == mine and link.resident.phone == "13900005555"
    assert selectors.reporter_count(existing) == 2
    assert selectors.counted_on(mine) == existing and selectors.counted_on(existing) is None
    candidate = DuplicateCandidate.objects.get(case=mine)
    assert candidate.candidate == existing and candidate.status == CandidateStatus.OPEN
    assert candidate.reasons["resident"] is True
    # They hear when the open case is taken on, with the link to their own report.
    actions.accept_case(case=existing, actor=world.users["clerk"])
    sms = OutboundMessage.objects.get(template="linked_case_accepted", to="13900005555")
    assert mine.tracking_token in sms.context["track_url"]


def test_a_double_tap_files_one_report(client, world, tree, report, place):
    existing = report(tree["light"])
    form = {**resident_form(world, tree, place), "ref": offered(client, resident_form(world, tree, place))}
    first = client.post(JOIN, form).content.decode()
    second = client.post(JOIN, form)
    mine = own_report(existing)
    # The second tap answers with the same number; nothing more is filed or counted.
    assert second.status_code == 200 and mine.number in first and mine.number in second.content.decode()
    assert Case.objects.count() == 2 and CaseReporterLink.objects.count() == 1
    assert selectors.reporter_count(existing) == 2


def test_the_same_resident_joining_again_is_not_filed_or_counted_twice(client, world, tree, report, place):
    existing = report(tree["light"], reporter_phone="13800000001")
    client.post(JOIN, {**resident_form(world, tree, place), "ref": offered(client, resident_form(world, tree, place))})
    # Another visit, other words, the same mobile: already counted.
    again = resident_form(world, tree, place, description="门口路灯还是不亮，请尽快修")
    response = client.post(JOIN, {**again, "ref": offered(client, again)})
    assert response.status_code == 200 and "您已在反映人之列" in response.content.decode()
    assert Case.objects.count() == 2 and CaseReporterLink.objects.count() == 1
    # Nor is the open case's own reporter.
    own = resident_form(world, tree, place, reporter_phone="13800000001", description="我反映过的路灯还是不亮")
    response = client.post(JOIN, {**own, "ref": offered(client, own)})
    assert "您已在反映人之列" in response.content.decode() and Case.objects.count() == 2
    assert selectors.reporter_count(existing) == 2


def test_a_resident_without_a_phone_gets_a_number_and_link_and_is_counted(client, world, tree, report, place):
    existing = report(tree["light"])
    form = resident_form(world, tree, place, reporter_phone="", reporter_name="")
    response = client.post(JOIN, {**form, "ref": offered(client, form)})
    page = response.content.decode()
    mine = own_report(existing)
    assert response.status_code == 200 and mine.number in page and f"/r/t/{mine.tracking_token}/" in page
    assert "只能通过这个链接查询进度" in page
    assert selectors.reporter_count(existing) == 2


def test_the_photos_are_kept_with_the_residents_report(client, world, tree, report, place):
    existing = report(tree["light"])
    form = resident_form(world, tree, place)
    ref = offered(client, form)
    client.post(JOIN, {**form, "ref": ref, "photos": [png("lamp.png"), png("pole.png", colour="blue")]})
    stored = CaseAttachment.objects.filter(case=own_report(existing))
    assert sorted(a.original_name for a in stored) == ["lamp.png", "pole.png"]


def test_the_resident_finds_their_report_under_track_my_report(client, world, tree, report, place):
    existing = report(tree["light"], reporter_phone="13800000001")
    form = resident_form(world, tree, place)
    client.post(JOIN, {**form, "ref": offered(client, form)})
    mine = own_report(existing)
    response = client.post(TRACK, {"number": mine.number, "phone_last4": "5555"})
    assert response.status_code == 302 and response["Location"].endswith(f"/r/t/{mine.tracking_token}/")


def test_a_report_the_core_refuses_writes_nothing(client, world, tree, report, place, monkeypatch):
    existing = report(tree["light"])
    form = resident_form(world, tree, place)
    ref = offered(client, form)
    # A failure after the report was filed (here: counting it) takes the report back with it.
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(CaseReporterLink.objects, "create", broken)
    with pytest.raises(RuntimeError):
        join_case(case=existing, report={"description": form["description"], "category": tree["light"],
                                         "longitude": float(form["longitude"]), "latitude": float(form["latitude"]),
                                         "attachments": [png()]},
                  channel=Channel.WEB, offer=ref)
    assert list(Case.objects.all()) == [existing]
    assert not DuplicateCandidate.objects.filter(case__isnull=False).exclude(case=existing).exists()
    assert not CaseAttachment.objects.exists()


def test_the_clerk_merges_the_joined_report_without_counting_it_twice(client, world, tree, report, place):
    existing = report(tree["light"])
    form = resident_form(world, tree, place)
    client.post(JOIN, {**form, "ref": offered(client, form)})
    mine = own_report(existing)
    candidate = DuplicateCandidate.objects.get(case=mine, candidate=existing)
    # The clerk sees on the resident's report that the resident called it the same problem.
    page = client_for(world, "clerk").get(f"/cases/{mine.number}/").content.decode()
    assert "居民认为是同一问题" in page
    assert confirm_duplicate(candidate=candidate, actor=world.users["clerk"]) == existing
    mine.refresh_from_db()
    assert mine.status == CaseStatus.MERGED and mine.merged_into == existing
    link = CaseReporterLink.objects.get(case=existing)
    assert link.kind == LinkKind.MERGED and link.from_case == mine
    assert selectors.reporter_count(existing) == 2
    assert OutboundMessage.objects.filter(template="duplicate_merged", to="13900005555").count() == 1


def test_a_joined_report_the_clerk_finds_different_is_no_longer_counted(client, world, tree, report, place):
    existing = report(tree["light"])
    form = resident_form(world, tree, place)
    client.post(JOIN, {**form, "ref": offered(client, form)})
    mine = own_report(existing)
    dismiss_duplicate(candidate=DuplicateCandidate.objects.get(case=mine, candidate=existing),
                      actor=world.users["clerk"], note="不是同一盏灯")
    assert selectors.reporter_count(existing) == 1 and not CaseReporterLink.objects.exists()
    assert Case.objects.get(pk=mine.pk).status == CaseStatus.SUBMITTED  # handled on its own


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
        join_case(case=existing, report={"description": "路灯不亮", "longitude": lng, "latitude": lat},
                  channel=Channel.WEB)
    assert not CaseReporterLink.objects.exists() and Case.objects.count() == 1


@pytest.mark.parametrize("ref", ["", "garbage", "1", "MQ:1abc:forged"])
def test_an_altered_or_missing_offer_is_refused_and_writes_nothing(client, world, tree, report, place, ref):
    report(tree["light"])
    response = client.post(JOIN, {**resident_form(world, tree, place), "ref": ref})
    assert response.status_code == 400 and "已失效" in response.content.decode()
    assert not CaseReporterLink.objects.exists() and Case.objects.count() == 1


def test_a_bad_phone_or_an_empty_report_is_refused_and_writes_nothing(client, world, tree, report, place):
    existing = report(tree["light"])
    ref = selectors.describe_for_resident(existing).ref
    response = client.post(JOIN, {**resident_form(world, tree, place, reporter_phone="abc123"), "ref": ref})
    assert response.status_code == 400 and "电话号码" in response.content.decode()
    response = client.post(JOIN, {**resident_form(world, tree, place, description=""), "ref": ref})
    assert response.status_code == 400 and 'data-testid="join-error"' in response.content.decode()
    assert not CaseReporterLink.objects.exists() and Case.objects.count() == 1
    assert client.get(JOIN).status_code == 405


def test_a_join_lands_on_the_surviving_case(world, tree, report, place):
    earlier = report(tree["light"])
    later = report(tree["light"], north_m=20)
    actions.merge_case(case=later, into=earlier, actor=world.users["clerk"])
    lng, lat = place(north_m=30)
    joined = join_case(case=later, report={"description": "路灯不亮了", "longitude": lng, "latitude": lat,
                                           "reporter_phone": "13900005555"}, channel=Channel.WEB, offer="x")
    assert joined.created and joined.into == earlier
    assert CaseReporterLink.objects.get(from_case=joined.report).case == earlier


def client_for(world, role: str):
    from django.test import Client

    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel transactions")
@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_file_one_report(world, tree, place):
    """Two requests of one submission in parallel: one report, one link (PostgreSQL)."""
    import threading

    from django.db import connections

    from wangge.testing.factories import file_case

    lng0, lat0 = place()
    existing = file_case(world, category=tree["light"], longitude=lng0, latitude=lat0)
    lng, lat = place(north_m=30)
    kwargs = {"description": "3号楼门口的路灯不亮了", "category": tree["light"], "longitude": lng, "latitude": lat,
              "reporter_phone": "13900005555"}
    barrier, results = threading.Barrier(2), []

    def tap():
        try:
            barrier.wait()
            results.append(join_case(case=existing, report=dict(kwargs), channel=Channel.WEB, offer="same"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0].report == results[1].report
    assert Case.objects.count() == 2 and CaseReporterLink.objects.count() == 1


def test_a_join_that_files_a_report_counts_as_a_filed_report(client, world, tree, report, place, settings):
    settings.WANGGE_RATE_LIMITS = {"report": (1, 3600)}
    existing = report(tree["light"])
    form = resident_form(world, tree, place)
    ref = offered(client, form)
    assert client.post(JOIN, {**resident_form(world, tree, place, reporter_phone="13900000000"),
                               "ref": "garbage"}).status_code == 400  # a refused post files nothing, uses nothing
    assert client.post(JOIN, {**form, "ref": ref}).status_code == 200
    again = client.post(JOIN, {**resident_form(world, tree, place, reporter_phone="13700007777"), "ref": ref})
    assert again.status_code == 429 and Case.objects.exclude(pk=existing.pk).count() == 1
