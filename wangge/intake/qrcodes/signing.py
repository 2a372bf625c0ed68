"""The token a printed code carries: the code's id, signed (HMAC with the SECRET_KEY and a salt of
its own), so that nobody can change a code to point at another place. No expiry: sheets hang on
walls for years; a code is withdrawn by retiring it. Rotating SECRET_KEY invalidates every
printed code unless the old key stays in SECRET_KEY_FALLBACKS until the sheets are reprinted."""

from __future__ import annotations

from django.core import signing

SALT = "wangge.intake.qrcodes.scan"


class BadToken(Exception):
    """A token that was not made by this platform, or was altered."""


def _signer() -> signing.Signer:
    # Signer.sign(): "<id>:<signature>", short enough for a small, easily scanned code.
    return signing.Signer(salt=SALT)


def token_for(code_id: int) -> str:
    return _signer().sign(str(int(code_id)))


def code_id_from(token: str) -> int:
    """The id a token names; ``BadToken`` for anything else (tampered, truncated, foreign)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise BadToken
    try:
        value = _signer().unsign(token.strip())
    except signing.BadSignature:
        raise BadToken from None
    if not value.isdigit():
        raise BadToken
    return int(value)
