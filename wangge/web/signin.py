"""Sign-in lockouts over many accounts from one network (撞库/密码喷洒).

django-axes locks an account after ``AXES_FAILURE_LIMIT`` failed sign-ins (from anywhere). It no
longer locks an address at that same count: an office signs in from behind one router, and one
person's forgotten password locked every colleague out — the administrator too. An address is
locked here instead, at a count no fumbling office reaches and spraying passwords over many
accounts does: ``signin_failures_address`` failures from one address within its window (the
shared rate-limit cache, ``wangge.core.ratelimit``). The lock answers with the same lockout page
(or the token endpoint's JSON 429) as axes, through its middleware."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from wangge.core.http import client_ip
from wangge.core.ratelimit import Limit, register_limit

SCOPE = "signin_failures_address"
register_limit(SCOPE, 50, 15 * 60)  # failed sign-ins from one address in 15 minutes


def _address(request) -> str | None:
    return client_ip(request) if request is not None else None


class AddressLockoutBackend:
    """First of ``AUTHENTICATION_BACKENDS``: refuses every sign-in from an address past its failure
    limit (axes' middleware shows the lockout answer). Signs nobody in."""

    def authenticate(self, request, **credentials):
        address = _address(request)
        if address and Limit.named(SCOPE).exhausted(address):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise PermissionDenied
        return None  # no get_user(): a backend that signs nobody in is never a session's backend


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: one more failure from the request's address."""
    address = _address(request)
    if address:
        Limit.named(SCOPE).hit(address)
