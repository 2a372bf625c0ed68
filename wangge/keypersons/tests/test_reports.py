"""六到 and 六报: damage, dirt and hazards become patrol cases; pregnancy and incoming population
go to the configured office without a case; instability goes to the sub-district leaders."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.keypersons import actions
from wangge.keypersons.choices import AttendanceKind, QuickReportKind
from wangge.keypersons.errors import BadKeyPersonInput
from wangge.keypersons.models import Attendance, QuickReport, QuickReportRoute
from wangge.notifications.models import Notification
from wangge.org.choices import Role
from wangge.testing.factories import make_user


def _got(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_pregnancy_goes_to_the_configured_office_and_makes_no_case(world):
    health = world.departments["pingan"]
    officer = make_user(Role.DEPARTMENT_OFFICER, department=health)
    QuickReportRoute.objects.create(kind=QuickReportKind.PREGNANCY, department=health)
    report = actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.PREGNANCY, note="3号楼新孕")
    assert report.case is None and Case.objects.count() == 0
    assert _got(officer, actions.KIND_INFO_REPORT) == 1
    assert _got(world.users["secretary_a"], actions.KIND_INFO_REPORT) == 0
    assert report.routed_to == health.name and report.notified == 1


def test_incoming_population_goes_by_role_to_the_grids_community_only(world):
    QuickReportRoute.objects.create(kind=QuickReportKind.INCOMING, role=Role.COMMUNITY_SECRETARY)
    actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.INCOMING, note="新租户两人")
    assert _got(world.users["secretary_a"], actions.KIND_INFO_REPORT) == 1
    assert _got(world.users["secretary_b"], actions.KIND_INFO_REPORT) == 0
    assert Case.objects.count() == 0


@pytest.mark.parametrize("kind", [QuickReportKind.HAZARD, QuickReportKind.DAMAGE, QuickReportKind.DIRT])
def test_hazard_damage_and_dirt_become_patrol_cases(world, kind):
    report = actions.quick_report(actor=world.users["worker_a1"], kind=kind, note="井盖缺失", place="东园路口")
    case = Case.objects.get()
    assert report.case == case
    assert (case.channel, case.grid_id, case.created_by) == (Channel.PATROL, world.grids[0].pk, world.users["worker_a1"])
    assert Notification.objects.filter(kind__in=[actions.KIND_INFO_REPORT, actions.KIND_INSTABILITY]).count() == 0
    # Lists name the place as they do for every report: "环境脏乱（东园路口）".
    with translation.override("zh-hans"):
        assert case.title == f"{QuickReportKind(kind).label}（东园路口）"


def test_instability_notifies_the_sub_district_leader_at_once(world):
    actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.INSTABILITY, note="聚集上访苗头")
    assert _got(world.users["leader"], actions.KIND_INSTABILITY) == 1
    assert _got(world.users["district_leader"], actions.KIND_INSTABILITY) == 0
    assert Case.objects.count() == 0


def test_attendance_is_recorded_in_the_workers_grid(world):
    row = actions.record_attendance(actor=world.users["worker_a1"], kind=AttendanceKind.DISPUTE, note="邻里噪音纠纷")
    assert (row.grid, row.worker) == (world.grids[0], world.users["worker_a1"])


def test_bad_reports_change_nothing(world, client):
    with pytest.raises(BadKeyPersonInput):
        actions.quick_report(actor=world.users["worker_a1"], kind="gossip")
    with pytest.raises(BadKeyPersonInput):
        actions.record_attendance(actor=world.users["worker_a1"], kind="party")
    client.force_login(world.users["worker_a1"])
    r = client.post("/api/v1/keypersons/quick-reports/", {"kind": "hazard", "grid": world.grids[2].pk},
                    content_type="application/json")
    assert r.status_code == 404
    assert QuickReport.objects.count() == 0 and Attendance.objects.count() == 0 and Case.objects.count() == 0


def test_one_tap_on_the_phone_page(world, client):
    client.force_login(world.users["worker_a1"])
    r = client.post(reverse("keypersons:quick"), {"report": "hazard", "note": "电线裸露"})
    assert r.status_code == 302 and Case.objects.get().channel == Channel.PATROL
    r = client.post(reverse("keypersons:quick"), {"attend": "illness"})
    assert r.status_code == 302 and Attendance.objects.get().kind == AttendanceKind.ILLNESS


@pytest.mark.parametrize("kind", [QuickReportKind.DAMAGE, QuickReportKind.DIRT, QuickReportKind.HAZARD,
                                  QuickReportKind.INSTABILITY])
def test_a_case_or_an_alert_must_say_where_or_what(world, kind):
    with pytest.raises(BadKeyPersonInput) as refused:
        actions.quick_report(actor=world.users["worker_a1"], kind=kind, note="  ", place="")
    assert set(refused.value.fields) == {"note", "place"}
    assert QuickReport.objects.count() == 0 and Case.objects.count() == 0
    assert Notification.objects.count() == 0
    # A place alone is enough: it becomes the case's address, or what the leaders read.
    report = actions.quick_report(actor=world.users["worker_a1"], kind=kind, place="3号楼东侧")
    if report.case:
        assert report.case.address == "3号楼东侧" and "3号楼东侧" in report.case.description
    else:
        assert "3号楼东侧" in Notification.objects.get(recipient=world.users["leader"]).message


def test_information_reports_may_still_be_one_bare_tap(world):
    QuickReportRoute.objects.create(kind=QuickReportKind.INCOMING, role=Role.COMMUNITY_SECRETARY)
    report = actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.INCOMING)
    assert report.notified == 1


def test_the_phone_page_asks_for_a_place_or_note_then_confirms_what_happened(world, client):
    worker = world.users["worker_a1"]
    client.force_login(worker)
    r = client.post(reverse("keypersons:quick"), {"report": "damage", "place": "", "note": ""})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="kp-quick-note-error"' in page
    assert "请填写地点或备注" in page and 'aria-invalid="true"' in page
    assert QuickReport.objects.count() == 0 and Case.objects.count() == 0

    r = client.post(reverse("keypersons:quick"), {"report": "damage", "place": "东园路口", "note": "路灯杆倾斜"},
                    follow=True)
    case = Case.objects.get()
    done = r.content.decode()
    assert 'data-testid="kp-quick-done"' in done
    assert f'已上报“公共设施损坏”：已立案 <a href="/cases/{case.number}/">{case.number}</a>' in done
    assert "东园路口" in done and "路灯杆倾斜" in done

    r = client.post(reverse("keypersons:quick"), {"report": "instability", "note": "聚集上访苗头"}, follow=True)
    assert "已上报“不稳定因素”：已通知街道领导（1 人）" in r.content.decode()
    report = QuickReport.objects.get(kind=QuickReportKind.INSTABILITY)

    # Another worker's report is not confirmed to anyone else.
    client.force_login(world.users["worker_a1b"])
    page = client.get(reverse("keypersons:quick"), {"report": report.pk}).content.decode()
    assert 'data-testid="kp-quick-done"' not in page and "聚集上访苗头" not in page


def test_a_report_made_in_english_reaches_the_leaders_in_chinese(world):
    """The worker's phone in English; the leaders' notification and the case title in the office's Chinese."""
    with translation.override("en"):
        actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.INSTABILITY, note="聚集上访苗头",
                             place="东园路口")
        report = actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.DIRT, note="垃圾堆积",
                                      place="东园路口")
    message = Notification.objects.get(recipient=world.users["leader"], kind=actions.KIND_INSTABILITY).message
    with translation.override("zh-hans"):
        label = str(QuickReportKind.INSTABILITY.label)
        assert label not in ("Instability", "") and str(QuickReportKind.DIRT.label) != "Dirt"
        assert message.endswith(f"上报{label}：聚集上访苗头（东园路口）")
        assert report.case.title == f"{QuickReportKind.DIRT.label}（东园路口）"
