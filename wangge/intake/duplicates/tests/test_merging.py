"""A person decides: confirm (merge through the core, chains collapse, every reporter counted
and told) or dismiss; on the case page, with the same scope rules as the rest of the desk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.errors import CaseNotFound, InvalidTransition
from wangge.intake.duplicates import selectors
from wangge.intake.duplicates.actions import confirm_duplicate, dismiss_duplicate
from wangge.intake.duplicates.choices import CandidateStatus, LinkKind
from wangge.intake.duplicates.models import CaseReporterLink, DuplicateCandidate
from wangge.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db

AGO = timezone.now() - dt.timedelta(hours=5)


def sms(template: str) -> dict[str, str]:
    """phone → body of the SMS queued with ``template``."""
    return dict(OutboundMessage.objects.filter(template=template).values_list("to", "body"))


@pytest.fixture
def pair(world, tree, report):
    """An earlier report and a newer one about the same street light, the newer flagged."""
    earlier = report(tree["light"], reporter_phone="13800000001", submitted_at=AGO)
    newer = report(tree["light"], north_m=40, reporter_phone="13800000002",
                   description="3号楼门口路灯不亮，晚上漆黑")
    return earlier, newer, DuplicateCandidate.objects.get(case=newer)


def test_confirm_merges_the_newer_report_and_tells_its_reporter(world, pair):
    earlier, newer, row = pair
    survivor = confirm_duplicate(candidate=row, actor=world.users["clerk"])
    newer.refresh_from_db()
    row.refresh_from_db()
    assert survivor == earlier
    assert newer.status == CaseStatus.MERGED and newer.merged_into == earlier
    assert row.status == CandidateStatus.CONFIRMED and row.decided_by == world.users["clerk"]
    # The survivor counts both reporters and lists the merged report.
    link = CaseReporterLink.objects.get(case=earlier)
    assert (link.kind, link.from_case, link.resident) == (LinkKind.MERGED, newer, newer.reporter)
    assert selectors.reporter_count(earlier) == 2
    # The merged report's reporter is told, once, in Chinese, with their own tracking link.
    body = sms("duplicate_merged")["13800000002"]
    assert newer.number in body and earlier.number in body and "共2位居民反映" in body
    assert newer.tracking_token in body
    assert "13800000001" not in sms("duplicate_merged")


def test_a_chain_of_merges_collapses_to_the_surviving_case(world, tree, report, pair):
    earlier, newer, row = pair
    first = report(tree["light"], east_m=10, reporter_phone="13800000003",
                   submitted_at=AGO - dt.timedelta(days=1))
    # The earlier case was merged meanwhile (on the case page) into the first report.
    actions.merge_case(case=earlier, into=first, actor=world.users["clerk"])
    assert CaseReporterLink.objects.get(case=first).from_case == earlier
    survivor = confirm_duplicate(candidate=row, actor=world.users["clerk"])
    newer.refresh_from_db()
    assert survivor == first and newer.merged_into == first  # not into the merged one
    assert selectors.reporter_count(first) == 3
    assert set(sms("duplicate_merged")) == {"13800000001", "13800000002"}
    # A report merged with its own followers brings them along.
    latest = report(tree["light"], east_m=5, reporter_phone="13800000004")
    actions.merge_case(case=first, into=latest, actor=world.users["clerk"])
    assert selectors.reporter_count(latest) == 4
    assert not CaseReporterLink.objects.filter(case=first).exists()


def test_the_further_reporters_hear_when_the_survivor_is_accepted_and_resolved(world, pair):
    earlier, _newer, row = pair
    confirm_duplicate(candidate=row, actor=world.users["clerk"])
    case = actions.accept_case(case=earlier, actor=world.users["clerk"])
    assert set(sms("linked_case_accepted")) == {"13800000002"}  # the own reporter hears via replies
    assert earlier.number in sms("linked_case_accepted")["13800000002"]
    case = actions.dispatch_case(case=case, actor=world.users["clerk"],
                                 lead=actions.Target(department=world.departments["chengguan"]))
    case = actions.claim_case(case=case, actor=world.users["chengguan"])
    actions.resolve_case(case=case, actor=world.users["chengguan"], result="已更换灯泡，路灯恢复照明")
    assert "已更换灯泡" in sms("linked_case_resolved")["13800000002"]
    assert OutboundMessage.objects.filter(template="linked_case_resolved").count() == 1


def test_dismiss_keeps_both_cases(world, pair):
    _earlier, newer, row = pair
    dismiss_duplicate(candidate=row.pk, actor=world.users["clerk"], note="不同的路灯")
    row.refresh_from_db()
    newer.refresh_from_db()
    assert row.status == CandidateStatus.DISMISSED and row.note == "不同的路灯"
    assert newer.status == CaseStatus.SUBMITTED and not CaseReporterLink.objects.exists()
    with pytest.raises(InvalidTransition):
        confirm_duplicate(candidate=row, actor=world.users["clerk"])
    newer.refresh_from_db()
    assert newer.status == CaseStatus.SUBMITTED


def test_only_those_who_may_merge_decide_and_a_refusal_writes_nothing(world, pair):
    _earlier, newer, row = pair
    with pytest.raises(CaseNotFound):  # outside their grid: as if it did not exist
        confirm_duplicate(candidate=row, actor=world.users["worker_b1"])
    with pytest.raises(CaseNotFound):
        dismiss_duplicate(candidate=row, actor=world.users["worker_b1"])
    with pytest.raises(CaseNotFound):
        confirm_duplicate(candidate=987654, actor=world.users["clerk"])
    row.refresh_from_db()
    newer.refresh_from_db()
    assert row.status == CandidateStatus.OPEN and newer.status == CaseStatus.SUBMITTED
    assert not OutboundMessage.objects.filter(template="duplicate_merged").exists()


def test_merging_into_a_finished_case_is_refused_cleanly(world, tree, report):
    earlier = report(tree["light"], submitted_at=AGO)
    actions.reject_case(case=earlier, actor=world.users["clerk"], reason="信息不全")
    # Rejected cases are not offered; a stale candidate to one is refused by the core, nothing written.
    newer = report(tree["light"], north_m=10)
    row = DuplicateCandidate.objects.create(case=newer, candidate=earlier, score=0.9, reasons={"category": "same"})
    with pytest.raises(InvalidTransition):
        confirm_duplicate(candidate=row, actor=world.users["clerk"])
    row.refresh_from_db()
    newer.refresh_from_db()
    assert row.status == CandidateStatus.OPEN and newer.status == CaseStatus.SUBMITTED


# --- the case page ----------------------------------------------------------------------------


def test_case_page_lists_candidates_and_confirms_through_a_form(client, world, pair):
    earlier, newer, row = pair
    client.force_login(world.users["clerk"])
    page = client.get(f"/cases/{newer.number}/").content.decode()
    assert 'data-testid="duplicates"' in page and earlier.number in page
    assert f'data-testid="confirm-{row.pk}"' in page
    # The earlier case's page shows the later report too.
    assert newer.number in client.get(f"/cases/{earlier.number}/").content.decode()
    response = client.post(f"/intake/duplicates/candidates/{row.pk}/confirm/", {"back": newer.number})
    assert response.status_code == 302 and response["Location"] == f"/cases/{earlier.number}/"
    page = client.get(f"/cases/{earlier.number}/").content.decode()
    assert 'data-testid="reporter-count"' in page and "2 位居民反映" in page


def test_case_page_forms_refuse_cleanly(client, world, pair):
    _earlier, newer, row = pair
    client.force_login(world.users["worker_b1"])
    assert client.post(f"/intake/duplicates/candidates/{row.pk}/confirm/").status_code == 404
    client.force_login(world.users["clerk"])
    assert client.get(f"/intake/duplicates/candidates/{row.pk}/confirm/").status_code == 405
    assert client.post("/intake/duplicates/candidates/0/dismiss/").status_code == 404
    assert client.post(f"/intake/duplicates/candidates/{row.pk}/dismiss/", {"back": "../../evil"}).status_code == 302
    again = client.post(f"/intake/duplicates/candidates/{row.pk}/dismiss/", {"back": newer.number}, follow=True)
    assert again.status_code == 200 and "已经处理过" in again.content.decode()
    client.logout()
    assert client.post(f"/intake/duplicates/candidates/{row.pk}/confirm/").status_code == 302  # to sign in
    row.refresh_from_db()
    assert row.status == CandidateStatus.DISMISSED
