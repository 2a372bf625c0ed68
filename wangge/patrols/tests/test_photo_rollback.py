"""A refused check-in leaves no photos behind (they may show residents, their doors, their cars):
the files written for check-in photo rows that were rolled back are deleted when the request
ends (``core.stored_files``); those of committed check-ins stay."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import IntegrityError, transaction

from wangge.cases.models import CaseAttachment
from wangge.core.stored_files import remove_files_of_rolled_back_rows
from wangge.patrols.choices import FindingClass
from wangge.patrols.models import CheckIn, CheckInPhoto, Finding
from wangge.testing import make_category, png, stored_media

from .conftest import visit

# Rows and files must really be committed or rolled back: no test-wide transaction around them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def settled_before():
    """Earlier tests in this thread ran inside a test-wide transaction, never settled: settle
    them first, so that what the test counts is its own."""
    remove_files_of_rolled_back_rows()


def stored_photos() -> set[str]:
    return stored_media("patrols")


def test_a_check_in_refused_with_its_finding_leaves_no_photo_in_storage(world, client, daily_point):
    """The check-in and its finding go together: the finding is refused (handled on the spot, no
    category) after the check-in's photo was written, and the photo goes with the check-in. Sent
    again with the category, both are stored and the photo stays."""
    client.force_login(world.users["worker_a1"])
    before = stored_photos()
    form = {"client_id": str(uuid.uuid4()), "finding_client_id": str(uuid.uuid4()), "presence": "gps",
            "latitude": daily_point.latitude, "longitude": daily_point.longitude,
            "finding": "门口垃圾", "handling_class": FindingClass.GENERAL, "result": "已清理"}
    response = client.post(f"/patrols/points/{daily_point.pk}/check-in/", {**form, "photos": [png("shop.png")]},
                           headers={"X-Patrol-Client": "1"})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"category": "required"}
    assert not CheckIn.objects.exists() and not CheckInPhoto.objects.exists()
    assert stored_photos() == before

    category = make_category("乱堆乱放", code="photo-rollback")
    response = client.post(f"/patrols/points/{daily_point.pk}/check-in/",
                           {**form, "category": category.pk, "photos": [png("shop.png")]}, headers={"X-Patrol-Client": "1"})
    assert response.status_code == 200 and Finding.objects.count() == 1
    assert stored_photos() - before == {CheckInPhoto.objects.get().file.name}
    # The finding's copy of the photo is the case's attachment, kept with the case.
    assert (settings.MEDIA_ROOT / CaseAttachment.objects.get().file.name).is_file()


def test_only_the_rolled_back_check_ins_photos_go(world, daily_point):
    """A check-in rolled back inside a larger transaction that goes on and commits: its photo
    goes, the photo of the check-in stored after it in the same transaction stays."""
    before = stored_photos()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            visit(world, daily_point, photos=[png("refused.png")])
            raise RuntimeError("refused after the photo was written")
        kept = visit(world, daily_point, photos=[png("kept.png")]).checkin
        assert remove_files_of_rolled_back_rows() == []  # inside the transaction: nothing decided yet
        assert len(stored_photos() - before) == 2
    request_finished.send(sender=None)  # the request ends
    assert stored_photos() - before == {kept.photos.get().file.name}


def test_a_photo_whose_row_cannot_be_stored_is_not_kept(world, daily_point):
    """The file is written before its row is inserted: an insert that fails leaves no file."""
    before = stored_photos()
    bad = png("shop.png")
    bad.size = -1  # passes the upload checks, fails the row's check constraint (size ≥ 0)
    with pytest.raises(IntegrityError):
        visit(world, daily_point, photos=[bad])
    request_finished.send(sender=None)
    assert not CheckIn.objects.exists() and stored_photos() == before
