"""The work diary: exactly one local day's work, closing, corrections on a closed day, sign-off,
who reads it, the month's Excel and PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wangge.core.errors import NotFound
from wangge.diary import actions, days, selectors
from wangge.diary.choices import DayStatus, NoteSection
from wangge.diary.errors import DayClosed, DayNotClosed, DiaryForbidden
from wangge.diary.models import DiaryDay
from wangge.diary.sources import lines_for
from wangge.keypersons import actions as kp
from wangge.keypersons.choices import AttendanceKind, QuickReportKind

from .conftest import local


def _at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return local(day.year, day.month, day.day, hh, mm)


@pytest.fixture
def day_of_work(world, register):
    """A day D (two days ago) with work just before, inside and just after it (Beijing time)."""
    worker = world.users["worker_a1"]
    d = days.today() - dt.timedelta(days=2)
    person = register(registered_at=_at(d - dt.timedelta(days=5), 9, 0))

    def visit(at):
        return kp.record_visit(actor=worker, person=person, visited_at=at, found="走访", now=at + dt.timedelta(hours=1))

    visit(_at(d - dt.timedelta(days=1), 23, 59))  # the day before
    inside = [visit(_at(d, 0, 1))]
    att = kp.record_attendance(actor=worker, kind=AttendanceKind.MUTUAL_AID, at=_at(d, 12, 0),
                               now=_at(d, 13, 0))
    rep = kp.quick_report(actor=worker, kind=QuickReportKind.HAZARD, note="井盖缺失", at=_at(d, 23, 58),
                          now=_at(d, 23, 59))
    visit(_at(d + dt.timedelta(days=1), 0, 0))  # the day after, at midnight sharp
    return d, inside[0], att, rep


def test_the_diary_lists_exactly_that_days_work(world, day_of_work):
    d, visit, att, rep = day_of_work
    lines = lines_for(world.users["worker_a1"], d)
    assert [(ln.source, ln.at) for ln in lines] == [
        ("keypersons.visits", visit.visited_at),
        ("keypersons.attendance", att.at),
        ("cases", rep.at),  # the case filed from the hazard report
        ("keypersons.reports", rep.at),
    ]
    assert rep.case.number in lines[2].text
    # The other workers' diaries of that day hold none of it.
    assert lines_for(world.users["worker_a1b"], d) == []


def test_a_closed_day_refuses_edits_and_takes_a_dated_correction(world, day_of_work, register):
    d, *_ = day_of_work
    worker = world.users["worker_a1"]
    actions.add_note(actor=worker, day=d, text="下午参加社区例会", section=NoteSection.WORK)
    assert actions.close_ended_days() >= 1
    row = DiaryDay.objects.get(worker=worker, day=d)
    assert row.status == DayStatus.CLOSED and len(row.lines) == 4
    with pytest.raises(DayClosed):
        actions.add_note(actor=worker, day=d, text="补记")
    with pytest.raises(DayClosed):
        actions.set_weather(actor=worker, day=d, weather="晴")
    note = actions.add_correction(actor=worker, diary_day=row, text="更正：井盖为雨水井盖")
    assert note.is_correction and days.local_day(note.written_at) == days.today()
    # Work backdated into the closed day later does not change what the day says.
    person = register(name="新人", phone="", registered_at=_at(d - dt.timedelta(days=3), 9, 0))
    kp.record_visit(actor=worker, person=person, visited_at=_at(d, 15, 0))
    view = selectors.day_view(worker, worker, d)
    assert len(view.lines) == 4 and [n.text for n in view.notes] == ["下午参加社区例会", "更正：井盖为雨水井盖"]


def test_closing_leaves_today_open_and_makes_yesterday_for_every_field_worker(world):
    today = days.today()
    actions.add_note(actor=world.users["worker_a1"], day=today, text="今日巡查")
    actions.close_ended_days()
    assert DiaryDay.objects.get(worker=world.users["worker_a1"], day=today).status == DayStatus.OPEN
    yesterday = DiaryDay.objects.filter(day=today - dt.timedelta(days=1))
    assert {r.worker.username for r in yesterday} >= {"worker_a1", "worker_b1", "chief_a1"}
    assert all(r.status == DayStatus.CLOSED for r in yesterday)
    with pytest.raises(DayNotClosed):
        actions.add_correction(actor=world.users["worker_a1"], diary_day=DiaryDay.objects.get(
            worker=world.users["worker_a1"], day=today), text="x")


def test_sign_off_by_the_grid_chief_only_on_a_closed_day(world):
    worker, chief = world.users["worker_a1"], world.users["chief_a1"]
    today = days.today()
    actions.add_note(actor=worker, day=today, text="今日巡查")
    open_day = DiaryDay.objects.get(worker=worker, day=today)
    with pytest.raises(DayNotClosed):
        actions.sign_off(actor=chief, diary_day=open_day)
    actions.close_ended_days(now=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(DiaryForbidden):
        actions.sign_off(actor=worker, diary_day=open_day)
    with pytest.raises(NotFound):
        actions.sign_off(actor=world.users["secretary_b"], diary_day=open_day)
    row = actions.sign_off(actor=chief, diary_day=open_day, note="已阅")
    assert (row.status, row.signed_by, row.sign_note) == (DayStatus.SIGNED, chief, "已阅")
    with pytest.raises(DayClosed):
        actions.sign_off(actor=world.users["secretary_a"], diary_day=open_day)


def test_only_the_worker_and_superiors_read_the_diary(world, client):
    worker = world.users["worker_a1"]
    day_url = reverse("diary:day", args=[worker.pk, days.today().isoformat()])
    for who, status in [("worker_a1", 200), ("chief_a1", 200), ("secretary_a", 200), ("leader", 200),
                        ("worker_b1", 404), ("secretary_b", 404), ("worker_a1b", 404), ("clerk", 404)]:
        client.force_login(world.users[who])
        assert client.get(day_url).status_code == status, who
        api = client.get("/api/v1/diary/day/", {"worker": worker.pk})
        assert api.status_code == status, who


def test_notes_through_the_api_and_a_month_as_excel_and_pdf(world, client):
    worker = world.users["worker_a1"]
    client.force_login(worker)
    r = client.post("/api/v1/diary/notes/", {"day": days.today().isoformat(), "text": "入户走访3户",
                                             "section": "work"}, content_type="application/json")
    assert r.status_code == 201
    r = client.post("/api/v1/diary/notes/", {"day": days.today().isoformat(), "text": ""},
                    content_type="application/json")
    assert r.status_code == 400
    data = client.get("/api/v1/diary/day/").json()
    assert [n["text"] for n in data["notes"]] == ["入户走访3户"]
    month = days.today().strftime("%Y-%m")
    client.force_login(world.users["chief_a1"])
    xlsx = client.get(reverse("diary:month", args=[worker.pk, month, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(reverse("diary:month", args=[worker.pk, month, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world.users["worker_b1"])
    assert client.get(reverse("diary:month", args=[worker.pk, month, "pdf"])).status_code == 404


def test_a_busy_day_still_prints(world, client):
    worker = world.users["worker_a1"]
    for i in range(40):
        actions.add_note(actor=worker, day=days.today(), text=f"第{i}条：" + "巡查背街小巷，清理楼道杂物。" * 50)
    client.force_login(worker)
    pdf = client.get(reverse("diary:month", args=[worker.pk, days.today().strftime("%Y-%m"), "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_chiefs_own_diary_leads_to_the_days_waiting_for_sign_off(world, client):
    """A grid chief keeps a diary and signs the grid's: their day page says how many wait."""
    worker, chief = world.users["worker_a1"], world.users["chief_a1"]
    actions.add_note(actor=worker, day=days.today(), text="今日巡查")
    actions.close_ended_days(now=timezone.now() + dt.timedelta(days=1))
    client.force_login(chief)
    page = client.get(reverse("diary:today"), follow=True).content.decode()
    waiting = selectors.awaiting_sign_off(chief).count()
    assert waiting >= 1
    assert f'href="{reverse("diary:team")}" data-testid="diary-to-sign">待签阅的日记 ({waiting})</a>' in page
    row = DiaryDay.objects.get(worker=worker, day=days.today())
    actions.sign_off(actor=chief, diary_day=row)
    left = selectors.awaiting_sign_off(chief).count()
    assert left == waiting - 1
    page = client.get(reverse("diary:today"), follow=True).content.decode()
    assert 'data-testid="diary-to-sign">待签阅的日记' + (f" ({left})" if left else "") + "</a>" in page
    client.force_login(worker)
    assert 'data-testid="diary-to-sign"' not in client.get(reverse("diary:today"), follow=True).content.decode()
