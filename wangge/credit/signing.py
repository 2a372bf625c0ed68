"""The resident's link to their credit page: the account id, signed with a timestamp (HMAC with
the SECRET_KEY and a salt of its own) and good for ``LINK_MAX_AGE``. Staff hand it out (shown on
the account page, or sent by SMS); a new link can be made at any time."""

from __future__ import annotations

import datetime as dt

from django.core import signing

SALT = "wangge.credit.resident"
LINK_MAX_AGE = dt.timedelta(days=30)


class BadToken(Exception):
    """Not made here, altered, or expired."""


def token_for(account_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(int(account_id)))


def account_id_from(token: str, *, max_age: dt.timedelta = LINK_MAX_AGE) -> int:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise BadToken
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token.strip(), max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        raise BadToken from None
    if not value.isdigit():
        raise BadToken
    return int(value)


def public_link(account_id: int) -> str:
    """The holder's page as sent in a text message: the platform's public address and a fresh token."""
    from django.conf import settings
    from django.urls import reverse

    base = str(getattr(settings, "WANGGE_PUBLIC_BASE_URL", "")).rstrip("/")
    return base + reverse("credit:resident", args=[token_for(account_id)])
