"""API tokens (接口令牌): stored hashed, shown once, expiring, revocable, listed on the owner's
account page; the token endpoint and the old DRF keys."""

from __future__ import annotations

import hashlib
import importlib
import types
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from wangge.org import services
from wangge.org.models import ApiToken
from wangge.testing import make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def api(key: str, lang: str = "en"):
    return APIClient(HTTP_ACCEPT_LANGUAGE=lang).get(ME, HTTP_AUTHORIZATION=f"Token {key}")


def error_message(response) -> str:
    return response.json()["error"]["message"]


# --- the token itself ---------------------------------------------------------------------------


def test_a_new_token_works_and_only_its_hash_is_stored(world):
    clerk = world.users["clerk"]
    token, key = services.issue_api_token(user=clerk, name="热线系统", days=30)
    assert api(key).json()["username"] == "clerk"
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert token.last_used_at is not None  # the owner sees when it was last used


def test_an_expired_token_is_refused_with_a_clear_401(world):
    token, key = services.issue_api_token(user=world.users["clerk"], name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=2),
                                                expires_at=timezone.now() - timedelta(seconds=1))
    response = api(key)
    assert response.status_code == 401
    assert "expired" in error_message(response)
    assert "过期" in error_message(api(key, "zh-hans"))
    # A linked system's monitor tells "issue a new token" from the code, not a translated sentence.
    assert response.json()["error"]["code"] == "token_expired"


def test_a_revoked_token_is_refused_with_a_clear_401(world):
    clerk = world.users["clerk"]
    token, key = services.issue_api_token(user=clerk, name="leaked", days=30)
    services.revoke_api_token(token_id=token.pk, actor=clerk)
    response = api(key)
    assert response.status_code == 401 and "revoked" in error_message(response)
    assert "吊销" in error_message(api(key, "zh-hans"))
    assert response.json()["error"]["code"] == "token_revoked"


def test_a_token_of_a_deactivated_account_is_refused(world):
    clerk = world.users["clerk"]
    _token, key = services.issue_api_token(user=clerk, name="x", days=30)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert api(key).status_code == 401
    assert api(key).json()["error"]["code"] == "account_inactive"


def test_a_token_sent_as_a_bearer_token_works_too(world):
    _token, key = services.issue_api_token(user=world.users["clerk"], name="x", days=30)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").json()["username"] == "clerk"
    # Not "no credentials were provided": the key was read, and is wrong.
    response = client.get(ME, HTTP_AUTHORIZATION="Bearer not-a-key")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    assert error_message(response) == "Invalid token."


def test_nobody_revokes_another_users_token(world):
    clerk, other = world.users["clerk"], make_user()
    token, key = services.issue_api_token(user=clerk, name="mine", days=30)
    with pytest.raises(services.TokenNotFound):
        services.revoke_api_token(token_id=token.pk, actor=other)
    assert api(key).status_code == 200


@pytest.mark.parametrize("days", [0, -1, 366, "30"])
def test_a_token_must_expire_within_a_year(world, days):
    with pytest.raises(services.TokenError):
        services.issue_api_token(user=world.users["clerk"], name="x", days=days)
    assert not ApiToken.objects.exists()


# --- the token endpoint --------------------------------------------------------------------------


def test_the_endpoint_issues_an_expiring_named_token(world):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw", "name": "GIS sync",
                                                   "days": 7}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert api(body["token"]).json()["username"] == "clerk"
    token = ApiToken.objects.get(user=world.users["clerk"])
    assert token.name == "GIS sync" and token.expires_at - token.created_at == timedelta(days=7)
    too_long = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw", "days": 5000}, format="json")
    assert too_long.status_code == 400 and too_long.json()["error"]["fields"].keys() == {"days"}


def test_a_username_longer_than_any_is_a_400_that_records_nothing(world):
    """Found by the API fuzzer: a 300-character username reached django-axes' failure record
    (a shorter column) and was a 500 on PostgreSQL."""
    from axes.models import AccessAttempt, AccessFailureLog

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/auth/token/", {"username": "x" * 300, "password": "pw"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"].keys() == {"username"}
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
    assert not ApiToken.objects.exists()


# --- the account page ----------------------------------------------------------------------------


