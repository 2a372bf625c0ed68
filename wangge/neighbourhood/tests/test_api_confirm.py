"""Showing a resource's full contact and publishing a quarter take no input but ``confirm``:
another field is refused, and ``"confirm": false`` does nothing (no contact shown, no view logged,
no quarter published) instead of acting anyway."""

from __future__ import annotations

from rest_framework.test import APIClient

from wangge.neighbourhood import actions
from wangge.neighbourhood.choices import ResourceTier
from wangge.neighbourhood.models import ResourceContactView


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def test_the_full_contact_is_shown_only_when_confirmed(hood):
    grocer = hood.resources[ResourceTier.CONVENIENCE]
    url = f"/api/v1/neighbourhood/resources/{grocer.pk}/contact/"
    api = _api(hood.user("u11"))
    declined = api.post(url, {"confirm": False}, format="json")
    assert declined.status_code == 400 and declined.json()["error"]["codes"] == {"confirm": "not_confirmed"}
    assert "未执行" in declined.json()["error"]["message"]
    unknown = api.post(url, {"reason": "联系送粮"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["codes"] == {"reason": "unknown_field"}
    assert "13811112222" not in declined.content.decode() + unknown.content.decode()
    assert not ResourceContactView.objects.exists()
    assert api.post(url).json()["contact_phone"] == "13811112222"
    assert api.post(url, {"confirm": True}, format="json").status_code == 200
    assert ResourceContactView.objects.filter(granted=True).count() == 2


def test_a_quarter_is_not_published_by_a_declined_confirmation(hood):
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2025, quarter=3,
                                    min_ratings=1)
    url = f"/api/v1/neighbourhood/quarters/{period.pk}/publish/"
    declined = _api(hood.leader).post(url, {"confirm": False}, format="json")
    assert declined.status_code == 400
    period.refresh_from_db()
    assert period.status == "reviewed" and period.published_at is None
    assert _api(hood.leader).post(url, {}, format="json").json()["status"] == "published"
