"""One endpoint per action (POST /api/v1/cases/{number}/{action}/): whole lifecycles through the
API, and for each kind of refusal — wrong state (400 invalid_state), not allowed (403), not
visible (404), bad input (400) — a clear JSON error and nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.api.views import CASE_ACTIONS
from wangge.cases.choices import CaseStatus, EventType, ExtensionStatus
from wangge.cases.models import Case, ExtensionRequest
from wangge.cases.transitions import TRANSITIONS
from wangge.testing import case_in_state, file_case, make_category

from .test_api import LIST, as_user, assert_error, category, detail_url, new_case_payload, png, written_counts  # noqa: F401


def post(user, case, action: str, data=None, fmt: str = "json", lang: str = "en"):
    return as_user(user, lang).post(detail_url(case) + f"{action}/", data or {}, format=fmt)


def ok(response) -> dict:
    assert response.status_code == 200, (response.status_code, response.content[:600])
    return response.json()


def test_every_action_has_an_endpoint():
    slugs = {spec.slug.replace("-", "_") for spec in CASE_ACTIONS}
    # Extension decisions have their own endpoint: extensions/{id}/approve|deny.
    assert slugs | {"decide_extension"} == set(TRANSITIONS)


def test_joint_case_through_its_whole_life(world, category):
    """File → accept → dispatch with a co-handler (吹哨) → report in → claim → progress with a photo →
    extension asked and approved → suspend → resume → resolve with a photo → revisit (三看) →
    rate → close. Each answer is the updated case."""
    clerk, officer, huanwei = world.users["clerk"], world.users["chengguan"], world.users["huanwei"]
    created = as_user(clerk).post(LIST, new_case_payload(world), format="json")
    assert created.status_code == 201
    case = created.json()["number"]

    body = ok(post(clerk, case, "accept", {"category": "road-stall", "star": 2, "note": "受理"}))
    assert (body["status"], body["star"], body["category"]["name"]) == ("accepted", 2, "占道经营")
    body = ok(post(clerk, case, "dispatch", {
        "lead": {"department": world.departments["chengguan"].pk},
        "co_handlers": [{"department": world.departments["huanwei"].pk}],
        "note": "联合处置",
    }))
    assert body["status"] == "dispatched"
    assert {(a["role"], a["target"]["name"]) for a in body["assignments"] if a["active"]} == {
        ("lead", "区城管执法局"), ("assist", "区环卫中心")}
    assert "report_in" in as_user(huanwei).get(detail_url(case)).json()["available_actions"]

    body = ok(post(huanwei, case, "report-in", {"note": "环卫已报到"}))
    assert next(a for a in body["assignments"] if a["role"] == "assist")["reported_in_at"]
    assert ok(post(officer, case, "claim"))["status"] == "in_progress"

    body = ok(post(officer, case, "progress", {"note": "已到场处置", "public": "true",
                                                "attachments": [png("scene.png")]}, fmt="multipart"))
    progress = body["timeline"][-1]
    assert (progress["type"], progress["note"], progress["public"]) == ("progress", "已到场处置", True)
    assert progress["attachments"][0]["original_name"] == "scene.png"

    due_before = body["resolve_due_at"]
    body = ok(post(officer, case, "request-extension", {"working_days": 3, "reason": "需协调物业"}))
    pending = [e for e in body["extension_requests"] if e["status"] == "pending"]
    assert len(pending) == 1 and pending[0]["working_days"] == 3
    body = ok(as_user(clerk).post(detail_url(case) + f"extensions/{pending[0]['id']}/approve/", {"note": "同意"},
                                  format="json"))
    assert body["extension_requests"][0]["status"] == "approved"
    assert body["resolve_due_at"] > due_before

    body = ok(post(officer, case, "suspend", {"reason": "等待业主回复"}))
    assert body["status"] == "suspended"
    assert {d["stage"]: d["state"] for d in body["deadlines"]}["resolve"] == "paused"
    assert ok(post(officer, case, "resume"))["status"] == "in_progress"

    body = ok(post(officer, case, "resolve", {"result": "已清理摊贩，恢复通行",
                                               "attachments": [png("after.png")]}, fmt="multipart"))
    assert (body["status"], body["result"]) == ("resolved", "已清理摊贩，恢复通行")
    assert body["timeline"][-1]["attachments"][0]["content_type"] == "image/png"

    body = ok(post(clerk, case, "revisit", {"lawful": True, "in_place": True, "accepted": True, "note": "电话回访"}))
    assert body["revisit"] == {"revisited_at": body["revisit"]["revisited_at"], "lawful": True, "in_place": True,
                               "accepted": True}
    body = ok(post(clerk, case, "rate", {"satisfaction": "satisfied", "comment": "处理及时"}))
    assert body["satisfaction"] == "satisfied"
    body = ok(post(clerk, case, "close", {"note": "结案"}))
    assert body["status"] == "closed" and body["available_actions"] == ["reopen"]

    assert [e["type"] for e in body["timeline"]] == [
        "created", "accepted", "dispatched", "reported_in", "claimed", "progress", "extension_requested",
        "extension_approved", "suspended", "resumed", "resolved", "revisited", "rated", "closed"]
    assert Case.objects.get(number=case).status == CaseStatus.CLOSED


def test_reject_classify_and_urge(world, category):
    clerk = world.users["clerk"]
    case = file_case(world)
    heating = make_category("供暖", code="heating", department=world.departments["huanwei"], star=2)
    body = ok(post(clerk, case, "classify", {"category": heating.pk, "handling_type": "coordination"}))
    assert (body["category"]["name"], body["star"], body["handling_type"]) == ("供暖", 2, "coordination")
    assert body["timeline"][-1]["type"] == "classified"
    body = ok(post(clerk, case, "urge", {"note": "尽快受理"}))
    assert body["urge_count"] == 1
    body = ok(post(clerk, case, "reject", {"reason": "重复来电"}))
    assert body["status"] == "rejected" and body["timeline"][-1]["note"] == "重复来电"


def test_dispatch_to_a_community_which_passes_it_on_and_a_department_returns_it(world, category):
    clerk, secretary, officer = world.users["clerk"], world.users["secretary_a"], world.users["chengguan"]
    case = case_in_state(world, CaseStatus.ACCEPTED, category=category)
    body = ok(post(clerk, case, "dispatch", {"lead": {"region": world.communities[0].pk}}))
    assert body["current_level"] == "community"
    body = ok(post(secretary, case, "redispatch", {"lead": {"department": world.departments["chengguan"].pk}}))
    assert body["timeline"][-1]["data"]["redispatch"] is True
    body = ok(post(officer, case, "return", {"reason": "不属于本部门职责"}))
    assert body["status"] == "accepted"
    assert not any(a["active"] for a in body["assignments"])


def test_escalate_then_unsatisfied_rating_reopens_and_reopen_after_close(world, category):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    body = ok(post(officer, case, "escalate", {"reason": "需区级协调"}))
    assert (body["status"], body["escalation_count"]) == ("accepted", 1)

    resolved = case_in_state(world, CaseStatus.RESOLVED, category=category)
    body = ok(post(clerk, resolved, "rate", {"satisfaction": "unsatisfied", "comment": "摊贩又回来了"}))
    assert body["status"] == "dispatched" and body["reopen_count"] == 1
    assert [e["type"] for e in body["timeline"]][-2:] == ["rated", "reopened"]

    closed = case_in_state(world, CaseStatus.CLOSED, category=category)
    body = ok(post(clerk, closed, "reopen", {"reason": "居民再次反映"}))
    assert body["status"] == "dispatched" and body["closed_at"] is None


def test_merge_a_duplicate_and_deny_an_extension(world, category):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    keep, duplicate = file_case(world), file_case(world)
    body = ok(post(clerk, duplicate, "merge", {"into": keep.number.lower(), "note": "同一摊贩"}))
    assert (body["status"], body["merged_into"]) == ("merged", keep.number)
    assert as_user(clerk).get(detail_url(keep)).json()["timeline"][-1]["type"] == "duplicate_merged"

    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    request = actions.request_extension(case=case, actor=officer, working_days=2, reason="材料未到")
    body = ok(as_user(clerk).post(detail_url(case) + f"extensions/{request.pk}/deny/", {}, format="json"))
    assert body["extension_requests"][0]["status"] == "denied"
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionStatus.DENIED
    # Decided already: a second decision is a wrong-state error.
    again = as_user(clerk).post(detail_url(case) + f"extensions/{request.pk}/approve/", {}, format="json")
    assert_error(again, 400, "invalid_state")


# ---------------------------------------------------------------------------------------------
# Refusals: each a clear JSON error, nothing written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, action, data",
    [
        # The state is refused before the input is even looked at.
        (CaseStatus.SUBMITTED, "dispatch", {"lead": "nonsense"}),
        (CaseStatus.SUBMITTED, "close", {}),
        (CaseStatus.ACCEPTED, "accept", {}),
        (CaseStatus.REJECTED, "urge", {}),
        (CaseStatus.CLOSED, "merge", {"into": "(another open case)"}),
        (CaseStatus.RESOLVED, "suspend", {"reason": "天气"}),
        (CaseStatus.CLOSED, "rate", {"satisfaction": "satisfied"}),
        (CaseStatus.DISPATCHED, "resume", {}),
        (CaseStatus.RESOLVED, "escalate", {"reason": "x"}),
    ],
)
def test_wrong_state_is_400_invalid_state_and_writes_nothing(world, category, status, action, data):
    case = case_in_state(world, status, category=category)
    if action == "merge":
        data = {"into": file_case(world).number}
    before = written_counts()
    error = assert_error(post(world.users["admin"], case, action, data), 400, "invalid_state")
    assert "cannot be" in error["message"]
    assert written_counts() == before


def joint_in_progress(world, category):
    """In progress with lead 城管 and co-handler 环卫 (吹哨报到)."""
    clerk = world.users["clerk"]
    case = actions.accept_case(case=file_case(world, category=category), actor=clerk)
    case = actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["chengguan"]),
                                 co_handlers=[Target(department=world.departments["huanwei"])])
    return actions.claim_case(case=case, actor=world.users["chengguan"])


@pytest.mark.parametrize(
    "user, action, data",
    [
        ("worker_a1", "accept", {}),  # sees the case in their grid, but does not dispatch
        ("worker_a1", "reject", {"reason": "x"}),
        ("chengguan", "close", {}),
        ("chengguan", "urge", {}),
        ("huanwei", "resolve", {"result": "x"}),  # a co-handler, not the lead
        ("huanwei", "return", {"reason": "x"}),
        ("secretary_a", "resolve", {"result": "x"}),
    ],
)
def test_not_allowed_is_403_and_writes_nothing(world, category, user, action, data):
    case = file_case(world) if action in ("accept", "reject") else joint_in_progress(world, category)
    before = written_counts()
    assert_error(post(world.users[user], case, action, data), 403, "forbidden")
    assert written_counts() == before


@pytest.mark.parametrize("action", ["accept", "reject", "urge", "merge", "reveal-reporter"])
def test_a_case_outside_scope_is_404_like_a_missing_one(world, action):
    case = file_case(world, grid=world.grids[0])
    other_grid_worker = world.users["worker_b1"]
    before = written_counts()
    # Each action with a body it takes (reveal-reporter takes none, and refuses one before it looks).
    body = {} if action == "reveal-reporter" else {"reason": "x", "into": case.number}
    hidden = post(other_grid_worker, case, action, body)
    missing = post(other_grid_worker, "WG20990101-00001", action, {k: v for k, v in body.items() if k == "reason"})
    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
    assert written_counts() == before


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")


@pytest.mark.parametrize(
    "status, action, data, fmt, field",
    [
        (CaseStatus.ACCEPTED, "dispatch", {}, "json", "lead"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {}}, "json", "lead"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": "two"}}, "json", "lead.department"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": 10**12}}, "json", "lead.department"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"user": 10**30}}, "json", "lead.user"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": "城管"}, "json", "lead"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": "@cg"}, "co_handlers": [{"region": -1}]},
         "json", "co_handlers.0.region"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": "@cg"}, "co_handlers": {"a": 1}}, "json",
         "co_handlers"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": "@cg", "user": "@clerk"}}, "json", "lead"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"department": "@cg"}, "co_handlers": [{"department": "@cg"}]},
         "json", "co_handlers"),
        (CaseStatus.ACCEPTED, "dispatch", {"lead": {"region": "@city"}}, "json", "region"),
        (CaseStatus.SUBMITTED, "accept", {"category": "nope"}, "json", "category"),
        (CaseStatus.SUBMITTED, "accept", {}, "json", "category"),  # none given, none before
        (CaseStatus.SUBMITTED, "classify", {}, "json", "category"),  # nothing to change
        (CaseStatus.SUBMITTED, "reject", {}, "json", "reason"),
        (CaseStatus.SUBMITTED, "reject", {"reason": "   "}, "json", "reason"),
        (CaseStatus.SUBMITTED, "reject", {"reason": "x" * 50_000}, "json", "reason"),
        (CaseStatus.IN_PROGRESS, "request-extension", {"working_days": "abc", "reason": "x"}, "json",
         "working_days"),
        (CaseStatus.IN_PROGRESS, "request-extension", {"working_days": 31, "reason": "x"}, "json", "working_days"),
        (CaseStatus.IN_PROGRESS, "request-extension", {"working_days": 0, "reason": "x"}, "json", "working_days"),
        (CaseStatus.IN_PROGRESS, "resolve", {}, "json", "result"),
        (CaseStatus.IN_PROGRESS, "resolve", {"result": "好了", "attachments": "@pdf"}, "multipart", "attachments"),
        (CaseStatus.IN_PROGRESS, "progress", {"note": ""}, "json", "note"),
        (CaseStatus.RESOLVED, "revisit", {"lawful": True}, "json", "in_place"),
        (CaseStatus.RESOLVED, "revisit", {"lawful": "maybe", "in_place": True, "accepted": True}, "json", "lawful"),
        (CaseStatus.RESOLVED, "rate", {"satisfaction": "meh"}, "json", "satisfaction"),
        (CaseStatus.RESOLVED, "rate", {}, "json", "satisfaction"),
        (CaseStatus.SUBMITTED, "merge", {}, "json", "into"),
        (CaseStatus.SUBMITTED, "merge", {"into": "@self"}, "json", "into"),
        (CaseStatus.SUBMITTED, "merge", {"into": ["x"]}, "json", "into"),
    ],
)
def test_bad_action_input_is_400_and_writes_nothing(world, category, status, action, data, fmt, field):
    case = case_in_state(world, status, category=category) if action != "accept" else file_case(world)
    refs = {"@cg": world.departments["chengguan"].pk, "@clerk": world.users["clerk"].pk,
            "@city": world.city.pk, "@self": case.number, "@pdf": _pdf()}

    def resolve(value):
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return refs.get(value, value) if isinstance(value, str) else value

    handler_actions = ("resolve", "progress", "request-extension")
    user = world.users["chengguan" if action in handler_actions else "admin"]
    before = written_counts()
    error = assert_error(post(user, case, action, resolve(data), fmt=fmt), 400, "invalid")
    assert field in error["fields"], error
    assert written_counts() == before


def test_merge_into_an_unknown_or_hidden_case_is_404(world):
    clerk_case = file_case(world, grid=world.grids[0])
    hidden = file_case(world, grid=world.grids[2])
    error = assert_error(post(world.users["clerk"], clerk_case, "merge", {"into": "WG20990101-00009"}), 404)
    assert error["codes"] == {"into": "not_found"}
    secretary = world.users["secretary_a"]
    before = written_counts()
    assert_error(post(secretary, clerk_case, "merge", {"into": hidden.number}), 404, "not_found")
    assert written_counts() == before


def test_extension_of_another_case_is_404(world, category):
    officer = world.users["chengguan"]
    a = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    b = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    request = actions.request_extension(case=a, actor=officer, working_days=2, reason="材料未到")
    response = as_user(world.users["clerk"]).post(detail_url(b) + f"extensions/{request.pk}/approve/", {},
                                                  format="json")
    assert_error(response, 404, "not_found")
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionStatus.PENDING


def test_action_endpoints_need_authentication(world):
    case = file_case(world)
    assert_error(as_user().post(detail_url(case) + "accept/", {}, format="json"), 401, "not_authenticated")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_after_an_action_the_answer_is_the_case_as_the_actor_sees_it(world, category):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=category)
    body = ok(post(world.users["chengguan"], case, "claim", {"note": "收到"}))
    assert body["status"] == "in_progress"
    assert set(body["available_actions"]) >= {"resolve", "progress", "request_extension", "suspend"}
    assert body["timeline"][-1]["type"] == EventType.CLAIMED and body["timeline"][-1]["note"] == "收到"
