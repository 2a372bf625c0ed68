"""Sign-in throttling (django-axes): the sign-in page, the admin and the token endpoint lock an
account after repeated failures, and an address after many more (wangge.web.signin); every sign-in is recorded; an administrator
lifts a lockout; the address is the client's as seen through the trusted proxies."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from rest_framework.test import APIClient

from wangge.testing import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"


def sign_in(client, username: str, password: str, address: str = "198.51.100.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, username: str, times: int, address: str = "198.51.100.1", **extra) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address, **extra)
        assert response.status_code in (200, 429)


def test_the_configured_limit_locks_an_account_with_a_chinese_page(client, world):
    """The real settings: ten failures, then even the right password is refused for a while."""
    assert sign_in(client, "clerk", "pw").status_code == 302
    client.logout()
    fail(client, "clerk", 9)
    assert sign_in(client, "clerk", "pw").status_code == 302  # nine are forgiven
    client.logout()
    fail(client, "clerk", 1)
    response = sign_in(client, "clerk", "pw")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂停" in html and "15 分钟" in html and "管理员可以提前解除锁定" in html
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_failures_from_many_addresses_lock_the_account(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        fail(client, "clerk", 1, address=f"203.0.113.{n}")
    assert sign_in(client, "clerk", "pw", address="198.51.100.200").status_code == 429
    # Other accounts, from other addresses, are not affected.
    assert sign_in(client, "leader", "pw", address="198.51.100.201").status_code == 302


def test_one_persons_failures_do_not_lock_out_the_colleagues_behind_the_same_router(client, world):
    """The real settings: ten failures lock that account only; the office signs in from one address."""
    fail(client, "worker_a1", 11, address="203.0.113.9")
    assert sign_in(client, "worker_a1", "pw", address="203.0.113.9").status_code == 429
    assert sign_in(client, "clerk", "pw", address="203.0.113.9").status_code == 302


def test_failures_over_many_accounts_lock_the_address(client, world, settings):
    """Spraying passwords over many accounts (撞库) from one address locks the address — the
    page, the admin and the token endpoint — at a count no office reaches by fumbling."""
    settings.WANGGE_RATE_LIMITS = {"signin_failures_address": (5, 900)}
    for name in ["a", "b", "c", "d", "e"]:
        fail(client, name, 1, address="203.0.113.9")
    response = sign_in(client, "leader", "pw", address="203.0.113.9")
    assert response.status_code == 429 and "登录已暂停" in response.content.decode()
    answer = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").post(TOKEN, {"username": "leader", "password": "pw"},
                                                            format="json", REMOTE_ADDR="203.0.113.9")
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "locked_out"
    assert sign_in(client, "leader", "pw", address="198.51.100.9").status_code == 302


def test_the_admin_sign_in_is_locked_too(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(username="boss", is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post(ADMIN_LOGIN, {"username": "boss", "password": "nope"}, REMOTE_ADDR="203.0.113.1")
    response = client.post(ADMIN_LOGIN, {"username": "boss", "password": "pw"}, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 429 and "登录已暂停" in response.content.decode()


def test_the_token_endpoint_is_locked_with_a_json_error(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(3):
        assert client.post(TOKEN, {"username": "clerk", "password": "nope"}, format="json").status_code in (400, 429)
    response = client.post(TOKEN, {"username": "clerk", "password": "pw"}, format="json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "locked_out" and "登录失败次数过多" in error["message"]
    assert "token" not in response.json()


def test_failures_at_the_token_endpoint_count_for_the_sign_in_page(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient()
    for _ in range(3):
        api.post(TOKEN, {"username": "clerk", "password": "nope"}, format="json", REMOTE_ADDR="203.0.113.1")
    assert sign_in(client, "clerk", "pw", address="198.51.100.3").status_code == 429


def test_sign_ins_and_failures_are_recorded(client, world):
    sign_in(client, "clerk", "wrong-password", address="203.0.113.5")
    sign_in(client, "clerk", "pw", address="198.51.100.5")
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.path_info) == ("clerk", "203.0.113.5", LOGIN)
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address) == ("clerk", "198.51.100.5")
    assert "wrong-password" not in str(AccessAttempt.objects.values().get())


def test_an_administrator_lifts_a_lockout(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(client, "clerk", 3, address="203.0.113.7")
    assert sign_in(client, "clerk", "pw", address="198.51.100.7").status_code == 429

    admin = make_user(username="root", is_staff=True, is_superuser=True)
    boss = Client()  # a separate browser
    boss.force_login(admin)
    changelist = "/admin/axes/accessattempt/"
    listing = boss.get(changelist)
    assert listing.status_code == 200 and "clerk" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="clerk").values_list("pk", flat=True)]
    response = boss.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302

    assert sign_in(client, "clerk", "pw", address="198.51.100.7").status_code == 302


def test_behind_a_trusted_proxy_the_lock_falls_on_the_client_not_the_proxy(client, world, settings):
    settings.WANGGE_RATE_LIMITS = {"signin_failures_address": (3, 900)}
    settings.WANGGE_TRUSTED_PROXIES = ["10.0.0.5"]
    via_proxy = {"HTTP_X_FORWARDED_FOR": "203.0.113.50"}
    for name in ["a", "b", "c"]:
        fail(client, name, 1, address="10.0.0.5", **via_proxy)
    assert AccessAttempt.objects.filter(ip_address="203.0.113.50").count() == 3
    # The guesser is locked out, the colleague behind the same proxy is not …
    assert sign_in(client, "leader", "pw", "10.0.0.5", **via_proxy).status_code == 429
    assert sign_in(client, "leader", "pw", "10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.50").status_code == 302
    client.logout()
    # … and the guesser cannot step out of the lock by writing another address in the header.
    spoofed = {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.50"}
    assert sign_in(client, "clerk", "pw", "10.0.0.5", **spoofed).status_code == 429
