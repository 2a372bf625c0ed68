"""``Authorization: Token <key>`` with the platform's own tokens (``org.models.ApiToken``): hashed,
expiring, revocable. DRF's own TokenAuthentication is not used (plain keys, never expire)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .. import services


class ApiTokenAuthentication(TokenAuthentication):
    """Same header and keyword as DRF's (``Token``), so clients and the schema need no change;
    an expired or revoked token is a 401 that says which."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired. Please issue a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        services.note_token_used(token)
        return (token.user, token)
