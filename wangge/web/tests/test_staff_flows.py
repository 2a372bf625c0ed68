"""What a reviewer walking the desktop staff flows found: the department's cases in hand, photos
that a refused form cannot keep, the extension decision's reason and outcome, the patrol panel's
heading, the maps' zoom buttons and the hotline's address box."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType, ExtensionStatus
from wangge.cases.models import Case, CaseEvent, ExtensionRequest
from wangge.testing import case_in_state, file_case
from wangge.web import desk_queries

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

PHOTOS_LOST = "为了安全，刚才选择的照片没有保留，请重新选择。"


def action_url(case, action) -> str:
    return reverse("web:case_action", args=[case.number, action])


def detail_url(case) -> str:
    return reverse("web:case_detail", args=[case.number])


def photo(name="p.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def due_in(case, days: float) -> None:
    # The deadline itself is the action's business; the test only needs them in a known order.
    Case.objects.filter(pk=case.pk).update(resolve_due_at=timezone.now() + dt.timedelta(days=days))


# --------------------------------------------------------------------------------------------
# 1. 部门待办: 在办
# --------------------------------------------------------------------------------------------


def test_a_claimed_case_stays_on_the_department_desk_in_hand(world, login, categories):
    later = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    sooner = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    paused = case_in_state(world, CaseStatus.SUSPENDED, category=categories["street"])
    due_in(later, 7)
    due_in(sooner, 2)
    not_claimed = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    resolved = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    response = login(world.users["chengguan"]).get(reverse("web:home"))
    page = response.content.decode()
    section = page.split('data-testid="in-hand"')[1].split("</section>")[0]
    assert "在办" in page and 'data-testid="count-in-hand">3<' in page
    # Nearest deadline first; the paused one (no running deadline) last.
    numbers = list(dict.fromkeys(re.findall(r"WG\d{8}-\d{5}", section)))
    assert numbers == [sooner.number, later.number, paused.number]
    assert not_claimed.number not in section and resolved.number not in section
    # Another department does not see them.
    other = login(world.users["huanwei"]).get(reverse("web:home")).content.decode()
    assert later.number not in other


def test_cases_in_hand_come_a_page_at_a_time(world, login, categories, monkeypatch):
    monkeypatch.setattr(desk_queries, "IN_HAND_PAGE", 2)
    cases = [case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"]) for _ in range(3)]
    for days, case in enumerate(cases, start=1):
        due_in(case, days)
    client = login(world.users["chengguan"])
    first = client.get(reverse("web:home")).context["d"]
    assert [c.number for c in first.in_hand] == [cases[0].number, cases[1].number]
    page = client.get(reverse("web:home")).content.decode()
    assert 'href="?page=2#in-hand"' in page and "第 1 / 2 页" in page
    second = client.get(reverse("web:home") + "?page=2")
    assert [c.number for c in second.context["d"].in_hand] == [cases[2].number]
    # A page past the end shows the last one, not an empty list.
    assert [c.number for c in client.get(reverse("web:home") + "?page=9").context["d"].in_hand] == [cases[2].number]


def test_department_desk_query_count_does_not_grow_with_cases(world, login, categories):
    client = login(world.users["chengguan"])

    def queries_for_home() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("web:home")).status_code == 200
        return len(ctx.captured_queries)

    for status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
        case_in_state(world, status, category=categories["street"])
    queries_for_home()  # the first request also reads what is cached for the session
    few = queries_for_home()
    # The led cases' counts in one aggregate, the co-handled in another; each list a page of ids,
    # then its cases (the ids from an index alone on PostgreSQL).
    assert few <= 22
    for status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
        case_in_state(world, status, category=categories["street"])
    assert queries_for_home() == few


# --------------------------------------------------------------------------------------------
# 2. Photos a refused form cannot keep; the located place comes back
# --------------------------------------------------------------------------------------------


def test_hotline_refused_with_a_photo_says_to_choose_it_again_and_keeps_the_place(world, login, categories):
    client = login(world.users["clerk"])
    data = {"reporter_phone": "13900001111", "description": "", "category": categories["street"].pk,
            "grid": world.grids[1].pk, "address": "和平路8号", "attachments": photo()}
    response = client.post("/cases/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert 'data-testid="photos-lost"' in page
    assert page.count(PHOTOS_LOST) == 2  # at the top and at the field
    assert re.search(r'<details class="field more"\s+open', page)  # the field is in sight
    status = page.split('data-testid="address-status">')[1].split("</p>")[0]
    assert status.startswith("已定位到：") and world.grids[1].name in status
    assert 'value="和平路8号"' in page
    # Without a file there is nothing to choose again.
    data.pop("attachments")
    assert PHOTOS_LOST not in client.post("/cases/new/", data).content.decode()


def test_hotline_refused_keeps_a_map_point(world, login, categories):
    lng, lat = world.point_in(world.grids[3])
    page = login(world.users["clerk"]).post("/cases/new/", {
        "description": "", "grid": world.grids[3].pk, "longitude": lng, "latitude": lat}).content.decode()
    assert f'name="longitude" value="{lng}"' in page and f'name="latitude" value="{lat}"' in page
    assert "已定位到：" in page


def test_resolve_refused_with_a_photo_says_to_choose_it_again(world, login, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    client = login(world.users["chengguan"])
    response = client.post(action_url(case, "resolve"), {"resolve-result": "", "resolve-photos": photo()})
    page = response.content.decode()
    assert response.status_code == 200 and page.count(PHOTOS_LOST) == 2
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.attachments.count() == 0
    assert PHOTOS_LOST not in client.post(action_url(case, "resolve"), {"resolve-result": ""}).content.decode()


# --------------------------------------------------------------------------------------------
# 3. The extension decision: a reason to deny, and which decision was taken
# --------------------------------------------------------------------------------------------


@pytest.fixture
def extension(world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    return actions.request_extension(case=case, actor=world.users["chengguan"], working_days=3, reason="等待材料")


def test_denying_an_extension_needs_a_reason(world, login, extension):
    client = login(world.users["leader"])
    response = client.post(action_url(extension.case, "decide_extension"),
                           {"decide_extension-decision": "deny", "decide_extension-note": "  "})
    assert response.status_code == 200
    bound = next(f for f in response.context["action_forms"] if f.action == "decide_extension")
    assert bound.errors["note"] == ["请填写不同意延期的理由。"]
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING

    response = client.post(action_url(extension.case, "decide_extension"),
                           {"decide_extension-decision": "deny", "decide_extension-note": "材料已齐，应按期办结"},
                           follow=True)
    assert "已不同意延期申请。" in response.content.decode()
    assert "操作成功：审批延期" not in response.content.decode()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.DENIED
    event = CaseEvent.objects.get(case=extension.case, type=EventType.EXTENSION_DENIED)
    assert event.note == "材料已齐，应按期办结"


def test_approving_an_extension_says_the_new_deadline(world, login, extension):
    response = login(world.users["leader"]).post(action_url(extension.case, "decide_extension"),
                                                 {"decide_extension-decision": "approve"}, follow=True)
    due = timezone.localtime(Case.objects.get(pk=extension.case_id).resolve_due_at)
    assert f"已同意延期 3 个工作日，新的办结时限为 {due:%Y-%m-%d %H:%M}。" in response.content.decode()
    assert ExtensionRequest.objects.get(pk=extension.pk).status == ExtensionStatus.APPROVED


# --------------------------------------------------------------------------------------------
# 4. The patrol panel is headed by what it shows
# --------------------------------------------------------------------------------------------


def test_patrol_panel_on_a_hotline_case_is_headed_grid_officers(world, login, categories):
    from wangge.patrols import actions as patrol_actions
    from wangge.patrols.models import OfficerRole

    patrol_actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0], user=world.users["chengguan"],
                                   department=world.departments["chengguan"], role=OfficerRole.objects.get(name="城管队员"))
    case = file_case(world, category=categories["street"], grid=world.grids[0])
    page = login(world.users["clerk"]).get(detail_url(case)).content.decode()
    title = page.split('data-testid="patrol-panel-title">')[1].split("</h2>")[0]
    assert title == "网格力量（一格八员）"
    # The whistle is a dispatch of an accepted case: offered once the case is accepted, not before.
    assert 'data-testid="grid-whistle"' not in page
    actions.accept_case(case=case, actor=world.users["clerk"])
    assert 'data-testid="grid-whistle"' in login(world.users["clerk"]).get(detail_url(case)).content.decode()


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_no_grid_whistle_on_a_finished_case(world, login, categories, status):
    from wangge.patrols import actions as patrol_actions
    from wangge.patrols.models import OfficerRole

    patrol_actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0], user=world.users["chengguan"],
                                   department=world.departments["chengguan"], role=OfficerRole.objects.get(name="城管队员"))
    case = case_in_state(world, status, category=categories["street"], grid=world.grids[0])
    for who in ("clerk", "admin"):
        page = login(world.users[who]).get(detail_url(case)).content.decode()
        assert 'data-testid="patrol-panel"' in page  # the grid's officers are still named
        assert 'data-testid="grid-whistle"' not in page
    # Posting it anyway is refused with the reason, and nobody is summoned.
    response = login(world.users["admin"]).post(f"/patrols/cases/{case.number}/whistle/", follow=True)
    assert "只有在办理中才能网格吹哨" in response.content.decode()
    assert not case.assignments.filter(role="assist").exists()


# --------------------------------------------------------------------------------------------
# 5, 6. Zoom buttons in the page's language; the clerk's cases to close; the address box
# --------------------------------------------------------------------------------------------


def test_pages_carry_the_zoom_titles_in_their_language(world, login):
    client = login(world.users["clerk"])
    assert 'data-zoom-in="放大" data-zoom-out="缩小"' in client.get("/cases/new/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'data-zoom-in="Zoom in" data-zoom-out="Zoom out"' in client.get("/cases/new/").content.decode()


def test_clerk_home_says_how_many_resolved_cases_wait_for_the_callback(world, login, categories):
    case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    page = login(world.users["clerk"]).get("/").content.decode()
    line = page.split('data-testid="to-close-count">')[1].split("</p>")[0]
    assert line == "2 件已办结事件等待回访后结案。"


def test_hotline_address_boxes_are_both_labelled(world, login):
    page = login(world.users["clerk"]).get("/cases/new/").content.decode()
    assert '<label for="id_address-search">查找地点</label>' in page
    assert 'id="id_address-search"' in page
    address = re.search(r'<input type="text" name="address" id="id_address"[^>]*>', page).group(0)
    assert 'placeholder="选定地点后自动填入' in address
    assert '<label for="id_address">地址</label>' in page
