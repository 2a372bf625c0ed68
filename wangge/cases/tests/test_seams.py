"""The seams other apps plug into: domain events on commit, durable reactions that survive a dead
process, registered channels and timeline types, explicit actors, idempotent intake, the work
queue, and the one-step hotline filing."""

from __future__ import annotations

import pytest
from django.db import transaction

from wangge.cases import actions, selectors
from wangge.cases.choices import CaseStatus, Channel, EventType
from wangge.cases.errors import ActionForbidden, InvalidInput
from wangge.cases.models import Case, CaseEvent
from wangge.core.actors import Actor
from wangge.core.events import Mode, run_pending_reactions, subscribe, unsubscribe
from wangge.core.models import PendingReaction
from wangge.notifications.models import Notification
from wangge.testing import case_in_state, close_after_revisit, file_case, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every case domain event heard after commit, by name, in order."""
    names: list[str] = []
    subscribe("*", lambda event: names.append(event.name), mode=Mode.COMMIT, key="test.heard")
    yield names
    unsubscribe("test.heard")


def test_each_action_publishes_one_typed_event_after_commit(world, heard, django_capture_on_commit_callbacks):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    category = make_category(department=world.departments["chengguan"])
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(world, category=category)
        assert heard == []  # nothing is told before the change is committed
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_case(case=case, actor=clerk)
        actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]))
        actions.claim_case(case=case, actor=officer)
        actions.resolve_case(case=case, actor=officer, result="已清理")
        actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True)
        actions.rate_case(case=case, actor=clerk, satisfaction="satisfied")
        actions.close_case(case=case, actor=clerk)
    assert heard == ["case_filed", "case_accepted", "case_dispatched", "case_claimed", "case_resolved",
                     "case_revisited", "case_rated", "case_closed"]


def test_a_refused_action_publishes_nothing(world, heard, django_capture_on_commit_callbacks):
    case = file_case(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        actions.accept_case(case=case, actor=world.users["clerk"])  # no category
    assert heard == []


def test_event_payload_carries_what_subscribers_need(world, django_capture_on_commit_callbacks):
    got = []
    subscribe("case_resolved", got.append, mode=Mode.COMMIT, key="test.payload")
    try:
        case = case_in_state(world, CaseStatus.IN_PROGRESS)
        with django_capture_on_commit_callbacks(execute=True):
            actions.resolve_case(case=case, actor=world.users["chengguan"], result="摊贩已劝离")
    finally:
        unsubscribe("test.payload")
    [event] = got
    row = CaseEvent.objects.get(case=case, type=EventType.RESOLVED)
    assert event.subject == "cases.case" and event.subject_id == case.pk
    assert event.key == f"cases.caseevent:{row.pk}"
    assert event.payload["note"] == "摊贩已劝离" and event.payload["number"] == case.number
    assert event.payload["reporter_id"] == case.reporter_id is not None


def test_a_failing_follower_does_not_undo_the_committed_change(world, django_capture_on_commit_callbacks):
    def broken(event):
        raise RuntimeError("follower bug")

    subscribe("case_filed", broken, mode=Mode.COMMIT, key="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = file_case(world)
    finally:
        unsubscribe("test.broken")
    assert Case.objects.filter(pk=case.pk).exists()


# ---------------------------------------------------------------------------------------------
# The plug-in app (wangge.testing.plugin, installed by the test settings only)
# ---------------------------------------------------------------------------------------------


MAILBOX = {"mailbox.answer_due"}  # the plug-in's reaction (others, e.g. the duplicate look, also wait)


def _mailbox_case_in_progress(world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, channel="mailbox")
    assert case.channel == "mailbox"
    return case


def test_durable_reaction_survives_a_process_that_dies_after_commit(world, django_capture_on_commit_callbacks):
    """The web process commits the resolution and dies before its after-commit work runs (the
    captured callbacks are thrown away): the reaction is in the table and a worker runs it once."""
    case = _mailbox_case_in_progress(world)
    with django_capture_on_commit_callbacks(execute=False):
        actions.resolve_case(case=case, actor=world.users["chengguan"], result="已在意见箱旁公示")
    assert PendingReaction.objects.filter(subscriber="mailbox.answer_due").count() == 1
    assert not CaseEvent.objects.filter(case=case, type="mailbox_answer_due").exists()

    assert run_pending_reactions(subscribers=MAILBOX) == 1
    assert run_pending_reactions(subscribers=MAILBOX) == 0  # once only
    entry = CaseEvent.objects.get(case=case, type="mailbox_answer_due")
    assert entry.actor_kind == "system" and "公示" in entry.note
    notice = Notification.objects.get(kind="mailbox")
    assert notice.recipient == world.users["clerk"] and notice.subject == case
    assert not PendingReaction.objects.filter(subscriber__in=MAILBOX).exists()


def test_a_failing_durable_reaction_is_retried_then_given_up(world, django_capture_on_commit_callbacks, monkeypatch):
    from wangge.core import events

    case = _mailbox_case_in_progress(world)
    with django_capture_on_commit_callbacks(execute=False):
        actions.resolve_case(case=case, actor=world.users["chengguan"], result="答复")
    sub = events.subscription("mailbox.answer_due")
    monkeypatch.setitem(events._subscriptions, "mailbox.answer_due",
                        events.Subscription(sub.event, lambda e: 1 / 0, sub.mode, sub.key))
    mailbox = PendingReaction.objects.filter(subscriber__in=MAILBOX)
    assert run_pending_reactions(subscribers=MAILBOX) == 0
    row = mailbox.get()
    assert row.attempts == 1 and "ZeroDivisionError" in row.last_error and not row.dead
    assert run_pending_reactions(subscribers=MAILBOX) == 0 and mailbox.get().attempts == 1  # backing off
    for _ in events.RETRY_DELAYS:
        mailbox.update(due_at=row.created_at)
        run_pending_reactions(subscribers=MAILBOX)
    assert mailbox.get().dead
    # the handler's half-written work was rolled back each time
    assert not CaseEvent.objects.filter(case=case, type="mailbox_answer_due").exists()
    monkeypatch.setitem(events._subscriptions, "mailbox.answer_due", sub)
    assert events.retry_dead_reactions() == 1
    assert run_pending_reactions(subscribers=MAILBOX) == 1
    assert CaseEvent.objects.filter(case=case, type="mailbox_answer_due").count() == 1


def test_a_plugged_in_channel_is_offered_and_checked(world, client):
    from wangge.cases.channels import channels

    assert "mailbox" in channels and channels.get("mailbox").icon == "mailbox"
    with pytest.raises(ActionForbidden):  # a resident cannot post into the box through the platform
        file_case(world, actor=Actor.of_resident(), channel="mailbox")
    with pytest.raises(InvalidInput):
        file_case(world, channel="carrier-pigeon")
    assert Case.objects.count() == 0


def test_other_apps_write_only_their_own_timeline_types(world):
    case = file_case(world)
    with pytest.raises(InvalidInput):
        actions.record_on_timeline(case=case, type=EventType.RESOLVED, actor=Actor.system())
    with pytest.raises(InvalidInput):
        actions.record_on_timeline(case=case, type="never-registered", actor=Actor.system())
    entry = actions.record_on_timeline(case=case, type="mailbox_answer_due", actor=world.users["clerk"],
                                       related=world.grids[0], note="已张贴")
    assert entry.related == world.grids[0] and entry.actor == world.users["clerk"]
    with pytest.raises(Exception) as refused:  # staff who cannot see the case: not found
        actions.record_on_timeline(case=case, type="mailbox_answer_due", actor=world.users["worker_b1"])
    assert getattr(refused.value, "status_code", None) == 404


# ---------------------------------------------------------------------------------------------
# Explicit actors and channels
# ---------------------------------------------------------------------------------------------


def test_residents_file_only_on_resident_channels(world):
    assert file_case(world, actor=Actor.of_resident(), channel=Channel.WEB).created_by is None
    with pytest.raises(ActionForbidden):
        file_case(world, actor=Actor.of_resident(), channel=Channel.HOTLINE)
    with pytest.raises(TypeError):  # nobody? say who acts
        actions.create_case(actor=None, channel=Channel.WEB, description="路灯不亮", region=world.grids[0])
    case = file_case(world, actor=Actor.of_integration("12345"), channel=Channel.HOTLINE_12345)
    assert case.events.get().actor_kind == "integration"
    with pytest.raises(ActionForbidden):
        file_case(world, actor=Actor.of_integration("12345"), channel=Channel.HOTLINE)


# ---------------------------------------------------------------------------------------------
# Idempotent intake
# ---------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_external_id_returns_the_case_already_filed(world):
    first = file_case(world, channel=Channel.HOTLINE_12345, actor=Actor.of_integration("12345"),
                      source="12345", external_id="BJ2026112900123")
    again = file_case(world, channel=Channel.HOTLINE_12345, actor=Actor.of_integration("12345"),
                      source="12345", external_id="BJ2026112900123", description="重复推送")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    other_source = file_case(world, source="wechat:wx1", external_id="BJ2026112900123")
    assert other_source.pk != first.pk


def test_api_idempotency_key_answers_a_retry_with_the_original_case(world, client):
    client.force_login(world.users["clerk"])
    lng, lat = world.point_in(world.grids[0])
    body = {"description": "路灯不亮", "longitude": lng, "latitude": lat}
    headers = {"HTTP_IDEMPOTENCY_KEY": "7f0c2b1e-retry"}
    first = client.post("/api/v1/cases/", body, content_type="application/json", **headers)
    again = client.post("/api/v1/cases/", body, content_type="application/json", **headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    # The same key from another client is another report.
    client.force_login(world.users["clerk2"])
    assert client.post("/api/v1/cases/", body, content_type="application/json", **headers).status_code == 201
    assert Case.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Residents on cases
# ---------------------------------------------------------------------------------------------


def test_cases_from_one_phone_hang_on_one_resident(world):
    a = file_case(world, reporter_phone="138 1234 1234")
    b = file_case(world, reporter_phone="13812341234")
    anonymous = file_case(world, reporter_anonymous=True)
    assert a.reporter_id == b.reporter_id is not None
    assert a.reporter.phone == "13812341234"
    assert anonymous.reporter is None


# ---------------------------------------------------------------------------------------------
# The hotline's one step, and the work queue for a phone app
# ---------------------------------------------------------------------------------------------


def test_file_and_dispatch_is_all_or_nothing(world):
    clerk = world.users["clerk"]
    with pytest.raises(InvalidInput) as refused:
        with transaction.atomic():
            actions.file_and_dispatch(actor=clerk, channel=Channel.HOTLINE, description="井盖缺失",
                                      region=world.grids[0], category=make_category())  # no department
    assert refused.value.fields == {"category": "no_department"}
    assert Case.objects.count() == 0
    case = actions.file_and_dispatch(actor=clerk, channel=Channel.HOTLINE, description="井盖缺失",
                                     region=world.grids[0],
                                     category=make_category(department=world.departments["huanwei"]))
    assert case.status == CaseStatus.DISPATCHED and case.lead_department == world.departments["huanwei"]


def test_work_queue_api_lists_what_waits_for_me(world, client):
    mine = case_in_state(world, CaseStatus.DISPATCHED)
    case_in_state(world, CaseStatus.ACCEPTED)  # the dispatcher's work, not the department's
    client.force_login(world.users["chengguan"])
    answer = client.get("/api/v1/queue/")
    assert answer.status_code == 200
    data = answer.json()
    assert [c["number"] for c in data["cases"]] == [mine.number]
    assert data["counts"]["total"] == 1
    assert selectors.work_queue(world.users["chengguan"]).rows == [mine]
    assert client.get("/api/v1/queue/?light=purple").status_code == 400


def test_reporter_reveals_are_on_the_residents_own_access_log(world):
    from wangge.residents.models import ResidentAccessLog

    case = file_case(world)
    assert actions.reveal_reporter(case=case, actor=world.users["clerk"])["phone"] == "13812341234"
    with pytest.raises(ActionForbidden):
        actions.reveal_reporter(case=case, actor=world.users["worker_a1"])  # sees the case, not the phone
    log = list(ResidentAccessLog.objects.filter(resident=case.reporter).order_by("pk")
               .values_list("user__username", "granted", "purpose"))
    assert log == [("clerk", True, f"case {case.number}"), ("worker_a1", False, f"case {case.number}")]


def test_erasing_a_resident_blanks_the_case_copies_but_keeps_the_cases(world):
    from wangge.residents.errors import OpenBusiness
    from wangge.residents.services import anonymise_resident

    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    with pytest.raises(OpenBusiness):  # a case still being handled
        anonymise_resident(resident=case.reporter, reason="PIPL request")
    case = actions.resolve_case(case=case, actor=world.users["chengguan"], result="已处理")
    close_after_revisit(case, world.users["clerk"])
    anonymise_resident(resident=case.reporter, reason="PIPL request")
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_phone, case.status) == ("", "", CaseStatus.CLOSED)
    assert Case.objects.count() == 1
