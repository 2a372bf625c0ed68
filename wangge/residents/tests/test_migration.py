"""The data migration cases/0011_link_reporters, called directly on a few cases."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as current_apps

from wangge.cases.models import Case
from wangge.residents.models import Resident

try:
    from wangge.testing import build_world, file_case
except ImportError:  # before the factories moved
    from wangge.core.testing import build_world, file_case

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wangge.cases.migrations.0011_link_reporters")


def _case(world, *, phone: str, name: str = "", anonymous: bool = False, days_ago: int = 0) -> Case:
    case = file_case(world)
    # The snapshot as an old case has it (filed before residents existed): written directly.
    Case.objects.filter(pk=case.pk).update(
        reporter=None, reporter_phone=phone, reporter_name=name, reporter_anonymous=anonymous,
        submitted_at=case.submitted_at - dt.timedelta(days=days_ago),
    )
    return case


def test_same_phone_in_two_formats_is_one_resident_anonymous_and_bad_phones_none():
    world = build_world()
    oldest = _case(world, phone="138 1234 1234", name="张三", days_ago=30)
    newest = _case(world, phone="13812341234", name="张叁", days_ago=1)
    unnamed = _case(world, phone="+86 138-1234-1234", name="", days_ago=0)
    other = _case(world, phone="010-62345678", name="李四")
    anonymous = _case(world, phone="13900001111", name="", anonymous=True)
    no_phone = _case(world, phone="", name="王五")
    bad_phone = _case(world, phone="不详", name="赵六")
    Resident.objects.all().delete()

    migration.link_reporters(current_apps, None)

    assert Resident.objects.count() == 2
    zhang = Resident.objects.get(phone="13812341234")
    assert zhang.name == "张叁"  # the most recent non-empty name
    assert zhang.phone_verified_at is None
    assert zhang.created_at == Case.objects.get(pk=oldest.pk).submitted_at
    assert zhang.last_seen_at == Case.objects.get(pk=unnamed.pk).submitted_at
    reporters = dict(Case.objects.values_list("pk", "reporter_id"))
    assert reporters[oldest.pk] == reporters[newest.pk] == reporters[unnamed.pk] == zhang.pk
    assert reporters[other.pk] == Resident.objects.get(phone="01062345678").pk
    assert reporters[anonymous.pk] is None and reporters[no_phone.pk] is None and reporters[bad_phone.pk] is None

    # Run again (idempotent), then reverse.
    migration.link_reporters(current_apps, None)
    assert Resident.objects.count() == 2
    migration.unlink_reporters(current_apps, None)
    assert not Case.objects.filter(reporter__isnull=False).exists()


def test_an_existing_resident_is_reused():
    world = build_world()
    case = _case(world, phone="138-1234-1234", name="张三")
    Resident.objects.all().delete()
    resident = Resident.objects.create(phone="13812341234", name="")
    migration.link_reporters(current_apps, None)
    assert Case.objects.get(pk=case.pk).reporter_id == resident.pk
    assert Resident.objects.count() == 1


def test_batches(monkeypatch):
    world = build_world()
    monkeypatch.setattr(migration, "CHUNK", 2)
    monkeypatch.setattr(migration, "BATCH", 2)
    cases = [_case(world, phone=f"1380000000{i % 3}", name=f"居民{i}") for i in range(7)]
    Resident.objects.all().delete()
    migration.link_reporters(current_apps, None)
    assert Resident.objects.count() == 3
    for i, case in enumerate(cases):
        assert Case.objects.get(pk=case.pk).reporter.phone == f"1380000000{i % 3}"
