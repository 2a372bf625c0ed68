"""Sign-ins are part of the audit: who signed in, out or failed, from where, when — kept for the
retention the law asks (at least six months) and pruned after it, nothing else with them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from wangge.audit.actions import prune_sign_ins, record_sign_in
from wangge.audit.checks import audit_retention
from wangge.audit.choices import SignInKind
from wangge.audit.models import SignInRecord
from wangge.cases.actions import reveal_reporter
from wangge.cases.choices import CaseStatus
from wangge.cases.models import CaseEvent, ReporterAccessLog
from wangge.testing import case_in_state

from .helpers import behind_the_back

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0) 测试浏览器"


def test_sign_in_failure_and_sign_out_are_recorded_with_address_and_browser(world, client):
    client.post(reverse("login"), {"username": "clerk", "password": "wrong"},
                REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT=BROWSER)
    client.post(reverse("login"), {"username": "clerk", "password": "pw"},
                REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT=BROWSER)
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.4")

    rows = list(SignInRecord.objects.order_by("pk").values_list("kind", "username", "user_id", "ip_address",
                                                                "user_agent"))
    clerk = world.users["clerk"].pk
    assert rows == [
        (SignInKind.FAILED, "clerk", None, "10.1.2.3", BROWSER),
        (SignInKind.LOGIN, "clerk", clerk, "10.1.2.3", BROWSER),
        (SignInKind.LOGOUT, "clerk", clerk, "10.1.2.4", ""),
    ]
    assert [r.success for r in SignInRecord.objects.order_by("pk")] == [False, True, True]


def _backdate(record: SignInRecord, days: int) -> None:
    with behind_the_back() as cursor:
        cursor.execute("UPDATE audit_signinrecord SET at = %s WHERE id = %s",
                       [timezone.now() - dt.timedelta(days=days), record.pk])


@override_settings(WANGGE_AUDIT_RETENTION_DAYS=200)
def test_prune_deletes_only_sign_ins_older_than_the_retention(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    reveal_reporter(case=case, actor=world.users["leader"])
    old, kept = record_sign_in(kind=SignInKind.LOGIN, user=world.users["clerk"]), record_sign_in(
        kind=SignInKind.LOGIN, user=world.users["leader"])
    _backdate(old, 201)
    _backdate(kept, 199)
    events = CaseEvent.objects.count()

    out = StringIO()
    with override("en"):
        call_command("prune_audit", "--dry-run", stdout=out)
    assert SignInRecord.objects.count() == 2 and out.getvalue().startswith("1 sign-in records older than 200 days")
    call_command("prune_audit", stdout=StringIO())

    assert list(SignInRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert CaseEvent.objects.count() == events and ReporterAccessLog.objects.count() == 1


def test_a_retention_under_six_months_is_refused(db):
    with override_settings(WANGGE_AUDIT_RETENTION_DAYS=179):
        assert [e.id for e in audit_retention()] == ["wangge.audit.E001"]
        with pytest.raises(ValueError):
            prune_sign_ins()
    with override_settings(WANGGE_AUDIT_RETENTION_DAYS=180):
        assert audit_retention() == []
    assert audit_retention() == []  # the default: 365 days
