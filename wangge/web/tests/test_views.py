"""The workbench pages through the Django test client: what each person sees and may do, 404
outside their scope, errors inside the form, never a 500 on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Light
from wangge.cases.errors import ActionForbidden
from wangge.cases.models import Case, ReporterAccessLog
from wangge.notifications.models import Notification, NotificationKind
from wangge.org.choices import Role
from wangge.testing import add_subdistrict, case_in_state, file_case, make_user
from wangge.web import views
from wangge.web.models import SavedFilter

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def detail_url(case) -> str:
    return reverse("web:case_detail", args=[case.number])


def action_url(case, action) -> str:
    return reverse("web:case_action", args=[case.number, action])


# --------------------------------------------------------------------------------------------
# Sign-in, layout, language
# --------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_login_then_workbench(client, world):
    response = client.post("/login/", {"username": "clerk", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "网格化社会治理平台" in page
    assert 'href="/dashboard/"' in page


def test_wrong_password_is_explained(client, world):
    response = client.post("/login/", {"username": "clerk", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_logout_needs_post_and_returns_to_login(login, world):
    client = login(world.users["clerk"])
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_language_switch_to_english(login, world):
    client = login(world.users["clerk"])
    assert "待办" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Waiting for me" in page and "Grid-based social governance platform" in page
    assert "待办" not in page


def test_switching_language_on_a_refused_form_comes_back_to_the_page_it_was_sent_from(login, world, categories):
    """A refused form is shown at its action's URL, which only takes a POST: the switch must not
    lead there (a blank 405), but back to the case page the form was on."""
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    client = login(world.users["clerk"])
    case_page = f"http://testserver/cases/{case.number}/"
    page = client.post(action_url(case, "resolve"), {"resolve-result": "好了"}, HTTP_REFERER=case_page)
    assert f'name="next" value="{case_page}"' in page.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": case_page})
    assert switched["Location"] == case_page and client.get(switched["Location"]).status_code == 200
    # From elsewhere (or no Referer at all) it goes home, never to a foreign site.
    page = client.post(action_url(case, "resolve"), {"resolve-result": "好了"}, HTTP_REFERER="http://evil.example/")
    assert 'name="next" value="/"' in page.content.decode()
    assert f'name="next" value="/cases/{case.number}/"' in client.get(f"/cases/{case.number}/").content.decode()


def test_unread_count_in_nav(login, world, categories):
    case = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"])
    actions.dispatch_case(case=case, actor=world.users["clerk"],
                          lead=actions.Target(department=world.departments["chengguan"]))
    page = login(world.users["chengguan"]).get("/").content.decode()
    assert 'data-testid="unread-count">1<' in page


# --------------------------------------------------------------------------------------------
# Home: my queue
# --------------------------------------------------------------------------------------------


def test_clerk_queue_is_sorted_red_first_with_counts(login, world, categories):
    green = file_case(world, category=categories["street"])
    red = file_case(world, category=categories["street"], submitted_at=timezone.now() - dt.timedelta(hours=3))
    assert red.light == Light.RED and green.light == Light.GREEN
    response = login(world.users["clerk"]).get("/")
    rows = list(response.context["rows"])
    assert [c.number for c in rows] == [red.number, green.number]
    counts = response.context["counts"]
    assert (counts["red"], counts["green"], counts["total"]) == (1, 1, 2)


def test_queue_light_filter(login, world, categories):
    file_case(world, category=categories["street"])
    red = file_case(world, category=categories["street"], submitted_at=timezone.now() - dt.timedelta(hours=3))
    rows = login(world.users["clerk"]).get("/?light=red").context["rows"]
    assert [c.number for c in rows] == [red.number]


def test_handler_queue_shows_assignments_highlighting_new(login, world, categories):
    mine = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    other = case_in_state(world, CaseStatus.ACCEPTED, category=categories["rubbish"])
    response = login(world.users["chengguan"]).get("/")
    numbers = [c.number for c in response.context["rows"]]
    assert numbers == [mine.number]
    assert other.number not in numbers
    assert response.context["rows"][0].is_new
    assert 'class="is-new' in response.content.decode()
    assert response.context["new_count"] == 1


def test_queue_of_grid_worker_excludes_other_grids(login, world, categories):
    file_case(world, grid=world.grids[0], category=categories["street"])
    case = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"], grid=world.grids[2])
    actions.dispatch_case(case=case, actor=world.users["clerk"], lead=actions.Target(region=world.grids[2]))
    assert [c.number for c in login(world.users["worker_b1"]).get("/").context["rows"]] == [case.number]
    assert list(login(world.users["worker_a1"]).get("/").context["rows"]) == []


def test_queue_lists_extension_requests_and_cases_to_close(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    actions.request_extension(case=case, actor=world.users["chengguan"], working_days=2, reason="等待材料")
    case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    response = login(world.users["clerk"]).get("/")
    assert [r.case.number for r in response.context["extensions"]] == [case.number]
    assert response.context["to_close"] == 1
    assert 'data-testid="to-close"' in response.content.decode()
    officer = login(world.users["chengguan"]).get("/")
    assert officer.context["extensions"] == [] and officer.context["to_close"] == 0


def test_queue_query_count_does_not_grow_with_cases(login, world, categories, django_assert_max_num_queries):
    for _ in range(6):
        file_case(world, category=categories["street"])
    client = login(world.users["clerk"])
    with django_assert_max_num_queries(14):  # each half of the queue: a page of ids, then its cases
        assert client.get("/").status_code == 200


# --------------------------------------------------------------------------------------------
# Case list, saved filters, bulk dispatch
# --------------------------------------------------------------------------------------------


def test_case_list_filters_by_status_and_scope(login, world, categories):
    accepted = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"])
    submitted = file_case(world, category=categories["street"])
    elsewhere = file_case(world, grid=world.grids[2], category=categories["street"])
    clerk = login(world.users["clerk"])
    rows = clerk.get("/cases/?status=accepted").context["page"].rows
    assert [c.number for c in rows] == [accepted.number]
    rows = login(world.users["worker_a1"]).get("/cases/").context["page"].rows
    assert {c.number for c in rows} == {accepted.number, submitted.number}
    assert elsewhere.number not in {c.number for c in rows}


def test_case_list_keeps_the_chosen_filters_in_the_form(login, world, categories):
    grid = world.grids[1]
    page = login(world.users["clerk"]).get(f"/cases/?grid={grid.pk}&department={world.departments['chengguan'].pk}")
    html = page.content.decode()
    assert f'<option value="{grid.pk}" selected>{grid.name}</option>' in html
    assert f'<option value="{world.departments["chengguan"].pk}" selected>' in html
    assert '<option value="" selected>全部</option>' in html  # category: none chosen


def _select_options(html: str, name: str) -> dict[str, str] | None:
    """The options (value → label) of the list's ``<select name=…>``, None when it is not shown."""
    import re

    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    if found is None:
        return None
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1)))


