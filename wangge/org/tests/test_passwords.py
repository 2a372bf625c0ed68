"""Passwords follow Django's validators, with at least 10 characters."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from wangge.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["Gx7#pQ2z", "Gx7#pQ2zk", "1357924680", "password123", "zhangwei-2025"])
def test_weak_passwords_are_refused(password):
    user = make_user(username="zhangwei-2025")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unusual_password_is_accepted():
    validate_password("Gx7#pQ2zk!v", make_user())


def test_changing_ones_password_applies_the_rules(client, world):
    clerk = world.users["clerk"]
    client.force_login(clerk)
    short = client.post("/account/password/", {"old_password": "pw", "new_password1": "Gx7#pQ2z",
                                               "new_password2": "Gx7#pQ2z"})
    assert short.status_code == 200 and "10" in short.content.decode()
    good = client.post("/account/password/", {"old_password": "pw", "new_password1": "Gx7#pQ2zk!v",
                                              "new_password2": "Gx7#pQ2zk!v"})
    assert good.status_code == 302 and good["Location"] == "/account/"
    clerk.refresh_from_db()
    assert clerk.check_password("Gx7#pQ2zk!v")
