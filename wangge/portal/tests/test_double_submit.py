"""A report sent twice from the same page (防重复提交): a double tap on a slow connection or a
refresh that posts again gives the first report's receipt, never a second case."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wangge.cases.models import Case, CaseAttachment

from .conftest import png
from .test_report import REPORT, good

pytestmark = pytest.mark.django_db


def page_key(client, url: str = REPORT) -> str:
    """The key the report page hands its form, as a browser would post it back."""
    html = client.get(url).content.decode()
    match = re.search(r'<input type="hidden" name="submission" value="([A-Za-z0-9_-]+)"', html)
    assert match, "the report form carries no submission key"
    return match.group(1)


def receipt(case: Case) -> str:
    return reverse("portal:reported", kwargs={"token": case.tracking_token})


def test_each_page_gets_its_own_key(client, world):
    assert page_key(client) != page_key(client)


def test_the_same_form_posted_twice_files_one_case(client, world):
    data = good(world, submission=page_key(client))
    first = client.post(REPORT, data)
    second = client.post(REPORT, data)
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == receipt(case)


def test_photos_sent_twice_are_stored_once(client, world):
    key = page_key(client)
    client.post(REPORT, {**good(world, submission=key), "photos": [png("a.png")]})
    second = client.post(REPORT, {**good(world, submission=key), "photos": [png("a.png")]})
    case = Case.objects.get()
    assert second["Location"] == receipt(case)
    assert CaseAttachment.objects.filter(case=case).count() == 1


def test_a_double_tap_on_a_map_report_is_not_offered_as_already_reported_nearby(client, world):
    """The second post would otherwise find the first report at the same spot with the same
    words and offer the resident to "add themselves" to their own report."""
    lng, lat = world.point_in(world.grids[0])
    data = good(world, region="", longitude=str(lng), latitude=str(lat), submission=page_key(client))
    client.post(REPORT, data)
    second = client.post(REPORT, data)
    case = Case.objects.get()
    assert second.status_code == 302 and second["Location"] == receipt(case)


def test_a_changed_report_sent_from_the_same_page_is_a_new_report(client, world):
    """Back from the receipt, the resident corrects the words and sends again: that is filed."""
    key = page_key(client)
    client.post(REPORT, good(world, submission=key))
    second = client.post(REPORT, good(world, submission=key, description="2号楼门口的井盖丢了，很危险", file_anyway="1"))
    first_case, second_case = Case.objects.order_by("pk")
    assert second.status_code == 302 and second["Location"] == receipt(second_case)
    assert second_case.description == "2号楼门口的井盖丢了，很危险"
    assert first_case.tracking_token != second_case.tracking_token


def test_a_changed_photo_is_a_new_report(client, world):
    key = page_key(client)
    client.post(REPORT, {**good(world, submission=key), "photos": [png("a.png")]})
    client.post(REPORT, {**good(world, submission=key, file_anyway="1"), "photos": [png("a.png", colour="blue")]})
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", ["", "short", "not a key!" * 3, "k" * 65])
def test_a_missing_or_foreign_key_never_stops_a_report(client, world, key):
    response = client.post(REPORT, good(world, submission=key))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == receipt(case)


def test_a_report_refused_for_an_error_keeps_its_key_and_is_then_filed_once(client, world):
    key = page_key(client)
    html = client.post(REPORT, good(world, description="", submission=key)).content.decode()
    assert f'name="submission" value="{key}"' in html
    assert Case.objects.count() == 0
    data = good(world, submission=key)
    client.post(REPORT, data)
    client.post(REPORT, data)
    assert Case.objects.count() == 1


def test_the_replay_does_not_count_towards_the_report_limit(client, world, settings):
    settings.WANGGE_PORTAL_LIMITS = {"report": (1, 3600)}
    data = good(world, submission=page_key(client))
    client.post(REPORT, data)
    second = client.post(REPORT, data)
    assert second.status_code == 302 and second["Location"] == receipt(Case.objects.get())