def test_case_list_filters_by_sub_district(login, world, categories):
    other, other_grid = add_subdistrict(world)
    here = file_case(world, category=categories["street"])
    there = file_case(world, grid=other_grid, category=categories["street"],
                      actor=make_user(Role.INTAKE_CLERK, region=other))
    assert (here.subdistrict_id, there.subdistrict_id) == (world.subdistrict.pk, other.pk)
    client = login(world.users["district_leader"])
    # The district leader has two sub-districts to choose from, each with its own cases.
    page = client.get("/cases/")
    options = _select_options(page.content.decode(), "subdistrict")
    assert options == {"": "全部", str(world.subdistrict.pk): world.subdistrict.name, str(other.pk): other.name}
    rows = client.get(f"/cases/?subdistrict={other.pk}").context["page"].rows
    assert [c.number for c in rows] == [there.number]
    page = client.get(f"/cases/?subdistrict={world.subdistrict.pk}")
    assert [c.number for c in page.context["page"].rows] == [here.number]
    assert f'<option value="{world.subdistrict.pk}" selected>' in page.content.decode()
    # The export keeps to the filter too.
    from .test_case_export import URL, numbers, sheet

    rows = sheet(client.get(f"{URL}?subdistrict={other.pk}"))
    assert numbers(rows) == {there.number}
    # …and says, as the list can, which sub-district each case is in.
    assert dict(zip(rows[0], rows[1]))["街道"] == other.name
    client.post(reverse("web:save_list_columns"), {"columns": ["status", "subdistrict"]})
    html = client.get("/cases/").content.decode()
    assert "<th>街道</th>" in html and f'<td class="clip" title="{other.name}">{other.name}</td>' in html
    # Retiring a sub-district links to its open cases, now that the list has its filter.
    from wangge.cases.receivers import open_cases_at

    link = open_cases_at(other).link
    assert link == f"/cases/?subdistrict={other.pk}&is_open=true"
    assert [c.number for c in client.get(link).context["page"].rows] == [there.number]


def test_case_list_territory_filters_offer_only_the_users_places(login, world, categories):
    other, other_grid = add_subdistrict(world)
    file_case(world, grid=other_grid, category=categories["street"], actor=make_user(Role.INTAKE_CLERK, region=other))
    file_case(world, category=categories["street"])
    # A sub-district's leader: one sub-district, nothing to choose — no sub-district filter;
    # their communities and grids only.
    html = login(world.users["leader"]).get("/cases/").content.decode()
    assert _select_options(html, "subdistrict") is None and other.name not in html
    assert set(_select_options(html, "community")) == {"", *(str(c.pk) for c in world.communities)}
    assert set(_select_options(html, "grid")) == {"", *(str(g.pk) for g in world.grids)}
    # A community secretary: the grids of the community.
    html = login(world.users["secretary_a"]).get("/cases/").content.decode()
    assert _select_options(html, "community") is None
    assert set(_select_options(html, "grid")) == {"", str(world.grids[0].pk), str(world.grids[1].pk)}
    # A district department's officer: the places of the district it serves.
    html = login(world.users["chengguan"]).get("/cases/").content.decode()
    assert set(_select_options(html, "subdistrict")) == {"", str(world.subdistrict.pk), str(other.pk)}


