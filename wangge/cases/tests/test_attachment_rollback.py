"""A refused report with photos leaves no photos behind: the files written for attachment rows
that were rolled back are deleted when the request ends; those of committed rows stay."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.db import transaction
from django.urls import reverse

from wangge.cases import actions
from wangge.cases.choices import Channel
from wangge.cases.models import Case, CaseAttachment
from wangge.core.stored_files import remove_files_of_rolled_back_rows
from wangge.testing import make_category, png, stored_media

# Rows and files must really be committed or rolled back: no test-wide transaction around them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def settled_before():
    """Earlier tests in this thread ran inside a test-wide transaction, never settled: settle
    them first, so that what the test counts is its own."""
    remove_files_of_rolled_back_rows()


def stored_files() -> set[str]:
    return stored_media("cases")


def test_a_refused_hotline_case_with_a_photo_leaves_no_photo_in_storage(world, client):
    """The clerk files a call with a photo and "dispatch immediately", but the category has no
    department to send it to: the case was filed (photo written) before dispatching refused, and
    all of it is rolled back — the photo goes with it. Filed without dispatching, it stays."""
    category = make_category("其他", code="rollback-no-department")  # no default department
    before = stored_files()
    client.force_login(world.users["clerk"])
    form = {"description": "小区门口井盖缺失", "category": category.pk, "grid": world.grids[0].pk,
            "reporter_phone": "13812341234"}
    response = client.post(reverse("web:hotline"), {**form, "dispatch_now": "on", "attachments": [png("call.png")]})
    assert response.status_code in (200, 400) and "派单" in response.content.decode()
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
    assert stored_files() == before

    response = client.post(reverse("web:hotline"), {**form, "attachments": [png("call.png")]})
    assert response.status_code == 302
    kept = CaseAttachment.objects.get()
    assert stored_files() - before == {kept.file.name}


def test_only_the_rolled_back_savepoints_files_go(world):
    """An action refused inside a larger transaction that goes on and commits: its photo goes,
    the photo of the case filed after it in the same transaction stays."""
    before = stored_files()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.create_case(actor=world.users["clerk"], channel=Channel.HOTLINE, description="井盖缺失",
                                region=world.grids[0], attachments=[png("refused.png")])
            raise RuntimeError("refused after the photo was written")
        kept = actions.create_case(actor=world.users["clerk"], channel=Channel.HOTLINE, description="路灯不亮",
                                   region=world.grids[0], attachments=[png("kept.png")])
        assert remove_files_of_rolled_back_rows() == []  # inside the transaction: nothing decided yet
        assert len(stored_files() - before) == 2
    request_finished.send(sender=None)  # the request ends
    assert stored_files() - before == {kept.attachments.get().file.name}
