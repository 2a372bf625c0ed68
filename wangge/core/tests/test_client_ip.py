"""The client's address behind trusted proxies (WANGGE_TRUSTED_PROXIES): every rate limit and
lockout keys on it, so a client must not be able to choose it, and clients behind our proxy must
not all share the proxy's address."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from wangge.core.http import client_ip

PROXY = "10.0.0.5"


def ip(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.WANGGE_TRUSTED_PROXIES = []
    assert ip("203.0.113.7", "1.2.3.4") == "203.0.113.7"


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    assert ip("203.0.113.7", "1.2.3.4") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(settings):
    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    assert ip(PROXY, "203.0.113.7") == "203.0.113.7"
    assert ip(PROXY, "198.51.100.9") == "198.51.100.9"  # two clients, two keys — not one proxy


def test_a_spoofed_header_sent_through_the_proxy_is_ignored(settings):
    """The client sends ``X-Forwarded-For: 1.2.3.4``; our proxy appends the real address."""
    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    assert ip(PROXY, "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert ip(PROXY, "1.2.3.4,203.0.113.7") == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.WANGGE_TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    # client → CDN edge (10.1.1.1) → load balancer (10.0.0.5) → app
    assert ip(PROXY, "1.2.3.4, 203.0.113.7, 10.1.1.1") == "203.0.113.7"
    assert ip("fd00::1", "2001:db8::7, fd00::2") == "2001:db8::7"
    # A client cannot hide behind a forged "trusted" entry either: it is left of the real one.
    assert ip(PROXY, "10.9.9.9, 203.0.113.7") == "203.0.113.7"


def test_odd_but_honest_forms_are_understood(settings):
    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    assert ip(PROXY, "203.0.113.7:51234") == "203.0.113.7"
    assert ip(PROXY, "[2001:db8::7]:443") == "2001:db8::7"
    assert ip(f"::ffff:{PROXY}", "203.0.113.7") == "203.0.113.7"  # a dual-stack socket


def test_no_usable_forwarded_address_falls_back_to_the_proxy_never_to_garbage(settings):
    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    assert ip(PROXY) == PROXY
    assert ip(PROXY, "") == PROXY
    assert ip(PROXY, "not-an-ip") == PROXY
    assert ip(PROXY, "1.2.3.4, not-an-ip") == PROXY  # garbage is not skipped to reach a client-chosen value


def test_a_bad_setting_is_a_clear_configuration_error(settings):
    settings.WANGGE_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="WANGGE_TRUSTED_PROXIES"):
        ip(PROXY, "203.0.113.7")


def test_the_rate_limits_use_the_same_address(settings):
    from wangge.core.ratelimit import client_ip as limit_key

    settings.WANGGE_TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert limit_key(request) == "203.0.113.7"