def test_case_list_sub_district_outside_the_scope_reveals_nothing(login, world, categories):
    other, other_grid = add_subdistrict(world)
    there = file_case(world, grid=other_grid, category=categories["street"],
                      actor=make_user(Role.INTAKE_CLERK, region=other))
    file_case(world, category=categories["street"])
    client = login(world.users["leader"])
    # As for a grid or a community outside the scope: an empty list, not an error; no case,
    # no count and no name of the place.
    for query in (f"subdistrict={other.pk}", f"grid={other_grid.pk}"):
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200 and list(response.context["page"].rows) == []
        html = response.content.decode()
        assert there.number not in html and other.name not in html and other_grid.name not in html
    # A place that is no sub-district at all is an error on the form, as for a grid.
    response = client.get(f"/cases/?subdistrict={world.communities[0].pk}")
    assert response.status_code == 200 and list(response.context["page"].rows) == []
    assert response.context["filter"].form.errors.get("subdistrict")


def test_case_list_shows_the_lead_department(login, world, categories):
    dispatched = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    file_case(world, category=categories["street"])
    page = login(world.users["clerk"]).get("/cases/").content.decode()
    assert "承办部门" in page
    row = page[page.index(dispatched.number):]
    row = row[:row.index("</tr>")]
    assert world.departments["chengguan"].name in row


@pytest.mark.parametrize("query", [
    "status=bogus", "category=abc", "submitted_after=yesterday", "after=!!!", "before=AAAA",
    "grid=999999", "overdue=maybe", "after=MjAyNi0wMS0wMXwx",
])
def test_case_list_bad_input_is_not_a_500(login, world, query):
    response = login(world.users["clerk"]).get(f"/cases/?{query}")
    assert response.status_code == 200


def test_case_number_in_search_opens_the_case(login, world, categories):
    case = file_case(world, category=categories["street"])
    response = login(world.users["clerk"]).get(f"/cases/?q={case.number.lower()}")
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    # Typed in full width by a Chinese input method (ＷＧ２０２６…): the same case.
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in case.number)
    response = login(world.users["clerk"]).get("/cases/", {"q": full_width})
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    # Out of scope: no redirect, no hint that it exists.
    response = login(world.users["worker_b1"]).get(f"/cases/?q={case.number}")
    assert response.status_code == 200 and list(response.context["page"].rows) == []


