"""Scope, 催办, the Excel export and the printable report."""

import datetime as dt
import io

from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.notifications.models import Notification, NotificationKind
from wangge.testing import case_in_state, file_case, make_category, make_user

from .conftest import wide_period


def _dispatched_to_huanwei(world):
    clerk = world.users["clerk"]
    case = actions.accept_case(case=file_case(world, category=make_category("垃圾清运")), actor=clerk)
    return actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["huanwei"]))


def _overdue_case(world, **extra):
    return case_in_state(world, CaseStatus.DISPATCHED, submitted_at=timezone.now() - dt.timedelta(days=30), **extra)


# --- access and scope -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_and_staff_without_jurisdiction_refused(db, client):
    assert client.get("/dashboard/").status_code == 302
    client.force_login(make_user(None))
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/export.xlsx").status_code == 403


def test_community_secretary_sees_only_their_community(cases, world, client):
    client.force_login(world.users["secretary_a"])
    ctx = client.get("/dashboard/", wide_period()).context
    # Everything but c3 (grid B1) is in community A.
    assert ctx["summary"]["filed"] == 8
    assert [r["name"] for r in ctx["communities"]] == ["东园社区"]
    assert {r["name"] for r in ctx["grids"]} == {world.grids[0].name}
    territory = [r.name for r in ctx["form"].fields["region"].queryset]
    assert territory == ["东园社区", *[g.name for g in world.grids[:2]]]
    assert {f["properties"]["name"] for f in ctx["charts"]["map"]["features"]} == {g.name for g in world.grids[:2]}
    # Asking for another community's grid is ignored: still only their own figures.
    other = client.get("/dashboard/", {**wide_period(), "region": world.grids[2].pk}).context
    assert other["summary"]["filed"] == 8 and other["sel"].region is None


def test_choosing_a_grid_narrows_the_figures(cases, world, client):
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", {**wide_period(), "region": world.grids[2].pk}).context
    assert ctx["summary"]["filed"] == 1 and ctx["summary"]["st_in_progress"] == 1


def test_department_sees_only_the_cases_it_leads(world, client):
    mine = _overdue_case(world)  # led by 城管
    theirs = _dispatched_to_huanwei(world)
    actions.return_case(case=case_in_state(world, CaseStatus.DISPATCHED), actor=world.users["chengguan"],
                        reason="不属于本部门职责")  # returned: led by nobody now, still 城管's last lead
    client.force_login(world.users["huanwei"])
    ctx = client.get("/dashboard/", {"period": "last90"}).context
    assert ctx["summary"]["filed"] == 1 and ctx["summary"]["st_dispatched"] == 1
    assert [d.name for d in ctx["form"].fields["department"].queryset] == ["区环卫中心"]
    assert ctx["overdue"] == []
    client.force_login(world.users["chengguan"])
    ctx = client.get("/dashboard/", {"period": "last90"}).context
    assert ctx["summary"]["filed"] == 2
    assert [c.number for c in ctx["overdue"]] == [mine.number]
    assert theirs.number not in client.get("/dashboard/export.xlsx", {"period": "last90"}).content.decode("latin-1")


def test_leader_can_filter_by_department(world, client):
    _dispatched_to_huanwei(world)
    case_in_state(world, CaseStatus.DISPATCHED)
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", {"period": "last90", "department": world.departments["huanwei"].pk}).context
    assert ctx["summary"]["filed"] == 1


# --- 催办 ---------------------------------------------------------------------------------------


