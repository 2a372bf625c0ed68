"""PostgreSQL: the record is append-only in the database itself. A raw UPDATE or DELETE on the
timeline, the data-access logs or the sign-in records is refused; only the maintenance switch lets
a DELETE through (``prune_audit``), and a resident merge may re-point its access log, nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from wangge.audit.actions import record_sign_in
from wangge.audit.choices import SignInKind
from wangge.audit.maintenance import audit_maintenance
from wangge.audit.models import SignInRecord
from wangge.cases.actions import reveal_reporter
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseEvent, ReporterAccessLog
from wangge.residents.models import Resident, ResidentAccessLog
from wangge.testing import case_in_state

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        assert "append-only" in str(exc)
        return True
    return False


@pytest.fixture
def record(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    reveal_reporter(case=case, actor=world.users["leader"], ip_address="10.0.0.8")
    record_sign_in(kind=SignInKind.LOGIN, user=world.users["leader"])
    return case


def test_raw_updates_and_deletes_on_the_record_are_refused(record):
    event = CaseEvent.objects.filter(case=record).first()
    assert refused("UPDATE cases_caseevent SET note = 'x' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    assert refused("UPDATE cases_reporteraccesslog SET ip_address = '10.9.9.9'")
    assert refused("DELETE FROM cases_reporteraccesslog")
    assert refused("UPDATE residents_residentaccesslog SET purpose = 'x'")
    assert refused("DELETE FROM residents_residentaccesslog")
    assert refused("UPDATE audit_signinrecord SET username = 'someone else'")
    assert refused("DELETE FROM audit_signinrecord")
    with pytest.raises(DatabaseError), transaction.atomic():
        Case.objects.filter(pk=record.pk).delete()  # the events would go with it
    assert CaseEvent.objects.filter(case=record).count() == 3  # filed, accepted, reporter data viewed
    assert ReporterAccessLog.objects.filter(case=record).exists() and SignInRecord.objects.exists()


def test_a_merge_may_re_point_the_resident_access_log_and_change_nothing_else(record):
    other = Resident.objects.create(phone="13900001111")
    row = ResidentAccessLog.objects.get()
    assert not refused("UPDATE residents_residentaccesslog SET resident_id = %s", [other.pk])
    assert ResidentAccessLog.objects.get().resident_id == other.pk
    assert refused("UPDATE residents_residentaccesslog SET resident_id = %s, purpose = 'x'", [row.resident_id])


def test_the_maintenance_switch_lets_deletes_through_for_its_block_only(record):
    with audit_maintenance():
        Case.objects.filter(pk=record.pk).delete()
    assert not CaseEvent.objects.filter(case_id=record.pk).exists()
    assert refused("DELETE FROM audit_signinrecord")  # the switch is off again in the same transaction
    with audit_maintenance():
        assert refused("UPDATE audit_signinrecord SET username = 'x'")  # never an update


def test_prune_audit_deletes_old_sign_ins_through_the_guard(record):
    old = record_sign_in(kind=SignInKind.FAILED, username="guess")
    with connection.cursor() as cursor:  # back-date it (as if written 400 days ago): replica skips the trigger
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_signinrecord SET at = %s WHERE id = %s",
                       [timezone.now() - dt.timedelta(days=400), old.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    call_command("prune_audit", stdout=None)
    assert list(SignInRecord.objects.values_list("kind", flat=True)) == [SignInKind.LOGIN]