def test_case_list_keyset_pages(login, world, categories, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    numbers = [file_case(world, category=categories["street"]).number for _ in range(5)]
    newest_first = list(reversed(numbers))
    client = login(world.users["clerk"])
    first = client.get("/cases/").context["page"]
    assert [c.number for c in first.rows] == newest_first[:2] and first.prev_cursor is None
    second = client.get(f"/cases/?after={first.next_cursor}").context["page"]
    assert [c.number for c in second.rows] == newest_first[2:4]
    third = client.get(f"/cases/?after={second.next_cursor}").context["page"]
    assert [c.number for c in third.rows] == newest_first[4:] and third.next_cursor is None
    back = client.get(f"/cases/?before={third.prev_cursor}").context["page"]
    assert [c.number for c in back.rows] == newest_first[2:4]
    assert first.count == 5 and not first.count_capped


def test_case_list_count_is_capped(login, world, categories, monkeypatch):
    from wangge.web import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    for _ in range(3):
        file_case(world, category=categories["street"])
    response = login(world.users["clerk"]).get("/cases/")
    page = response.context["page"]
    assert page.count_capped and page.count == 2
    assert "超过 2 件" in response.content.decode()


def test_case_list_out_of_time_asks_to_narrow_down(login, world, categories, monkeypatch):
    from wangge.web import queries

    file_case(world, category=categories["street"])
    monkeypatch.setattr(queries, "within_budget", lambda ms, compute: None)
    response = login(world.users["clerk"]).get("/cases/?q=摊贩")
    assert response.status_code == 200
    page = response.content.decode()
    assert "查询耗时过长" in page and "事件较多" in page


def test_saved_filters(login, world):
    client = login(world.users["clerk"])
    response = client.post(reverse("web:saved_filter_create"), {"name": "待派单", "querystring": "status=accepted"})
    assert response.status_code == 302 and response["Location"].endswith("?status=accepted")
    saved = SavedFilter.objects.get(user=world.users["clerk"])
    assert "待派单" in client.get("/cases/").content.decode()
    # Same name again: refused with a message, nothing written.
    client.post(reverse("web:saved_filter_create"), {"name": "待派单", "querystring": "status=submitted"})
    assert SavedFilter.objects.count() == 1
    # Another user cannot delete it.
    other = login(world.users["clerk2"])
    assert other.post(reverse("web:saved_filter_delete", args=[saved.pk])).status_code == 404
    client = login(world.users["clerk"])
    client.post(reverse("web:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_bulk_dispatch_reports_each_case(login, world, categories):
    a = case_in_state(world, CaseStatus.ACCEPTED, category=categories["rubbish"])
    b = case_in_state(world, CaseStatus.ACCEPTED, category=categories["rubbish"])
    submitted = file_case(world, category=categories["rubbish"])
    client = login(world.users["clerk"])
    response = client.post(reverse("web:bulk_dispatch"), {
        "cases": [a.number, b.number, submitted.number, "WG19990101-00001"],
        "department": world.departments["huanwei"].pk,
    }, follow=True)
    page = response.content.decode()
    for case in (a, b):
        case.refresh_from_db()
        assert case.status == CaseStatus.DISPATCHED
        assert case.lead_assignment().department == world.departments["huanwei"]
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED
    assert f"未派出 — {submitted.number}" in page
    assert "WG19990101-00001" in page and "未找到" in page


def test_bulk_dispatch_without_selection(login, world):
    response = login(world.users["clerk"]).post(reverse("web:bulk_dispatch"), {"cases": []}, follow=True)
    assert response.status_code == 200
    assert "请至少选择一件" in response.content.decode()


# --------------------------------------------------------------------------------------------
# Case detail and actions
# --------------------------------------------------------------------------------------------


def test_detail_out_of_scope_is_404(login, world, categories):
    case = file_case(world, grid=world.grids[0], category=categories["street"])
    response = login(world.users["worker_b1"]).get(detail_url(case))
    assert response.status_code == 404
    assert login(world.users["worker_b1"]).get(reverse("web:case_detail", args=["nope"])).status_code == 404


def test_detail_shows_only_available_actions(login, world, categories):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    clerk_actions = [f.action for f in login(world.users["clerk"]).get(detail_url(case)).context["action_forms"]]
    officer_actions = [f.action for f in login(world.users["chengguan"]).get(detail_url(case)).context["action_forms"]]
    # A dispatched case is claimed (认领) before it is resolved: no 办结 button yet.
    assert "claim" in officer_actions and "return" in officer_actions and "resolve" not in officer_actions
    assert "resolve" not in clerk_actions and "urge" in clerk_actions
    assert officer_actions[0] == "claim"  # the main next step comes first
    actions.claim_case(case=case, actor=world.users["chengguan"])
    officer_actions = [f.action for f in login(world.users["chengguan"]).get(detail_url(case)).context["action_forms"]]
    assert officer_actions[0] == "resolve"


def _stage_cell(page: str, stage: str) -> str:
    return page.split(f'data-testid="stage-{stage}"')[1].split("</td>")[0]


def test_deadlines_say_when_the_clock_is_paused_and_when_they_no_longer_apply(login, world, categories):
    """A suspended case's running stage is not shown as a plain date that will silently move: the
    page says the clock is paused and what was left; a merged case's deadlines no longer apply."""
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    officer = world.users["chengguan"]
    case = actions.claim_case(case=case, actor=officer)
    case = actions.suspend_case(case=case, actor=officer, reason="等待业主配合")
    page = login(world.users["clerk"]).get(detail_url(case)).content.decode()
    resolve = _stage_cell(page, "resolve")
    assert "暂停计时" in resolve and "剩余" in resolve
    assert "已完成" in _stage_cell(page, "dispatch")
    listed = login(world.users["clerk"]).get("/cases/?status=suspended").content.decode()
    assert case.number in listed and "暂停计时" in listed.split('data-testid="time-left"')[1].split("</td>")[0]
    actions.resume_case(case=case, actor=officer)
    page = login(world.users["clerk"]).get(detail_url(case)).content.decode()
    assert "暂停计时" not in page and "剩余" in _stage_cell(page, "resolve")

    other = file_case(world, grid=world.grids[0], category=categories["street"])
    duplicate = file_case(world, grid=world.grids[0], category=categories["street"])
    actions.merge_case(case=duplicate, into=other, actor=world.users["clerk"], note="同一问题")
    page = login(world.users["clerk"]).get(detail_url(duplicate)).content.decode()
    assert all("不再适用" in _stage_cell(page, stage) for stage in ("accept", "dispatch", "resolve"))
    assert "不再适用" not in login(world.users["clerk"]).get(detail_url(other)).content.decode()


def test_the_close_button_waits_for_the_revisit_and_says_why(login, world, categories):
    case = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    client = login(world.users["clerk"])
    page = client.get(detail_url(case)).content.decode()
    assert 'data-testid="do-close"' not in page
    blocked = page.split('data-testid="blocked-close"')[1].split("</div>")[0]
    assert "disabled" in blocked and "请先回访（三看）" in blocked
    # Posting the close anyway is refused in Chinese and the case stays resolved.
    response = client.post(action_url(case, "close"), {"close-note": "结案"})
    assert "请先回访（三看）" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED

    # After the revisit the close is offered, asking that the missing rating be declared.
    client.post(action_url(case, "revisit"), {"revisit-lawful": "yes", "revisit-in_place": "yes",
                                              "revisit-accepted": "yes"})
    page = client.get(detail_url(case)).content.decode()
    assert 'data-testid="do-close"' in page and 'data-testid="blocked-close"' not in page
    assert 'name="close-rating_declined"' in page
    response = client.post(action_url(case, "close"), {"close-note": ""})
    assert "请先登记评价，或确认居民不愿评价" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
    client.post(action_url(case, "close"), {"close-rating_declined": "on"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_callbacks_not_reached_open_the_close_as_unreachable(login, world, categories, settings, monkeypatch):
    settings.WANGGE_REVISIT_ATTEMPTS, settings.WANGGE_REVISIT_ATTEMPT_GAP_MINUTES = 2, 60
    case = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    client = login(world.users["clerk"])
    now = [timezone.now() + dt.timedelta(minutes=10)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    response = client.post(action_url(case, "revisit_attempt"), {"revisit_attempt-note": "无人接听"}, follow=True)
    assert "第 1 次" in response.content.decode()
    # Tapped again a minute later: on record, but not a call at another time (不同时段).
    now[0] += dt.timedelta(minutes=1)
    response = client.post(action_url(case, "revisit_attempt"), {"revisit_attempt-note": "还是没人接"}, follow=True)
    page = response.content.decode()
    assert "暂不计入" in page and "不计入）" in page
    assert 'name="close-without_revisit" value="unreachable"' not in page
    now[0] += dt.timedelta(hours=2)
    response = client.post(action_url(case, "revisit_attempt"), {"revisit_attempt-note": "关机"}, follow=True)
    assert "第 2 次" in response.content.decode()
    page = client.get(detail_url(case)).content.decode()
    assert 'name="close-without_revisit" value="unreachable"' in page
    client.post(action_url(case, "close"), {"close-without_revisit": "unreachable"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.events.get(type="closed").note.startswith("未回访结案：多次回访均未联系上居民")


def test_resolving_before_a_co_handler_reported_in_asks_why(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"],
                         co_handlers=[actions.Target(department=world.departments["huanwei"])])
    client = login(world.users["chengguan"])
    page = client.get(detail_url(case)).content.decode()
    assert 'name="resolve-without_report_in"' in page and "尚未报到：区环卫中心" in page
    response = client.post(action_url(case, "resolve"), {"resolve-result": "已清理"})
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    client.post(action_url(case, "resolve"), {"resolve-result": "已清理", "resolve-without_report_in": "环卫未到场"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
    page = client.get(detail_url(case)).content.decode()
    assert "未报到: 区环卫中心 — 环卫未到场" in page or "未报到：区环卫中心 — 环卫未到场" in page


def test_detail_page_content(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    page = login(world.users["clerk"]).get(detail_url(case)).content.decode()
    assert case.description in page
    assert "138****1234" in page and "13812341234" not in page
    assert "张*" in page
    assert 'id="case-map-data"' in page and "116.3" in page
    assert "区城管执法局" in page  # the lead handler
    assert page.count('class="ev ') == 4  # filed, accepted, dispatched, claimed


def test_action_error_comes_back_in_form(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    client = login(world.users["chengguan"])
    response = client.post(action_url(case, "resolve"), {"resolve-result": "   "})
    assert response.status_code == 200
    form = next(f for f in response.context["action_forms"] if f.action == "resolve")
    assert form.errors
    assert "必填" in response.content.decode() or "required" in str(form.errors)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_action_refused_by_core_is_shown_in_chinese(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    response = login(world.users["clerk"]).post(action_url(case, "resolve"), {"resolve-result": "好了"})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = str(ActionForbidden.default_message)
    assert 'data-testid="refused"' in response.content.decode()
    assert expected in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_resolve_with_photo(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    photo = SimpleUploadedFile("done.png", png_bytes(), content_type="image/png")
    response = login(world.users["chengguan"]).post(
        action_url(case, "resolve"), {"resolve-result": "已清理", "resolve-photos": photo})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.result == "已清理"
    assert case.attachments.count() == 1


def test_bad_photo_is_a_form_error(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = login(world.users["chengguan"]).post(
        action_url(case, "resolve"), {"resolve-result": "已清理", "resolve-photos": fake})
    assert response.status_code == 200
    assert "x.png" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.attachments.count() == 0


def test_dispatch_through_form_with_co_handler(login, world, categories):
    case = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"])
    d = world.departments
    response = login(world.users["clerk"]).post(action_url(case, "dispatch"), {
        "dispatch-lead": f"department:{d['chengguan'].pk}",
        "dispatch-co_handlers": [f"department:{d['huanwei'].pk}"],
        "dispatch-note": "联合处置",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert {a.department.code for a in case.assignments.filter(active=True)} == {"chengguan", "huanwei"}


@pytest.mark.parametrize("lead", ["", "department:abc", "galaxy:1", "department:999999"])
def test_dispatch_bad_target_is_form_error(login, world, categories, lead):
    case = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"])
    response = login(world.users["clerk"]).post(action_url(case, "dispatch"), {"dispatch-lead": lead})
    assert response.status_code == 200
    assert next(f for f in response.context["action_forms"] if f.action == "dispatch").errors
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_accept_reject_revisit_rate_close(login, world, categories):
    clerk = login(world.users["clerk"])
    case = file_case(world, category=categories["street"])
    assert clerk.post(action_url(case, "accept"), {"accept-note": "ok"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    other = file_case(world, category=categories["street"])
    assert clerk.post(action_url(other, "reject"), {"reject-reason": "重复来电"}).status_code == 302
    other.refresh_from_db()
    assert other.status == CaseStatus.REJECTED
    resolved = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    assert clerk.post(action_url(resolved, "revisit"), {"revisit-lawful": "yes", "revisit-in_place": "yes",
                                                         "revisit-accepted": "yes"}).status_code == 302
    assert clerk.post(action_url(resolved, "rate"), {"rate-satisfaction": "satisfied"}).status_code == 302
    assert clerk.post(action_url(resolved, "close"), {}).status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == CaseStatus.CLOSED and resolved.revisit_lawful and resolved.satisfaction == "satisfied"


def test_accepting_an_unclassified_report_suggests_its_category_and_takes_the_categorys_star(login, world):
    """智能分类: the accept form chooses what the words suggest, for the clerk to check; accepting
    it brings the category's own star level and handling type, not the 1★ the form showed."""
    from wangge.cases.choices import HandlingType
    from wangge.testing import make_category

    make_category("占道经营", department=world.departments["chengguan"], keywords="摊贩 占道 摆摊")
    works = make_category("违规施工", department=world.departments["chengguan"], keywords="施工 工地 渣土", star=3,
                          handling_type=HandlingType.COORDINATION)
    case = file_case(world, description="工地夜里施工，渣土车进进出出")
    assert case.category is None and case.star == 1
    clerk = login(world.users["clerk"])
    page = clerk.get(detail_url(case)).content.decode()
    form = page.split('name="accept-category"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{works.pk}" selected>' in form
    assert "根据诉求内容建议：违规施工" in page
    answer = clerk.post(action_url(case, "accept"), {"accept-category": works.pk, "accept-star": "1",
                                                     "accept-handling_type": HandlingType.GENERAL, "accept-note": ""})
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.category == works and case.star == 3 and case.handling_type == HandlingType.COORDINATION
    # A star the clerk does choose is kept.
    other = file_case(world, description="工地夜里施工")
    clerk.post(action_url(other, "accept"), {"accept-category": works.pk, "accept-star": "2",
                                             "accept-handling_type": HandlingType.GENERAL})
    other.refresh_from_db()
    assert other.star == 2 and other.handling_type == HandlingType.COORDINATION


def test_merge_unknown_target_is_form_error(login, world, categories):
    case = file_case(world, category=categories["street"])
    response = login(world.users["clerk"]).post(action_url(case, "merge"), {"merge-into": "WG00000000-00000"})
    assert response.status_code == 200
    assert "没有这个编号的事件" in response.content.decode()
    target = file_case(world, category=categories["street"])
    response = login(world.users["clerk"]).post(action_url(case, "merge"), {"merge-into": target.number.lower()})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.MERGED and case.merged_into == target


def test_extension_request_and_decision(login, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    officer = login(world.users["chengguan"])
    assert officer.post(action_url(case, "request_extension"), {
        "request_extension-working_days": "40", "request_extension-reason": "x"}).status_code == 200
    assert officer.post(action_url(case, "request_extension"), {
        "request_extension-working_days": "3", "request_extension-reason": "等待材料"}).status_code == 302
    clerk = login(world.users["clerk"])
    forms = [f.action for f in clerk.get(detail_url(case)).context["action_forms"]]
    assert "decide_extension" in forms
    before = Case.objects.get(pk=case.pk).resolve_due_at
    assert clerk.post(action_url(case, "decide_extension"), {"decide_extension-decision": "approve"}).status_code == 302
    assert Case.objects.get(pk=case.pk).resolve_due_at > before


def test_the_requester_sees_that_the_extension_waits(login, world, categories):
    """While the request waits, 申请延期 is not silently gone from the handler's page: it stands
    greyed out, saying a request already waits for a decision; the API says the same."""
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    actions.request_extension(case=case, actor=world.users["chengguan"], working_days=3, reason="等待材料")
    page = login(world.users["chengguan"]).get(detail_url(case))
    assert "request_extension" not in [f.action for f in page.context["action_forms"]]
    html = page.content.decode()
    blocked = html[html.index('data-testid="blocked-request_extension"'):]
    assert "申请延期" in blocked[:400] and "该事件已有待审批的延期申请" in blocked[:400]
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.users["chengguan"])
    detail = api.get(f"/api/v1/cases/{case.number}/").json()
    assert "request_extension" not in detail["available_actions"]
    assert "request_extension" in [b["action"] for b in detail["blocked_actions"]]
    # Decided, it can be asked for again.
    actions.decide_extension(request=case.extension_requests.get(), actor=world.users["clerk"], approve=False,
                             note="材料已齐，请按期办结")
    forms = [f.action for f in login(world.users["chengguan"]).get(detail_url(case)).context["action_forms"]]
    assert "request_extension" in forms


def _extension_over_national_day(world, categories):
    """A case due 2025-09-30 whose handler asks for 3 more working days: on the official calendar
    (国庆 1–8 October, Saturday the 11th worked) that is Saturday 2025-10-11, not 10-03."""
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    due = dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    Case.objects.filter(pk=case.pk).update(resolve_due_at=due)
    case.refresh_from_db()
    actions.request_extension(case=case, actor=world.users["chengguan"], working_days=3, reason="等待材料")
    return case


def test_the_extension_decision_shows_the_deadline_it_would_set(login, world, categories):
    """Whoever decides sees the deadline now and the one granting would set (on the working-day
    calendar, as the decision computes it) — in the decision form and in the queue on the
    workbench; the requester sees the same on the case page."""
    case = _extension_over_national_day(world, categories)
    expected = "办结时限 2025-09-30 17:00，如获批准延至 2025-10-11 23:59"
    clerk = login(world.users["clerk"])
    html = clerk.get(detail_url(case)).content.decode()
    form = html[html.index('data-action="decide_extension"'):]
    assert expected in form[:form.index("</form>")]
    home = clerk.get("/").content.decode()
    queue = home[home.index('data-testid="extensions"'):]
    assert expected in queue[:queue.index("</ul>")]
    requester = login(world.users["chengguan"]).get(detail_url(case)).content.decode()
    waiting = requester[requester.index('data-testid="pending-extension"'):]
    assert "延期 3 个工作日的申请待审批" in waiting[:400] and expected in waiting[:400]
    # What was shown is what the decision sets.
    clerk = login(world.users["clerk"])
    clerk.post(action_url(case, "decide_extension"), {"decide_extension-decision": "approve"})
    case.refresh_from_db()
    assert timezone.localtime(case.resolve_due_at).strftime("%Y-%m-%d %H:%M") == "2025-10-11 23:59"
    assert 'data-testid="pending-extension"' not in clerk.get(detail_url(case)).content.decode()


def test_the_leaders_workbench_shows_the_deadline_an_extension_would_set(login, world, categories):
    case = _extension_over_national_day(world, categories)
    html = login(world.users["leader"]).get("/").content.decode()
    card = html[html.index('data-testid="extensions-card"'):]
    assert case.number in card and "如获批准延至 2025-10-11 23:59" in card[:card.index("</section>")]


def test_unknown_action_and_get_on_action(login, world, categories):
    case = file_case(world, category=categories["street"])
    client = login(world.users["clerk"])
    assert client.post(action_url(case, "explode"), {}).status_code == 404
    assert client.get(action_url(case, "accept")).status_code == 405


def test_reveal_reporter_is_logged(login, world, categories):
    case = file_case(world, category=categories["street"])
    response = login(world.users["clerk"]).post(reverse("web:reveal_reporter", args=[case.number]))
    assert response.status_code == 200
    assert "13812341234" in response.content.decode() and "张三" in response.content.decode()
    log = ReporterAccessLog.objects.get()
    assert log.user == world.users["clerk"] and log.case == case and log.channel == "web"


def test_reveal_reporter_refused_for_grid_worker(login, world, categories):
    case = file_case(world, category=categories["street"])
    client = login(world.users["worker_a1"])
    assert 'data-testid="reveal"' not in client.get(detail_url(case)).content.decode()
    response = client.post(reverse("web:reveal_reporter", args=[case.number]))
    with translation.override("zh-hans"):
        refusal = _("You are not allowed to see residents' personal data.")
    assert refusal in response.content.decode()
    assert "13812341234" not in response.content.decode()
    assert not ReporterAccessLog.objects.filter(granted=True).exists()  # the refused attempt is logged, granted=False
    assert login(world.users["worker_b1"]).post(reverse("web:reveal_reporter", args=[case.number])).status_code == 404


def test_attachment_permission_checked(login, world, categories, client):
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    case = file_case(world, category=categories["street"], attachments=[photo])
    item = case.attachments.get()
    url = reverse("web:attachment", args=[case.number, item.pk])
    response = login(world.users["clerk"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert login(world.users["worker_b1"]).get(url).status_code == 404
    other = file_case(world, category=categories["street"])
    wrong_case = reverse("web:attachment", args=[other.number, item.pk])
    assert login(world.users["clerk"]).get(wrong_case).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --------------------------------------------------------------------------------------------
# Hotline intake
# --------------------------------------------------------------------------------------------


def hotline_data(world, chosen, **extra):
    data = {
        "reporter_phone": "13900001111", "reporter_name": "李四", "description": "路边有人摆摊占道，堵住了盲道",
        "category": chosen.pk, "grid": world.grids[1].pk, "address": "和平路8号",
    }
    data.update(extra)
    return data


def test_hotline_only_for_staff_who_file(login, world):
    assert login(world.users["clerk"]).get("/cases/new/").status_code == 200
    assert login(world.users["chengguan"]).get("/cases/new/").status_code == 404


def test_hotline_files_a_case(login, world, categories):
    response = login(world.users["clerk"]).post("/cases/new/", hotline_data(world, categories["street"]))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert case.status == CaseStatus.SUBMITTED and case.grid == world.grids[1]
    assert case.channel == "hotline" and case.reporter_phone == "13900001111"


def test_hotline_by_map_point(login, world, categories):
    lng, lat = world.point_in(world.grids[3])
    login(world.users["clerk"]).post("/cases/new/", hotline_data(world, categories["street"], grid="",
                                                                  longitude=lng, latitude=lat))
    assert Case.objects.get().grid == world.grids[3]


def test_hotline_accept_and_dispatch_now(login, world, categories):
    login(world.users["clerk"]).post("/cases/new/", hotline_data(world, categories["rubbish"], dispatch_now="on"))
    case = Case.objects.get()
    assert case.status == CaseStatus.DISPATCHED
    assert case.lead_assignment().department == world.departments["huanwei"]


def test_hotline_dispatch_now_failure_writes_nothing(login, world, categories):
    response = login(world.users["clerk"]).post(
        "/cases/new/", hotline_data(world, categories["other"], dispatch_now="on"))
    assert response.status_code == 200
    assert "没有默认承办部门" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("extra", [
    {"description": ""},
    {"grid": ""},
    {"grid": "abc"},
    {"reporter_phone": "call me"},
    {"longitude": "200", "latitude": "10", "grid": ""},
    {"longitude": "1", "latitude": "1", "grid": ""},
    {"dispatch_now": "on", "category": ""},
    {"star": "9"},
])
def test_hotline_bad_input_comes_back_in_form(login, world, categories, extra):
    response = login(world.users["clerk"]).post("/cases/new/", hotline_data(world, categories["street"], **extra))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Case.objects.exists()


def test_caller_history_partial(login, world, categories):
    earlier = file_case(world, category=categories["street"], reporter_phone="13900002222")
    file_case(world, category=categories["street"], reporter_phone="13900003333")
    client = login(world.users["clerk"])
    page = client.post("/cases/new/caller/", {"reporter_phone": "13900002222"}).content.decode()
    assert earlier.number in page and page.count('class="casenum"') == 1
    assert "没有来电记录" in client.post("/cases/new/caller/", {"reporter_phone": "13911112222"}).content.decode()
    # Out of scope: a grid worker of another grid sees nothing of it.
    assert earlier.number not in login(world.users["worker_b1"]).post(
        "/cases/new/caller/", {"reporter_phone": "13900002222"}).content.decode()


def test_similar_cases_partial(login, world, categories):
    near = file_case(world, grid=world.grids[0], category=categories["street"])
    file_case(world, grid=world.grids[1], category=categories["street"])
    file_case(world, grid=world.grids[0], category=categories["rubbish"])
    client = login(world.users["clerk"])
    page = client.get(f"/cases/new/similar/?grid={world.grids[0].pk}&category={categories['street'].pk}")
    assert near.number in page.content.decode() and page.content.decode().count('class="casenum"') == 1
    lng, lat = world.point_in(world.grids[0])
    by_point = client.get(f"/cases/new/similar/?category={categories['street'].pk}&longitude={lng}&latitude={lat}")
    assert near.number in by_point.content.decode()
    assert client.get("/cases/new/similar/?grid=x&category=&longitude=abc").status_code == 200


def test_category_suggestion(login, world, categories):
    client = login(world.users["clerk"])
    page = client.get("/cases/new/suggest/?description=楼下垃圾好几天没人清运").content.decode()
    assert f'data-category="{categories["rubbish"].pk}"' in page
    assert f'data-category="{categories["street"].pk}"' not in page
    assert "data-category" not in client.get("/cases/new/suggest/?description=").content.decode()


def test_locate(login, world):
    client = login(world.users["clerk"])
    lng, lat = world.point_in(world.grids[2])
    assert client.get(f"/cases/new/locate/?lng={lng}&lat={lat}").json()["grid"] == world.grids[2].pk
    assert client.get("/cases/new/locate/?lng=0&lat=0").json()["grid"] is None
    assert client.get("/cases/new/locate/?lng=abc&lat=1").status_code == 400
    assert client.get("/cases/new/locate/?lng=500&lat=1").status_code == 400


# --------------------------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------------------------


def test_notification_centre(login, world, categories):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    actions.urge_case(case=case, actor=world.users["clerk"], note="尽快")
    officer = world.users["chengguan"]
    client = login(officer)
    page = client.get("/notifications/").content.decode()
    with translation.override("zh-hans"):
        assert str(NotificationKind.ASSIGNED.label) in page and str(NotificationKind.URGED.label) in page
    items = list(Notification.objects.filter(recipient=officer))
    assigned = next(n for n in items if n.kind == NotificationKind.ASSIGNED)
    response = client.get(reverse("web:notification_open", args=[assigned.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assigned.refresh_from_db()
    assert assigned.read_at is not None
    unread = client.get("/notifications/?unread=1").context["items"]
    assert [n.kind for n in unread] == [NotificationKind.URGED]
    client.post(reverse("web:notifications_read_all"))
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()


def test_notification_of_someone_else(login, world, categories):
    case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    theirs = Notification.objects.filter(recipient=world.users["chengguan"]).first()
    client = login(world.users["huanwei"])
    assert client.get(reverse("web:notification_open", args=[theirs.pk])).status_code == 404
    client.post(reverse("web:notification_read", args=[theirs.pk]), {"next": "https://evil.example/"})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read_redirects_safely(login, world, categories):
    case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"])
    mine = Notification.objects.filter(recipient=world.users["chengguan"]).first()
    response = login(world.users["chengguan"]).post(reverse("web:notification_read", args=[mine.pk]),
                                                   {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    mine.refresh_from_db()
    assert mine.read_at is not None
