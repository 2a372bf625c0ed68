"""workdays tells the rest of the system a year was loaded — after commit, and only then."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.workdays.models import CalendarYear
from wangge.workdays.services import CalendarInputError, load_calendar_year
from wangge.workdays.signals import calendar_year_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs["year"]))

    calendar_year_loaded.connect(receiver)
    yield seen
    calendar_year_loaded.disconnect(receiver)


def test_loading_a_year_sends_the_signal_after_commit(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        load_calendar_year(year=2027, days=[(dt.date(2027, 1, 1), False, "元旦")])
    assert received == []  # not before commit
    for callback in callbacks:
        callback()
    assert received == [(CalendarYear, 2027)]


def test_a_refused_load_sends_nothing(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CalendarInputError):
        load_calendar_year(year=2027, days=[])
    assert received == []


def test_cases_listen_to_it(monkeypatch):
    """The cases app recomputes its provisional deadlines (in the background) when told."""
    from wangge.cases import tasks

    enqueued = []
    monkeypatch.setattr(tasks, "recompute_provisional_deadlines",
                        type("FakeTask", (), {"enqueue": staticmethod(enqueued.append)})())
    calendar_year_loaded.send(sender=CalendarYear, year=2031)
    assert enqueued == [2031]
