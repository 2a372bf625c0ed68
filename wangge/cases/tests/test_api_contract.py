"""What an integrator holds the case API to, beyond the happy path: an Idempotency-Key replays
only the same report, text input has the limits the schema shows, a filter or an ordering the
API does not know is a 400 (never silently ignored), every time is given in Asia/Shanghai, and
the work queue's size and an agreed deadline are checked as documented."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseStatus, EventType, Light
from wangge.cases.errors import InvalidInput
from wangge.cases.models import Case, CaseEvent
from wangge.cases.tasks import run_sweep
from wangge.testing import case_in_state, file_case, png

from .core_helpers import clock, joint_case, local  # noqa: F401 (fixture)
from .test_api import (  # noqa: F401 (fixture)
    LIST,
    as_user,
    assert_error,
    category,
    detail_url,
    new_case_payload,
    written_counts,
)

SHANGHAI = "+08:00"


def file_with_key(user, payload, key: str, fmt: str = "json", lang: str = "en"):
    return as_user(user, lang).post(LIST, payload, format=fmt, HTTP_IDEMPOTENCY_KEY=key)


# ---------------------------------------------------------------------------------------------
# 1. Idempotency-Key: the same report replays, another report under the same key is refused
# ---------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_the_same_report_replays(world):
    clerk = world.users["clerk"]
    first = file_with_key(clerk, new_case_payload(world), "k-1")
    assert first.status_code == 201
    # The same report, as a client library may send it again: keys in another order, spaces around.
    again = dict(reversed(list(new_case_payload(world, description=" 小区门口有流动摊贩占道经营，影响通行 ").items())))
    replay = file_with_key(clerk, again, "k-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["number"] == first.json()["number"] and Case.objects.count() == 1


@pytest.mark.parametrize("change", [
    {"description": "另一件事：路灯不亮"},
    {"address": "和平路2号"},
    {"reporter_phone": "13900001111"},
    {"dispatch_now": True},
])
def test_the_same_key_with_another_report_is_422_and_files_nothing(world, category, change):
    clerk = world.users["clerk"]
    payload = new_case_payload(world, category="road-stall")
    assert file_with_key(clerk, payload, "k-2").status_code == 201
    before = written_counts()
    error = assert_error(file_with_key(clerk, {**payload, **change}, "k-2"), 422, "idempotency_key_reused")
    assert "Idempotency-Key" in error["message"] and error["codes"] == {"Idempotency-Key": "reused"}
    assert written_counts() == before
    # The first report still answers a true retry.
    assert file_with_key(clerk, payload, "k-2").status_code == 200


def test_the_same_key_with_other_photos_is_refused(world):
    clerk = world.users["clerk"]
    payload = new_case_payload(world)
    assert file_with_key(clerk, {**payload, "attachments": [png("a.png")]}, "k-3", fmt="multipart").status_code == 201
    same = file_with_key(clerk, {**payload, "attachments": [png("a.png")]}, "k-3", fmt="multipart")
    assert same.status_code == 200
    before = written_counts()
    other = file_with_key(clerk, {**payload, "attachments": [png("b.png", colour="blue")]}, "k-3",
                          fmt="multipart")
    assert_error(other, 422, "idempotency_key_reused")
    assert written_counts() == before


def test_reusing_a_key_is_refused_in_chinese(world):
    clerk = world.users["clerk"]
    assert file_with_key(clerk, new_case_payload(world), "k-4").status_code == 201
    error = assert_error(file_with_key(clerk, new_case_payload(world, title="别的事"), "k-4", lang="zh-hans"), 422)
    assert "Idempotency-Key" in error["message"] and "诉求" in error["message"]


def test_an_over_long_key_is_blamed_on_the_header(world):
    before = written_counts()
    error = assert_error(file_with_key(world.users["clerk"], new_case_payload(world), "k" * 500), 400, "invalid")
    assert error["codes"] == {"Idempotency-Key": "too_long"}
    assert "Idempotency-Key" in error["message"] and "external" not in error["message"].lower()
    assert written_counts() == before


def test_other_channels_keep_replaying_an_edited_report_under_their_own_id(world):
    """A 12345 order imported again after it was edited, a WeChat MsgId pushed twice: the case
    already filed, as before — only the API's Idempotency-Key is strict."""
    clerk = world.users["clerk"]
    first = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD1"), format="json")
    edited = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD1",
                                                        description="修改后的诉求内容"), format="json")
    assert (first.status_code, edited.status_code) == (201, 200)
    assert edited.json()["number"] == first.json()["number"]


