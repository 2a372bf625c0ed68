"""Real parallel transactions on PostgreSQL (threads, each with its own connection): the first
reports, first WeChat visits, merges and erasures that race. Skipped on SQLite, which has no
concurrent writers."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction

from wangge.residents import services
from wangge.residents.models import Resident, WechatIdentity
from wangge.testing.concurrency import run_in_threads  # noqa: E402

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no concurrent writers, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_first_reports_from_one_new_phone_give_one_resident():
    # As inside create_case: the resident is found or created early in a transaction that then
    # goes on for a while, so every thread looks before any has committed.
    def report(i: int) -> int:
        with transaction.atomic():
            resident = services.resident_for_report(name=f"居民{i}", phone="138 1234 1234", anonymous=False)
            time.sleep(0.2)
            return resident.pk

    results = run_in_threads(6, report)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Resident.objects.count() == 1
    resident = Resident.objects.get()
    assert resident.phone == "13812341234" and resident.name.startswith("居民")
    assert resident.phone_verified_at is None


def test_concurrent_first_wechat_visits_give_one_resident_and_no_orphans():
    def visit(i: int) -> int:
        with transaction.atomic():
            resident = services.resident_for_wechat(app_id="wx", openid="o-1")
            time.sleep(0.2)
            return resident.pk

    results = run_in_threads(6, visit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Resident.objects.count() == 1  # the losers' residents were rolled back with their savepoint
    assert WechatIdentity.objects.get().resident_id == results[0]


def test_two_openid_users_verifying_the_same_phone_at_once_both_merge_into_its_owner():
    owner = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    visitors = [services.resident_for_wechat(app_id="wx", openid=f"o-{i}").pk for i in range(2)]

    def verify(i: int) -> int:
        with transaction.atomic():
            kept = services.link_phone(resident=Resident.objects.get(pk=visitors[i]), phone="13812341234",
                                       verified=True)
            time.sleep(0.2)
            return kept.pk

    results = run_in_threads(2, verify)
    assert results == [owner.pk, owner.pk], results
    assert set(WechatIdentity.objects.values_list("resident_id", flat=True)) == {owner.pk}
    assert set(Resident.objects.filter(pk__in=visitors).values_list("merged_into_id", flat=True)) == {owner.pk}


def test_a_report_racing_an_erasure_never_lands_on_the_erased_row(monkeypatch):
    old = services.resident_for_report(name="张三", phone="13812341234", anonymous=False)
    # The erasure holds the row lock a while (its open-business checks are slow).
    import wangge.residents.services as module

    original = module.open_business

    def slow(resident):
        time.sleep(0.3)
        return original(resident)

    monkeypatch.setattr(module, "open_business", slow)

    def act(i: int):
        if i == 0:
            return services.anonymise_resident(resident=Resident.objects.get(pk=old.pk), reason="retention")
        time.sleep(0.1)  # the erasure has the lock
        with transaction.atomic():
            return services.resident_for_report(name="张三", phone="13812341234", anonymous=False)

    erased, reporter = run_in_threads(2, act)
    assert not isinstance(erased, Exception) and not isinstance(reporter, Exception), (erased, reporter)
    assert reporter.pk != old.pk
    fresh = Resident.objects.get(pk=reporter.pk)
    assert fresh.phone == "13812341234" and fresh.anonymised_at is None
    assert Resident.objects.get(pk=old.pk).anonymised_at is not None