def test_urge_from_the_overdue_list_notifies_the_handler(world, client):
    case = _overdue_case(world)
    client.force_login(world.users["clerk"])
    page = client.get("/dashboard/", {"period": "last90"}).content.decode()
    assert f'hx-post="/dashboard/urge/{case.number}/"' in page
    response = client.post(f"/dashboard/urge/{case.number}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "urge-ok" in response.content.decode()
    case.refresh_from_db()
    assert case.urge_count == 1
    note = Notification.objects.about(case).get(kind=NotificationKind.URGED)
    assert note.recipient == world.users["chengguan"]


def test_the_overdue_list_says_minutes_for_a_case_just_past_its_deadline(world, client):
    """Seven minutes late reads "7分钟", not "0小时"; days and hours as before."""
    from wangge.cases.choices import Light
    from wangge.cases.models import Case

    now = timezone.now()
    just = case_in_state(world, CaseStatus.DISPATCHED)
    hours = case_in_state(world, CaseStatus.DISPATCHED)
    for case, late in ((just, dt.timedelta(minutes=7, seconds=10)), (hours, dt.timedelta(hours=5, minutes=2))):
        Case.objects.filter(pk=case.pk).update(light=Light.RED, resolve_due_at=now - late)  # as the sweep leaves it
    client.force_login(world.users["clerk"])
    page = client.get("/dashboard/", {"period": "last90"}).content.decode()
    row = page.split(just.number, 2)[2].split("</tr>", 1)[0]
    assert "7分钟" in row and "小时" not in row
    assert "5小时" in page.split(hours.number, 2)[2].split("</tr>", 1)[0]


def test_the_urge_button_is_offered_only_to_whoever_may_urge(world, client):
    """A department officer sees its overdue cases on the dashboard, but urging is for the
    territory's dispatchers and leaders: no 催办 button that would only answer "no right"."""
    case = _overdue_case(world)  # led by 城管, in the sub-district
    button = f'hx-post="/dashboard/urge/{case.number}/"'
    client.force_login(world.users["chengguan"])
    page = client.get("/dashboard/", {"period": "last90"}).content.decode()
    assert case.number in page and button not in page
    client.force_login(world.users["leader"])
    assert button in client.get("/dashboard/", {"period": "last90"}).content.decode()


def test_urge_outside_jurisdiction_is_refused_inline(world, client):
    case = _overdue_case(world)
    client.force_login(world.users["secretary_b"])
    response = client.post(f"/dashboard/urge/{case.number}/")
    assert response.status_code == 200 and "urge-error" in response.content.decode()
    case.refresh_from_db()
    assert case.urge_count == 0
    assert not Notification.objects.filter(kind=NotificationKind.URGED).exists()
    assert client.get(f"/dashboard/urge/{case.number}/").status_code == 405


# --- export and report ----------------------------------------------------------------------------


def test_xlsx_export_has_the_figures_of_the_view(cases, world, client):
    overdue = _overdue_case(world)
    client.force_login(world.users["leader"])
    response = client.get("/dashboard/export.xlsx", wide_period())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 4
    summary, ranking, categories, overdue_sheet = (wb[name] for name in wb.sheetnames)
    rows = {row[0]: row for row in summary.iter_rows(min_row=6, max_row=9, values_only=True)}
    values = list(rows.values())
    # Response rate: 4 / (7 + the overdue case, filed 30 days ago and accepted late).
    assert values[0][2:4] == (4, 8) and abs(values[0][1] - 4 / 8) < 1e-9
    assert values[1][2:4] == (3, 7)  # resolution
    assert values[2][2:4] == (2, 3)  # satisfaction
    assert values[3][2:4] == (2, 3)  # on time
    assert "÷" in values[0][4]
    names = [row[1] for row in ranking.iter_rows(values_only=True)]
    assert "东园社区" in names and "区城管执法局" in names
    assert any(row[1] == 10 for row in categories.iter_rows(values_only=True))  # 9 + the overdue case
    numbers = [row[0] for row in overdue_sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [overdue.number]


def test_monthly_report_renders_for_printing(cases, world, client):
    client.force_login(world.users["leader"])
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get("/dashboard/report/", {"month": month})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test="report"' in html and "report.css" in html
    # The overdue list is not this month's alone: it says so, beside the month's own count.
    assert "所有超过时限仍在办理的事件，含以前月份受理的。" in html
    ctx = response.context
    assert ctx["sel"].period.start.strftime("%Y-%m") == month
    assert ctx["summary"]["filed"] >= 8
    assert client.get("/dashboard/report/", {"month": "13-2025"}).status_code == 200


def test_malformed_parameters_never_fail(world, client):
    client.force_login(world.users["leader"])
    for params in [{"region": "x"}, {"department": "999"}, {"rank": "nope"}, {"period": "range", "start": "bad"},
                   {"start": "2025-02-30", "end": "2025-01-01", "period": "range"}]:
        assert client.get("/dashboard/", params).status_code == 200, params
        assert client.get("/dashboard/export.xlsx", params).status_code == 200, params


# --- 在办: the workbench's and the dashboard's are not the same number --------------------------


def _open_number(html: str, marker: str) -> str:
    """The label, number and note of the figure at ``marker``, as one line of text."""
    import re

    block = html[html.index(marker):]
    block = block[:block.index("</a>")]
    return " ".join(re.sub(r"<[^>]+>", " ", block[block.index(">") + 1:]).split())


def test_the_two_open_figures_say_what_each_counts(world, client):
    """The leader's workbench counts every open case (全部在办), the dashboard the open cases filed
    in its period (本期受理·在办): a case filed last month and still open is in the first only,
    and each label says so — in Chinese and in English."""
    case_in_state(world, CaseStatus.DISPATCHED, submitted_at=timezone.now() - dt.timedelta(days=40))  # last month
    case_in_state(world, CaseStatus.DISPATCHED)
    client.force_login(world.users["leader"])
    expected = {
        "zh-hans": ("全部在办 2 不限受理时间", "本期受理·在办 1 不含本期之前受理的在办工单"),
        "en": ("All open now 2 whenever filed", "Filed in the period, open 1 open cases filed before the period "
                                                 "not counted"),
    }
    for language, (workbench, dashboard) in expected.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the page's language switch
        home = client.get("/").content.decode()
        assert _open_number(home, 'href="/cases/?is_open=true"') == workbench
        board = client.get("/dashboard/").content.decode()
        assert _open_number(board, 'data-test="open-open"') == dashboard
