"""``Authorization: Token <key>`` with the platform's own tokens (``org.models.ApiToken``): hashed,
expiring, revocable. DRF's own TokenAuthentication is not used (plain keys, never expire)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from .. import services

# The schemes a key may come under: DRF's ``Token``, and ``Bearer`` (RFC 6750), which most HTTP
# clients and integrators send by habit (GitHub takes both) — refusing it as "no credentials
# provided" sent them looking for a missing header.
SCHEMES = (b"token", b"bearer")


class ApiTokenAuthentication(TokenAuthentication):
    """Same header and keyword as DRF's (``Token``, or ``Bearer``), so clients and the schema need
    no change; an expired or revoked token is a 401 that says which, in words and in its code
    (``token_expired``, ``token_revoked``: a linked system's monitor can tell "issue a new token"
    from "someone revoked it" without reading a translated sentence)."""

    keyword = "Token"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in SCHEMES:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header. Token string should not contain spaces.")
                                                  if auth[2:] else _("Invalid token header. No credentials provided."))
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."), code="token_revoked")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired. Please issue a new one."),
                                                  code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."), code="account_inactive")
        services.note_token_used(token)
        return (token.user, token)
