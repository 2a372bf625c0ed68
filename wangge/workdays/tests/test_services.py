"""Loading a year's holiday arrangement (节假日安排): parsing what an admin pastes, validation,
storage in one transaction, and the recomputation queued after commit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from wangge.notifications.models import Notification, NotificationKind
from wangge.workdays.calendar import load_calendar
from wangge.workdays.models import CalendarDay, CalendarYear
from wangge.workdays.services import CalendarInputError, DayEntry, load_calendar_year, parse_calendar_text

D = dt.date

NOTICE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（示例）
2027-01-01,holiday,元旦

2027-02-06~2027-02-12,holiday,春节
2027-02-14，班，春节调休
2027-02-20\tworkday\t春节调休
"""


def test_parse_the_pasted_notice():
    entries = parse_calendar_text(NOTICE_2027)
    assert entries[0] == DayEntry(D(2027, 1, 1), False, "元旦")
    spring = [e for e in entries if e.name == "春节"]
    assert [e.date for e in spring] == [D(2027, 2, d) for d in range(6, 13)]
    assert all(not e.is_workday for e in spring)
    assert [e for e in entries if e.is_workday] == [
        DayEntry(D(2027, 2, 14), True, "春节调休"), DayEntry(D(2027, 2, 20), True, "春节调休")]


def test_parse_reports_every_bad_line_by_number():
    text = "2027-01-01,holiday,元旦\n2027-13-01,holiday,错\n2027-02-03,maybe,错\nnonsense\n2027-03-05~2027-03-01,休\n"
    with translation.override("en"):
        with pytest.raises(CalendarInputError) as info:
            parse_calendar_text(text)
    messages = info.value.messages
    assert len(messages) == 4
    assert messages[0].startswith("Line 2:") and "2027-13-01" in messages[0]
    assert messages[1].startswith("Line 3:") and "maybe" in messages[1]
    assert messages[2].startswith("Line 4:")
    assert messages[3].startswith("Line 5:")


def test_parse_messages_are_in_chinese_by_default():
    with translation.override("zh-hans"):
        with pytest.raises(CalendarInputError) as info:
            parse_calendar_text("2027-01-01,holiday\n2027-02-30,holiday,错\n")
    assert info.value.messages == ["第2行：“2027-02-30”不是有效日期（请写成 YYYY-MM-DD）。"]


def test_parse_refuses_an_empty_paste():
    with pytest.raises(CalendarInputError):
        parse_calendar_text("# only a comment\n\n")


