"""Sign-ins copied into the audit as Django reports them (mechanical: no rule lives here)."""

from __future__ import annotations

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from .actions import record_sign_in
from .choices import SignInKind


@receiver(user_logged_in, dispatch_uid="wangge.audit.logged_in")
def _logged_in(sender, request, user, **kwargs):
    record_sign_in(kind=SignInKind.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="wangge.audit.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session is no event
        record_sign_in(kind=SignInKind.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="wangge.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get("phone") or ""
    record_sign_in(kind=SignInKind.FAILED, username=str(username), request=request)