def test_the_account_page_lists_tokens_but_never_a_key(client, world):
    clerk = world.users["clerk"]
    token, key = services.issue_api_token(user=clerk, name="热线系统", days=30)
    services.issue_api_token(user=make_user(), name="someone else's", days=30)
    client.force_login(clerk)
    html = client.get("/account/").content.decode()
    assert "接口令牌" in html and "热线系统" in html and "从未" in html  # last used: never
    assert "someone else" not in html
    assert key not in html and token.key_hash not in html


def test_a_new_token_is_shown_once(client, world):
    client.force_login(world.users["clerk"])
    response = client.post("/account/", {"action": "create", "name": "巡查App", "days": "90"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = response.context["new_key"]
    assert key in response.content.decode() and "不会再次显示" in response.content.decode()
    assert api(key).json()["username"] == "clerk"
    again = client.get("/account/").content.decode()
    assert "巡查App" in again and key not in again


def test_a_token_needs_a_name(client, world):
    client.force_login(world.users["clerk"])
    response = client.post("/account/", {"action": "create", "name": "", "days": "90"})
    assert response.status_code == 400 and "请为令牌起个名称" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_from_the_account_page(client, world):
    clerk = world.users["clerk"]
    token, key = services.issue_api_token(user=clerk, name="旧脚本", days=30)
    client.force_login(clerk)
    response = client.post("/account/", {"action": "revoke", "token": str(token.pk)}, follow=True)
    assert "已吊销" in response.content.decode()
    assert api(key).status_code == 401


def test_another_users_token_cannot_be_revoked_from_the_page(client, world):
    token, key = services.issue_api_token(user=make_user(), name="theirs", days=30)
    client.force_login(world.users["clerk"])
    for bad in [str(token.pk), "abc", "", str(2**64), "-1"]:
        response = client.post("/account/", {"action": "revoke", "token": bad}, follow=True)
        assert response.status_code == 200 and "没有这个令牌" in response.content.decode()
    assert api(key).status_code == 200


def test_the_account_page_needs_a_signed_in_user(client, world):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- the DRF tokens issued before ----------------------------------------------------------------


def test_old_drf_keys_keep_working_for_a_while_and_their_plain_keys_are_deleted(world):
    """The data migration of 0002_apitoken, run against a table like DRF's authtoken_token."""
    migration = importlib.import_module("wangge.org.migrations.0002_apitoken")
    clerk = world.users["clerk"]
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, user_id bigint NOT NULL)')
        cursor.execute('INSERT INTO authtoken_token ("key", user_id) VALUES (%s, %s)', [old_key, clerk.pk])
    try:
        editor = types.SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
        migration.copy_drf_tokens(apps, editor)
        assert api(old_key).json()["username"] == "clerk"
        token = ApiToken.objects.get(user=clerk)
        assert token.name == "migrated"
        assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


# 到期提醒: a token about to lapse is announced to its owner and the administrators, twice at most.


@pytest.mark.django_db
def test_an_expiring_token_is_announced_at_14_and_3_days_once_each(world):
    from wangge.notifications.models import Notification
    from wangge.org.choices import Role

    link = make_user(Role.INTAKE_CLERK, region=world.subdistrict, username="link12345")
    admin = make_user(Role.ADMIN, region=world.district, username="sys")
    now = timezone.now()
    token, _key = services.issue_api_token(user=link, name="12345对接", days=30)
    quiet, _key = services.issue_api_token(user=link, name="还早", days=60)
    revoked, _key = services.issue_api_token(user=link, name="已撤销", days=10)
    services.revoke_api_token(token_id=revoked.pk, actor=link)

    assert services.warn_expiring_tokens(now=now) == 0  # 30 days left: nothing yet
    at_ten = token.expires_at - timedelta(days=10)
    administrators = {u.pk for u in type(link).objects.filter(is_active=True) if u.is_superuser
                      or u.roles.filter(role=Role.ADMIN, is_active=True).exists()}
    assert admin.pk in administrators
    assert services.warn_expiring_tokens(now=at_ten) == 1 + len(administrators)  # the owner and each administrator
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {link.pk, *administrators}
    assert services.warn_expiring_tokens(now=at_ten + timedelta(hours=1)) == 0  # once per mark
    told = Notification.objects.get(recipient=admin)
    assert "12345对接" in told.message and "到期" in told.message and told.url == "/admin/org/apitoken/"
    assert Notification.objects.get(recipient=link).url == "/account/"
    assert services.warn_expiring_tokens(now=token.expires_at - timedelta(days=2)) == 1 + len(administrators)
    assert not Notification.objects.filter(message__contains="已撤销").exists()
    assert not Notification.objects.filter(message__contains="还早").exists()