# ---------------------------------------------------------------------------------------------
# 2. Notes, reasons and results have limits, in the actions and in the schema
# ---------------------------------------------------------------------------------------------

LONG_NOTE = "n" * 2001


@pytest.mark.parametrize("status, user, action, data, field", [
    (CaseStatus.SUBMITTED, "clerk", "accept", {"category": "road-stall", "note": LONG_NOTE}, "note"),
    (CaseStatus.SUBMITTED, "clerk", "classify", {"star": 2, "note": LONG_NOTE}, "note"),
    (CaseStatus.SUBMITTED, "clerk", "urge", {"note": LONG_NOTE}, "note"),
    (CaseStatus.SUBMITTED, "clerk", "reject", {"reason": "r" * 2001}, "reason"),
    (CaseStatus.ACCEPTED, "clerk", "dispatch", {"lead": {"department": "@cg"}, "note": LONG_NOTE}, "note"),
    (CaseStatus.DISPATCHED, "chengguan", "claim", {"note": LONG_NOTE}, "note"),
    (CaseStatus.IN_PROGRESS, "chengguan", "progress", {"note": LONG_NOTE}, "note"),
    (CaseStatus.IN_PROGRESS, "chengguan", "resolve", {"result": "r" * 5001}, "result"),
    (CaseStatus.SUSPENDED, "chengguan", "resume", {"note": LONG_NOTE}, "note"),
    (CaseStatus.RESOLVED, "clerk", "close", {"note": LONG_NOTE}, "note"),
    (CaseStatus.RESOLVED, "clerk", "revisit", {"lawful": True, "in_place": True, "accepted": True,
                                                "note": LONG_NOTE}, "note"),
    (CaseStatus.RESOLVED, "clerk", "rate", {"satisfaction": "satisfied", "comment": "c" * 1001}, "comment"),
])
def test_over_long_text_on_an_action_endpoint_is_400_and_writes_nothing(world, category, status, user, action,
                                                                         data, field):
    case = case_in_state(world, status, category=category) if status != CaseStatus.SUBMITTED else file_case(world)
    if "lead" in data:
        data = {**data, "lead": {"department": world.departments["chengguan"].pk}}
    before = written_counts()
    response = as_user(world.users[user]).post(detail_url(case) + f"{action}/", data, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {field: "too_long"}, error
    assert written_counts() == before


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_an_over_long_note_on_an_extension_decision_is_400(world, category, decision):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    request = actions.request_extension(case=case, actor=world.users["chengguan"], working_days=2, reason="协调")
    before = written_counts()
    response = as_user(world.users["clerk"]).post(detail_url(case) + f"extensions/{request.pk}/{decision}/",
                                                  {"note": LONG_NOTE}, format="json")
    assert assert_error(response, 400, "invalid")["codes"] == {"note": "too_long"}
    assert written_counts() == before


def test_a_note_at_the_limit_is_kept_whole(world):
    case = file_case(world)
    response = as_user(world.users["clerk"]).post(detail_url(case) + "urge/", {"note": "n" * 2000}, format="json")
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["note"] == "n" * 2000


# The actions themselves refuse it — the web, imports and other apps call them without a serializer.
ACTION_CALLS = {
    "accept": lambda w, case, note: actions.accept_case(case=case, actor=w.users["clerk"], note=note),
    "classify": lambda w, case, note: actions.classify_case(case=case, actor=w.users["clerk"], star=3, note=note),
    "urge": lambda w, case, note: actions.urge_case(case=case, actor=w.users["clerk"], note=note),
    "dispatch": lambda w, case, note: actions.dispatch_case(
        case=actions.accept_case(case=case, actor=w.users["clerk"]), actor=w.users["clerk"],
        lead=Target(department=w.departments["chengguan"]), note=note),
    "close": lambda w, case, note: actions.close_case(
        case=revisited(w, case_in_state(w, CaseStatus.RESOLVED, category=case.category)), actor=w.users["clerk"],
        note=note, rating_declined=True),
    "claim": lambda w, case, note: actions.claim_case(
        case=case_in_state(w, CaseStatus.DISPATCHED, category=case.category), actor=w.users["chengguan"], note=note),
    "report_in": lambda w, case, note: actions.report_in(
        case=joint_case(w, CaseStatus.DISPATCHED, category=case.category), actor=w.users["huanwei"], note=note),
    "resume": lambda w, case, note: actions.resume_case(
        case=case_in_state(w, CaseStatus.SUSPENDED, category=case.category), actor=w.users["chengguan"], note=note),
    "merge": lambda w, case, note: actions.merge_case(case=case, into=file_case(w), actor=w.users["clerk"],
                                                      note=note),
}


def revisited(world, case):
    """回访 recorded: the case may be closed (the closing rule)."""
    return actions.revisit_case(case=case, actor=world.users["clerk"], lawful=True, in_place=True, accepted=True)


@pytest.mark.parametrize("name", list(ACTION_CALLS))
def test_the_actions_refuse_an_over_long_note(world, category, name):
    case = file_case(world, category=category)
    with pytest.raises(InvalidInput) as refused:
        ACTION_CALLS[name](world, case, LONG_NOTE)
    assert refused.value.fields == {"note": "too_long"}
    assert not CaseEvent.objects.filter(note=LONG_NOTE).exists()


def test_the_schema_shows_the_text_limits(world):
    schemas = as_user(world.users["clerk"]).get("/api/schema/?format=json").json()["components"]["schemas"]
    create = schemas["CaseCreateRequest"]["properties"]
    assert {name: create[name].get("maxLength") for name in ("title", "description", "address", "reporter_name")} \
        == {"title": 120, "description": 5000, "address": 200, "reporter_name": 50}
    assert schemas["NoteRequest"]["properties"]["note"]["maxLength"] == 2000
    assert schemas["ReasonRequest"]["properties"]["reason"]["maxLength"] == 2000
    assert schemas["ProgressRequest"]["properties"]["note"]["maxLength"] == 2000
    assert schemas["ResolveRequest"]["properties"]["result"]["maxLength"] == 5000


# ---------------------------------------------------------------------------------------------
# 3. Filters and ordering: the usual yes/no spellings, and a 400 for anything else
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def open_and_closed(world, category):
    return {"open": file_case(world), "closed": case_in_state(world, CaseStatus.CLOSED, category=category)}


@pytest.mark.parametrize("value, expected", [
    ("true", "open"), ("1", "open"), ("yes", "open"), ("YES", "open"), ("True", "open"),
    ("false", "closed"), ("0", "closed"), ("no", "closed"), ("No", "closed"),
])
def test_is_open_takes_the_usual_spellings(world, open_and_closed, value, expected):
    response = as_user(world.users["clerk"]).get(LIST, {"is_open": value})
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [open_and_closed[expected].number]


@pytest.mark.parametrize("query", ["is_open=maybe", "overdue=banana", "is_open=2", "overdue=t"])
def test_a_yes_no_filter_it_cannot_read_is_a_400(world, open_and_closed, query):
    name = query.split("=")[0]
    error = assert_error(as_user(world.users["clerk"]).get(f"{LIST}?{query}"), 400, "invalid")
    assert error["codes"] == {name: "invalid_choice"}


def test_a_yes_no_filter_error_speaks_chinese(world):
    error = assert_error(as_user(world.users["clerk"], "zh-hans").get(f"{LIST}?overdue=banana"), 400)
    assert "true" in error["message"] and "请" in error["message"]


def test_overdue_yes_lists_only_the_red_open_cases(world, open_and_closed):
    Case.objects.filter(pk=open_and_closed["open"].pk).update(light=Light.RED)
    response = as_user(world.users["clerk"]).get(LIST, {"overdue": "yes"})
    assert [row["number"] for row in response.json()["results"]] == [open_and_closed["open"].number]


@pytest.mark.parametrize("ordering", ["bogus", "-bogus", "number,bogus", "reporter_phone", "title"])
def test_an_unknown_ordering_is_a_400_naming_the_allowed_ones(world, open_and_closed, ordering):
    error = assert_error(as_user(world.users["clerk"]).get(LIST, {"ordering": ordering}), 400, "invalid")
    assert error["codes"] == {"ordering": "invalid_choice"}
    assert all(name in error["message"] for name in ("submitted_at", "resolve_due_at", "-number"))


def test_known_orderings_still_sort(world, open_and_closed):
    client = as_user(world.users["clerk"])
    ascending = [row["number"] for row in client.get(LIST, {"ordering": "number"}).json()["results"]]
    assert ascending == sorted(ascending) and len(ascending) == 2
    assert client.get(LIST, {"ordering": "-number,submitted_at"}).status_code == 200
    assert client.get(LIST, {"ordering": ""}).status_code == 200


def test_the_schema_lists_the_orderings(world):
    schema = as_user(world.users["clerk"]).get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    ordering = parameters["ordering"]
    # A comma-separated list of these, as the list reads it (number,-submitted_at).
    assert (ordering["schema"]["type"], ordering["style"], ordering["explode"]) == ("array", "form", False)
    assert set(ordering["schema"]["items"]["enum"]) == {
        "submitted_at", "-submitted_at", "resolve_due_at", "-resolve_due_at", "number", "-number"}


def test_several_orderings_sort_first_one_first(world, category):
    older = file_case(world)
    newer = file_case(world)
    Case.objects.filter(pk__in=[older.pk, newer.pk]).update(resolve_due_at=older.resolve_due_at)
    client = as_user(world.users["clerk"])
    rows = client.get(LIST, {"ordering": "resolve_due_at,-number"}).json()["results"]
    assert [row["number"] for row in rows] == sorted([older.number, newer.number], reverse=True)
    rows = client.get(LIST, {"ordering": "resolve_due_at,number"}).json()["results"]
    assert [row["number"] for row in rows] == sorted([older.number, newer.number])


# ---------------------------------------------------------------------------------------------
# 4. Every time the API gives is in Asia/Shanghai
# ---------------------------------------------------------------------------------------------


def test_the_queue_gives_extension_request_times_in_shanghai(world, category):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    request = actions.request_extension(case=case, actor=world.users["chengguan"], working_days=2, reason="协调")
    extensions = as_user(world.users["clerk"]).get("/api/v1/queue/").json()["extensions"]
    assert [e["id"] for e in extensions] == [request.pk]
    given = extensions[0]["requested_at"]
    assert given.endswith(SHANGHAI) and dt.datetime.fromisoformat(given) == request.requested_at


def test_timeline_data_times_are_in_shanghai_and_the_stored_data_is_unchanged(world, clock):
    clock.set(local("2026-11-24 10:00"))
    case = file_case(world)
    run_sweep(now=timezone.now() + dt.timedelta(seconds=50))  # the accept light turns amber
    event = CaseEvent.objects.get(case=case, type=EventType.LIGHT_CHANGED)
    stored = dict(event.data)
    timeline = as_user(world.users["clerk"]).get(detail_url(case)).json()["timeline"]
    due = next(e for e in timeline if e["type"] == "light_changed")["data"]["due"]
    assert due.endswith(SHANGHAI)
    assert dt.datetime.fromisoformat(due) == dt.datetime.fromisoformat(stored["due"])
    event.refresh_from_db()
    assert event.data == stored


def test_deadline_changes_on_the_timeline_are_in_shanghai(world, category):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=category)
    due = (timezone.now() + dt.timedelta(days=20)).astimezone(dt.UTC).replace(microsecond=0)
    actions.agree_deadline(case=case, actor=world.users["clerk"], due_at=due, reason="协商会议定")
    timeline = as_user(world.users["clerk"]).get(detail_url(case)).json()["timeline"]
    old, new = next(e for e in timeline if e["type"] == EventType.DEADLINE_AGREED)["data"]["resolve_due_at"]
    assert old.endswith(SHANGHAI) and new.endswith(SHANGHAI)
    assert dt.datetime.fromisoformat(new) == due


