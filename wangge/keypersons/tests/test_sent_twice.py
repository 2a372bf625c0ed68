"""A form sent twice — a double tap on a slow phone, or the browser resending after a dropped
signal — records once: one visit (and one case for help that needs handling), one 六报 (one
case, one round of notices), one 六到. Two different buttons of the same page are two records."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from wangge.cases.models import Case
from wangge.keypersons import actions
from wangge.keypersons.choices import QuickReportKind
from wangge.keypersons.errors import BadKeyPersonInput
from wangge.keypersons.models import Attendance, KeyPerson, QuickReport, Visit
from wangge.notifications.models import Notification
from wangge.org.models import User
from wangge.testing.concurrency import run_in_threads


def _token(page: str) -> str:
    return re.search(r'name="client_id" value="([0-9a-f-]{36})"', page).group(1)


def test_a_visit_sent_twice_records_one_visit_and_opens_one_case(world, register, client):
    person = register()
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:detail", args=[person.pk])).content.decode()
    form = {"client_id": _token(page), "place": "家中", "found": "屋顶漏水", "mood": "anxious",
            "help_needed": "case", "need_note": "屋顶漏水需要维修"}
    first = client.post(reverse("keypersons:visit", args=[person.pk]), form)
    second = client.post(reverse("keypersons:visit", args=[person.pk]), form)
    assert first.status_code == second.status_code == 302
    assert Visit.objects.count() == 1 and Case.objects.count() == 1
    assert Visit.objects.get().case == Case.objects.get()
    # The next visit is a new form (a new token): it is recorded.
    page = client.get(reverse("keypersons:detail", args=[person.pk])).content.decode()
    assert _token(page) != form["client_id"]
    client.post(reverse("keypersons:visit", args=[person.pk]),
                {"client_id": _token(page), "found": "已修好", "mood": "stable", "help_needed": "none"})
    assert Visit.objects.count() == 2 and Case.objects.count() == 1


def test_a_refused_visit_keeps_its_token_and_writes_nothing(world, register, client):
    person = register()
    client.force_login(world.users["worker_a1"])
    token = str(uuid.uuid4())
    r = client.post(reverse("keypersons:visit", args=[person.pk]),
                    {"client_id": token, "mood": "stable", "help_needed": "case"})
    assert r.status_code == 200 and _token(r.content.decode()) == token and not Visit.objects.exists()
    r = client.post(reverse("keypersons:visit", args=[person.pk]),
                    {"client_id": token, "mood": "stable", "help_needed": "case", "need_note": "楼道灯坏了"})
    assert r.status_code == 302 and Visit.objects.count() == 1 and Case.objects.count() == 1


def test_a_token_is_the_senders_own(world, register):
    person = register()
    token = uuid.uuid4()
    actions.record_visit(actor=world.users["worker_a1"], person=person, found="在家", client_id=token)
    with pytest.raises(BadKeyPersonInput):
        actions.record_visit(actor=world.users["chief_a1"], person=person, found="在家", client_id=token)
    other = KeyPerson.objects.create(**{f.attname: getattr(person, f.attname) for f in KeyPerson._meta.concrete_fields
                                        if f.attname not in ("id", "resident_id")})
    with pytest.raises(BadKeyPersonInput):  # the same token for another person is not a resend
        actions.record_visit(actor=world.users["worker_a1"], person=other, found="在家", client_id=token)
    with pytest.raises(BadKeyPersonInput):
        actions.record_visit(actor=world.users["worker_a1"], person=person, client_id="not-a-token")
    assert Visit.objects.count() == 1


def test_a_quick_report_tapped_twice_files_one_case_and_the_other_button_still_counts(world, client):
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:quick")).content.decode()
    form = {"client_id": _token(page), "place": "3号楼北侧", "note": "井盖缺失"}
    first = client.post(reverse("keypersons:quick"), {**form, "report": QuickReportKind.DAMAGE})
    second = client.post(reverse("keypersons:quick"), {**form, "report": QuickReportKind.DAMAGE})
    assert first["Location"] == second["Location"]
    assert QuickReport.objects.count() == 1 and Case.objects.count() == 1
    # Another button of the same page (before it reloaded) is another report.
    client.post(reverse("keypersons:quick"), {**form, "report": QuickReportKind.HAZARD})
    assert QuickReport.objects.count() == 2 and Case.objects.count() == 2
    for _ in range(2):
        client.post(reverse("keypersons:quick"), {**form, "attend": "illness"})
    assert Attendance.objects.count() == 1
    done = client.get(first["Location"]).content.decode()
    assert QuickReport.objects.get(kind=QuickReportKind.DAMAGE).case.number in done


def test_an_instability_report_sent_twice_tells_the_leaders_once(world):
    token = uuid.uuid4()
    for _ in range(2):
        actions.quick_report(actor=world.users["worker_a1"], kind=QuickReportKind.INSTABILITY,
                             note="两户因停车争吵", client_id=token)
    assert QuickReport.objects.count() == 1
    assert Notification.objects.filter(kind=actions.KIND_INSTABILITY).count() == QuickReport.objects.get().notified


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: real concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_the_same_visit_sent_at_once_from_two_connections_records_one(world, register):
    person = register()
    pk, token = world.users["worker_a1"].pk, uuid.uuid4()
    results = run_in_threads(3, lambda i: actions.record_visit(
        actor=User.objects.get(pk=pk), person=KeyPerson.objects.get(pk=person.pk), help_needed="case",
        need_note="屋顶漏水", client_id=token))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.pk for r in results} == {Visit.objects.get().pk} and Case.objects.count() == 1
    token = uuid.uuid4()
    results = run_in_threads(3, lambda i: actions.quick_report(
        actor=User.objects.get(pk=pk), kind=QuickReportKind.DIRT, place="菜市场门口", client_id=token))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert QuickReport.objects.count() == 1 and Case.objects.count() == 2
