"""Rate limiting (限流) of reports and lookups per client, with a friendly 429 page."""

from __future__ import annotations

from unittest import mock

import pytest

from wangge.cases.models import Case
from wangge.core.ratelimit import Limit
from wangge.testing import file_case

pytestmark = pytest.mark.django_db


def test_limit_counts_per_key_and_window():
    limit = Limit("test", 3, 60)
    with mock.patch("wangge.core.ratelimit.time.time", return_value=1_000_000.0):
        assert [limit.hit("a") for _ in range(4)] == [True, True, True, False]
        assert limit.exhausted("a") and not limit.exhausted("b")
        assert limit.hit("b")
    with mock.patch("wangge.core.ratelimit.time.time", return_value=1_000_000.0 + 60):
        assert not limit.exhausted("a") and limit.hit("a")


def test_limits_can_be_tuned_in_settings(settings):
    settings.WANGGE_PORTAL_LIMITS = {"report": (5, 120)}
    assert Limit.named("report") == Limit("report", 5, 120)
    assert Limit.named("lookup").count > 0


def good(world) -> dict:
    return {"description": "路灯坏了一个星期", "region": str(world.grids[0].pk)}


def test_only_filed_reports_count_per_address(client, world, settings):
    """Many residents share one public address (carrier-grade NAT, a compound's Wi-Fi): their
    mistakes never use up the filings; reaching the limit keeps what the resident typed."""
    settings.WANGGE_PORTAL_LIMITS = {"report": (2, 3600)}
    assert client.post("/r/report/", good(world)).status_code == 302
    for refused in ({}, {**good(world), "reporter_phone": "12345"}, {**good(world), "description": "坏"}):
        for _ in range(3):
            assert client.post("/r/report/", refused).status_code == 200  # refused input does not count
    assert client.post("/r/report/", good(world)).status_code == 302
    assert Case.objects.count() == 2

    typed = {**good(world), "description": "5号楼电梯停了三天，老人上不去楼", "reporter_phone": "13900002222",
             "address": "和平路5号"}
    response = client.post("/r/report/", typed)
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert 'data-testid="report-form"' in html  # the form again, not a blank page
    assert "您所在的网络提交的诉求太多了" in html and "请 60 分钟后再提交" in html
    assert "5号楼电梯停了三天，老人上不去楼" in html and 'value="13900002222"' in html and 'value="和平路5号"' in html
    assert Case.objects.count() == 2
    # Another address is not affected; reading the form is not limited.
    assert client.post("/r/report/", good(world), REMOTE_ADDR="10.0.0.2").status_code == 302
    assert client.get("/r/report/").status_code == 200


def test_a_flood_of_refused_posts_is_still_bounded(client, world, settings):
    settings.WANGGE_PORTAL_LIMITS = {"report_attempt": (3, 600)}
    for _ in range(3):
        assert client.post("/r/report/", {"description": "x"}).status_code == 200
    response = client.post("/r/report/", good(world))
    assert response.status_code == 429 and response["Retry-After"] == "600"
    html = response.content.decode()
    assert "请 10 分钟后再提交" in html and "路灯坏了一个星期" in html
    assert Case.objects.count() == 0
    assert client.post("/r/report/", good(world), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_lookups_per_address(client, world, settings):
    settings.WANGGE_PORTAL_LIMITS = {"lookup": (3, 600)}
    case = file_case(world)
    for _ in range(3):
        assert client.post("/r/track/", {"number": case.number, "phone_last4": "0000"}).status_code == 200
    response = client.post("/r/track/", {"number": case.number, "phone_last4": "1234"})
    assert response.status_code == 429 and "请 10 分钟后再试" in response.content.decode()


def test_guessing_the_digits_of_one_number_is_bounded_across_addresses(client, world, settings):
    settings.WANGGE_PORTAL_LIMITS = {"lookup_number": (3, 3600)}
    case = file_case(world)
    for i, digits in enumerate(["0000", "0001", "0002"]):
        response = client.post("/r/track/", {"number": case.number, "phone_last4": digits}, REMOTE_ADDR=f"10.0.1.{i}")
        assert response.status_code == 200
    response = client.post("/r/track/", {"number": case.number, "phone_last4": "1234"}, REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 429
    # The same holds for a number that does not exist: a 429 does not tell which numbers exist.
    for i in range(3):
        client.post("/r/track/", {"number": "WG20990101-00001", "phone_last4": f"000{i}"}, REMOTE_ADDR=f"10.0.3.{i}")
    assert client.post("/r/track/", {"number": "WG20990101-00001", "phone_last4": "1234"}).status_code == 429


def test_bad_links_per_address(client, world, settings):
    settings.WANGGE_PORTAL_LIMITS = {"token": (2, 600)}
    case = file_case(world)
    assert client.get("/r/t/guess-1/").status_code == 404
    assert client.get("/r/t/guess-2/").status_code == 404
    assert client.get("/r/t/guess-3/").status_code == 429
    # A valid link is never refused (the token is unguessable; see test_tracking_lockout).
    assert client.get(f"/r/t/{case.tracking_token}/").status_code == 200
    assert client.get("/r/t/guess-4/", REMOTE_ADDR="10.0.0.9").status_code == 404


DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "wangge_cache"}}


def test_production_without_redis_counts_in_the_database(settings):
    """config.settings.prod without REDIS_URL: every web process sees the same attempts."""
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command

    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    limit = Limit("test", 2, 86400)  # real time (the cache's expiry reads the clock too)
    other_process = DatabaseCache("wangge_cache", {})
    assert limit.hit("203.0.113.7") and limit.hit("203.0.113.7")
    assert other_process.get(limit._cache_key("203.0.113.7")) == 2
    assert not limit.hit("203.0.113.7")


def test_deploy_check_warns_about_a_per_process_cache(settings):
    from wangge.portal.checks import shared_cache_for_rate_limits

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache_for_rate_limits()] == ["wangge.portal.W001"]
    settings.CACHES = DATABASE_CACHE
    assert shared_cache_for_rate_limits() == []