# ---------------------------------------------------------------------------------------------
# 5. The queue's size and an agreed deadline are checked as documented
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["0", "-5", "201", "100000"])
def test_a_queue_size_out_of_range_is_a_400(world, size):
    error = assert_error(as_user(world.users["clerk"]).get("/api/v1/queue/", {"size": size}), 400, "invalid")
    assert error["codes"] == {"size": "out_of_range"} and "200" in error["message"]


@pytest.mark.parametrize("size", ["1", "200"])
def test_a_queue_size_in_range_is_taken(world, size):
    assert as_user(world.users["clerk"]).get("/api/v1/queue/", {"size": size}).status_code == 200


def test_the_schema_gives_the_queue_size_range(world):
    schema = as_user(world.users["clerk"]).get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/queue/"]["get"]["parameters"]}
    assert (parameters["size"]["schema"]["minimum"], parameters["size"]["schema"]["maximum"]) == (1, 200)
    extension = schema["components"]["schemas"]["QueueExtension"]["properties"]
    assert extension["requested_at"]["format"] == "date-time"


def test_an_extension_request_says_the_deadline_it_would_set(world, category):
    """延期 over 国庆: a case due 2025-09-30 asks for 3 working days; the official calendar (1–8
    October off, Saturday the 11th worked) makes that 2025-10-11 — shown to the requester in the
    case's detail and to the decider in the queue, and set so by the approval."""
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    Case.objects.filter(pk=case.pk).update(resolve_due_at=dt.datetime.fromisoformat("2025-09-30T17:00:00+08:00"))
    case.refresh_from_db()
    actions.request_extension(case=case, actor=world.users["chengguan"], working_days=3, reason="等待材料")
    expected = {"current": "2025-09-30T17:00:00+08:00", "if_granted": "2025-10-11T23:59:59+08:00",
                "provisional": False}
    detail = as_user(world.users["chengguan"]).get(detail_url(case)).json()
    assert detail["extension_requests"][0]["deadlines"] == expected
    queue = as_user(world.users["clerk"]).get("/api/v1/queue/").json()
    assert [e["deadlines"] for e in queue["extensions"] if e["case"] == case.number] == [expected]
    actions.decide_extension(request=case.extension_requests.get(), actor=world.users["clerk"], approve=True)
    case.refresh_from_db()
    assert timezone.localtime(case.resolve_due_at).isoformat() == expected["if_granted"]
    # Decided, there is no deadline it would set any more.
    assert as_user(world.users["chengguan"]).get(detail_url(case)).json()["extension_requests"][0]["deadlines"] is None


