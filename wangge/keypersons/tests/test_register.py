"""The register: scope (another grid's person is a 404), masking, the logged full view, the
authorised and logged export, retire with a reason, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wangge.core.errors import NotFound
from wangge.keypersons import actions, selectors
from wangge.keypersons.errors import (
    BadKeyPersonInput,
    ExportForbidden,
    KeyPersonRetired,
)
from wangge.keypersons.models import KeyPerson, KeyPersonAccessLog


def test_a_worker_of_another_grid_gets_404_everywhere(world, register, client):
    person = register()
    other = world.users["worker_b1"]
    assert person not in selectors.key_persons_visible_to(other)
    with pytest.raises(NotFound):
        selectors.key_person_for(other, person.pk)
    with pytest.raises(NotFound):
        actions.reveal_key_person(actor=other, person=person)
    client.force_login(other)
    assert client.get(reverse("keypersons:detail", args=[person.pk])).status_code == 404
    assert client.post(reverse("keypersons:reveal", args=[person.pk])).status_code == 404
    assert client.get(f"/api/v1/keypersons/{person.pk}/").status_code == 404
    assert client.post(f"/api/v1/keypersons/{person.pk}/reveal/", {}).status_code == 404
    assert KeyPersonAccessLog.objects.count() == 0


@pytest.mark.parametrize("who", ["clerk", "chengguan"])
def test_intake_clerks_and_departments_do_not_see_key_persons(world, register, client, who):
    person = register()
    client.force_login(world.users[who])
    assert client.get(f"/api/v1/keypersons/{person.pk}/").status_code == 404
    assert client.get("/api/v1/keypersons/").json()["count"] == 0


@pytest.mark.parametrize("who", ["worker_a1", "chief_a1", "secretary_a", "leader", "district_leader"])
def test_the_grid_and_its_superiors_see_the_person(world, register, who):
    person = register()
    assert selectors.key_person_for(world.users[who], person.pk) == person


def test_masked_by_default_and_every_full_view_logged(world, register, client):
    person = register()
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:detail", args=[person.pk])).content.decode()
    assert "13812345678" not in page and "110105194901011234" not in page and "2单元501" not in page
    assert "138****5678" in page
    api = client.get(f"/api/v1/keypersons/{person.pk}/").json()
    assert api["phone"] == "138****5678" and api["id_number"] == "110105********1234"
    assert KeyPersonAccessLog.objects.count() == 0

    shown = client.post(reverse("keypersons:reveal", args=[person.pk]), {"purpose": "visit"}).content.decode()
    assert "13812345678" in shown and "110105194901011234" in shown
    data = client.post(f"/api/v1/keypersons/{person.pk}/reveal/", {"purpose": "call"}).json()
    assert data["phone"] == "13812345678"
    logs = list(KeyPersonAccessLog.objects.order_by("pk"))
    assert [(log.user, log.key_person, log.kind, log.granted, log.purpose) for log in logs] == [
        (world.users["worker_a1"], person, "reveal", True, "visit"),
        (world.users["worker_a1"], person, "reveal", True, "call"),
    ]


def test_export_by_an_unauthorised_role_is_refused_and_logged(world, register, client):
    register()
    with pytest.raises(ExportForbidden):
        actions.export_key_persons(actor=world.users["worker_a1"])
    log = KeyPersonAccessLog.objects.get()
    assert (log.kind, log.granted, log.rows, log.user) == ("export", False, 0, world.users["worker_a1"])
    client.force_login(world.users["worker_a1"])
    response = client.post(reverse("keypersons:export"))
    assert response.status_code == 302 and "spreadsheet" not in response.get("Content-Type", "")


def test_an_authorised_export_is_logged_and_holds_only_the_scope(world, register, client):
    register()
    register(grid=world.grids[1], worker=None, name="李四", phone="13900000001")
    register(grid=world.grids[2], worker="worker_b1", name="王五", phone="13900000002")
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("keypersons:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    log = KeyPersonAccessLog.objects.get()
    assert (log.kind, log.granted, log.rows, log.user) == ("export", True, 2, world.users["secretary_a"])
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    names = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert names == {"张秀英", "李四"}


def test_retire_needs_a_reason_and_never_deletes(world, register):
    person = register()
    with pytest.raises(BadKeyPersonInput):
        actions.retire_key_person(actor=world.users["worker_a1"], person=person, reason="  ")
    person.refresh_from_db()
    assert person.is_active
    actions.retire_key_person(actor=world.users["worker_a1"], person=person, reason="搬离本社区")
    person.refresh_from_db()
    assert (person.is_active, person.retire_reason, person.retired_by) == (False, "搬离本社区", world.users["worker_a1"])
    with pytest.raises(KeyPersonRetired):
        actions.retire_key_person(actor=world.users["worker_a1"], person=person, reason="again")
    assert person not in selectors.key_persons_visible_to(world.users["worker_a1"])
    assert selectors.key_person_for(world.users["worker_a1"], person.pk) == person  # still readable


def test_the_database_refuses_a_retirement_without_reason(world, register):
    person = register()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyPerson.objects.filter(pk=person.pk).update(is_active=False, retired_at=timezone.now())


def test_retention_erases_retired_persons_past_the_period_only(world, register, settings):
    settings.WANGGE_KEYPERSON_RETENTION_DAYS = 30
    old, recent, active = register(), register(name="李四", phone="13900000001"), register(name="王五", phone="")
    actions.retire_key_person(actor=world.users["secretary_a"], person=old, reason="去世")
    actions.retire_key_person(actor=world.users["secretary_a"], person=recent, reason="搬走")
    KeyPerson.objects.filter(pk=old.pk).update(retired_at=timezone.now() - dt.timedelta(days=31))
    assert actions.anonymise_retired_key_persons() == 1
    old.refresh_from_db(), recent.refresh_from_db(), active.refresh_from_db()
    assert (old.name, old.phone, old.id_number, old.address) == ("", "", "", "") and old.anonymised_at
    assert recent.name == "李四" and active.name == "王五"
    assert actions.anonymise_retired_key_persons() == 0


def test_bad_input_changes_nothing(world, register, tags, client):
    with pytest.raises(BadKeyPersonInput):
        actions.register_key_person(actor=world.users["worker_a1"], grid=world.grids[0], name="赵六",
                                    phone="123", tags=[tags["needy"]])
    with pytest.raises(BadKeyPersonInput):
        actions.register_key_person(actor=world.users["worker_a1"], grid=world.grids[0], name="赵六", tags=[])
    with pytest.raises(NotFound):
        actions.register_key_person(actor=world.users["worker_a1"], grid=world.grids[2], name="赵六",
                                    tags=[tags["needy"]])
    client.force_login(world.users["worker_a1"])
    r = client.post("/api/v1/keypersons/", {"grid": world.grids[0].pk, "name": "赵六", "tags": [9999]},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"]
    assert KeyPerson.objects.count() == 0
    r = client.post("/api/v1/keypersons/", {"grid": world.grids[0].pk, "name": "赵六", "tags": [tags["needy"].pk],
                                             "worker": world.users["worker_a1"].pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["name"] == "赵*"


def test_the_sweep_command_erases_past_retention(world, register):
    from io import StringIO

    from django.core.management import call_command

    person = register()
    actions.retire_key_person(actor=world.users["secretary_a"], person=person, reason="去世")
    KeyPerson.objects.filter(pk=person.pk).update(retired_at=timezone.now() - dt.timedelta(days=10))
    out = StringIO()
    call_command("keyperson_sweep", "--retention-only", "--days", "5", stdout=out)
    assert "anonymised=1" in out.getvalue()
    person.refresh_from_db()
    assert person.anonymised_at and person.phone == ""


def test_a_phone_and_id_number_typed_in_full_width_are_stored_half_width(world, tags, client):
    """A grid worker whose Chinese input method is in full-width mode registers a person from the
    page: the numbers are taken and stored as the digits a search or an export compares with."""
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("keypersons:register"), {
        "grid": world.grids[0].pk, "name": "赵六", "phone": "１３９ ０００１ ２３４５",
        "id_number": "１１０１０５１９４９０１０１２３４ｘ"[:18], "tags": [tags["needy"].pk],
        "worker": world.users["worker_a1"].pk})
    person = KeyPerson.objects.get()
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert (person.phone, person.id_number) == ("13900012345", "11010519490101234X")
