"""Real parallel transactions on PostgreSQL (skipped on SQLite, which has one writer): the first
notes of a day racing each other, a note racing the end-of-day close, two retirements at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from wangge.diary import actions, days
from wangge.diary.errors import DayClosed
from wangge.diary.models import DiaryDay, DiaryNote
from wangge.keypersons import actions as kp
from wangge.keypersons.errors import KeyPersonRetired
from wangge.keypersons.models import KeyPerson
from wangge.org.models import User
from wangge.testing.concurrency import run_in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: real concurrent writers"),
    pytest.mark.django_db(transaction=True),
]


def test_the_first_notes_of_a_day_at_once_make_one_day(world):
    pk = world.users["worker_a1"].pk
    results = run_in_threads(4, lambda i: actions.add_note(actor=User.objects.get(pk=pk), day=days.today(),
                                                           text=f"第{i}条"))
    assert not [r for r in results if isinstance(r, Exception)]
    assert DiaryDay.objects.filter(worker_id=pk).count() == 1
    assert DiaryNote.objects.filter(diary_day__worker_id=pk).count() == 4


def test_a_note_racing_the_close_lands_before_it_or_is_refused(world):
    pk = world.users["worker_a1"].pk
    yesterday = days.today() - dt.timedelta(days=1)
    actions.add_note(actor=User.objects.get(pk=pk), day=yesterday, text="上午巡查")
    row = DiaryDay.objects.get(worker_id=pk, day=yesterday)

    def go(i):
        if i == 0:
            return actions.close_day(diary_day=row)
        return actions.add_note(actor=User.objects.get(pk=pk), day=yesterday, text=f"补记{i}")

    results = run_in_threads(4, go)
    assert all(not isinstance(r, Exception) or isinstance(r, DayClosed) for r in results), results
    row.refresh_from_db()
    assert row.status == "closed"
    late = DiaryNote.objects.filter(diary_day=row, is_correction=False, written_at__gt=row.closed_at)
    assert not late.exists()


def test_two_retirements_at_once_retire_once(world, register):
    person = register()
    actor_pk = world.users["secretary_a"].pk
    results = run_in_threads(2, lambda i: kp.retire_key_person(
        actor=User.objects.get(pk=actor_pk), person=KeyPerson.objects.get(pk=person.pk), reason=f"原因{i}"))
    assert sum(isinstance(r, KeyPerson) for r in results) == 1
    assert sum(isinstance(r, KeyPersonRetired) for r in results) == 1