def test_the_schema_shows_an_extensions_deadlines(world):
    schemas = as_user(world.users["clerk"]).get("/api/schema/?format=json").json()["components"]["schemas"]
    assert set(schemas["ExtensionDeadlines"]["properties"]) == {"current", "if_granted", "provisional"}
    assert schemas["ExtensionDeadlines"]["properties"]["if_granted"]["format"] == "date-time"
    for name in ("ExtensionRequest", "QueueExtension"):
        field = schemas[name]["properties"]["deadlines"]
        assert field["readOnly"] and field.get("nullable")
        assert field["allOf"] == [{"$ref": "#/components/schemas/ExtensionDeadlines"}]


@pytest.mark.parametrize("shape", ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"])
def test_an_agreed_deadline_without_a_time_zone_is_a_400(world, category, shape):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=category)
    due_at = (timezone.localtime() + dt.timedelta(days=20)).strftime(shape)  # a valid deadline but for its zone
    before = written_counts()
    response = as_user(world.users["clerk"]).post(detail_url(case) + "agree-deadline/",
                                                  {"due_at": due_at, "reason": "协商会议定"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"due_at": "no_time_zone"}
    assert written_counts() == before


def test_an_agreed_deadline_with_a_time_zone_is_taken(world, category):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=category)
    due = (timezone.localtime() + dt.timedelta(days=20)).replace(microsecond=0)
    response = as_user(world.users["clerk"]).post(detail_url(case) + "agree-deadline/",
                                                  {"due_at": due.isoformat(), "reason": "协商会议定"}, format="json")
    assert response.status_code == 200
    assert dt.datetime.fromisoformat(response.json()["resolve_due_at"]) == due