@pytest.mark.django_db
def test_load_a_year(django_capture_on_commit_callbacks):
    from wangge.testing import make_user

    admin = make_user(username="cal-admin", is_superuser=True)
    Notification.objects.create(recipient=admin, kind=NotificationKind.CALENDAR, message="请导入2027年节假日安排", dedupe_key="calendar:2027")
    assert not load_calendar().is_known_year(2027)
    with django_capture_on_commit_callbacks() as callbacks:
        year = load_calendar_year(year=2027, days=parse_calendar_text(NOTICE_2027), source="国办发明电〔2026〕", actor=admin)
    assert len(callbacks) == 1  # the recomputation is queued after commit
    assert (year.year, year.source, year.loaded_by) == (2027, "国办发明电〔2026〕", admin)
    assert CalendarDay.objects.filter(date__year=2027).count() == 10
    calendar = load_calendar()
    assert calendar.is_known_year(2027)
    assert calendar.is_workday(D(2027, 2, 8)) == (False, False)  # Monday in the Spring Festival
    assert calendar.is_workday(D(2027, 2, 14)) == (True, False)  # make-up Sunday
    assert calendar.is_workday(D(2027, 3, 1)) == (True, False)  # ordinary Monday, now certain
    assert Notification.objects.get(recipient=admin).read_at is not None

    # Loading the year again replaces it (a corrected notice).
    load_calendar_year(year=2027, days=[(D(2027, 1, 1), False, "元旦")], source="更正", actor=admin)
    assert CalendarDay.objects.filter(date__year=2027).count() == 1
    assert CalendarYear.objects.get(year=2027).source == "更正"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "days, words",
    [
        ([(D(2027, 1, 1), False, "元旦"), (D(2028, 1, 1), False, "元旦")], "2028-01-01 is not in 2027"),
        ([(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 1), True, "元旦")], "more than once"),
        ([], "No days"),
    ],
)
def test_load_refuses_bad_days_and_writes_nothing(days, words, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(CalendarInputError) as info:
            load_calendar_year(year=2027, days=days, source="", actor=None)
    assert any(words in m for m in info.value.messages), info.value.messages
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_management_command_loads_a_file(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    out = io.StringIO()
    call_command("load_calendar", str(path), source="国办发明电", stdout=out)
    assert CalendarYear.objects.get().year == 2027
    assert CalendarDay.objects.count() == 10
    assert "2027" in out.getvalue()


@pytest.mark.django_db
def test_management_command_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("2027-01-01,holiday,元旦\n2027-01-32,holiday,错\n", encoding="utf-8")
    with translation.override("en"):
        with pytest.raises(CommandError, match="Line 2"):
            call_command("load_calendar", str(path))
        mixed = tmp_path / "mixed.txt"
        mixed.write_text("2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", encoding="utf-8")
        with pytest.raises(CommandError, match="--year"):
            call_command("load_calendar", str(mixed))
        with pytest.raises(CommandError):
            call_command("load_calendar", str(tmp_path / "missing.txt"))
    assert not CalendarYear.objects.exists()


def test_a_single_day_inside_a_range_is_its_exception_whichever_comes_first():
    """The form's own example: 春节 as a range, one 调休 working day inside it."""
    for text in ("2027-02-06~2027-02-12,holiday,春节\n2027-02-07,workday,春节调休\n",
                 "2027-02-07,workday,春节调休\n2027-02-06~2027-02-12,holiday,春节\n"):
        entries = parse_calendar_text(text)
        assert [(e.date.day, e.is_workday) for e in entries] == [(6, False), (7, True), (8, False), (9, False),
                                                                  (10, False), (11, False), (12, False)]


def test_the_same_day_given_twice_names_both_lines():
    with translation.override("en"):
        with pytest.raises(CalendarInputError) as info:
            parse_calendar_text("2027-01-01,holiday,元旦\n2027-01-01,workday,元旦\n")
    assert info.value.messages == ["Line 2: 2027-01-01 is already given on line 1."]
    with pytest.raises(CalendarInputError):
        parse_calendar_text("2027-02-06~2027-02-12,holiday,春节\n2027-02-10~2027-02-14,holiday,春节\n")


# The admin form (日历年份 › 增加): refusals come before saving, and a built-in year is not lost.


@pytest.fixture
def admin_client(db):
    from django.test import Client

    from wangge.testing import make_user

    client = Client()
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


def _add_year(client, year: int, days: str, **extra):
    return client.post("/admin/workdays/calendaryear/add/", {"year": year, "source": "国办发明电", "days": days,
                                                              **extra})


def test_the_example_of_the_form_is_accepted(admin_client):
    response = _add_year(admin_client, 2027, "2027-01-01,holiday,元旦\n2027-02-06~2027-02-12,holiday,春节\n"
                                             "2027-02-07,workday,春节调休")
    assert response.status_code == 302
    calendar = load_calendar()
    assert calendar.is_workday(D(2027, 2, 7)) == (True, False) and calendar.is_workday(D(2027, 2, 8)) == (False, False)


def test_a_refused_year_is_not_said_to_be_added_and_keeps_the_paste(admin_client):
    pasted = "2027-01-01,holiday,元旦\n2027-01-01,workday,元旦"
    response = _add_year(admin_client, 2027, pasted)
    page = response.content.decode()
    assert response.status_code == 200 and "2027-01-01" in page and pasted.split("\n")[1] in page
    assert "成功" not in page and not CalendarYear.objects.exists()


def test_correcting_one_day_of_a_built_in_year_does_not_erase_its_holidays(admin_client):
    response = _add_year(admin_client, 2026, "2026-12-31,holiday,测试")
    page = response.content.decode()
    assert response.status_code == 200 and "2026-01-01,holiday,元旦" in page and not CalendarYear.objects.exists()
    assert load_calendar().is_workday(D(2026, 10, 1)) == (False, False)  # 国庆节, as the package says
    # Meant: the whole year replaced by exactly these lines.
    assert _add_year(admin_client, 2026, "2026-12-31,holiday,测试", replace_builtin="on").status_code == 302
    assert load_calendar().is_workday(D(2026, 10, 1)) == (True, False)
