"""Signed links for residents' phone pages (django.core.signing, a salt per purpose).

- a questionnaire's link (线上问): the questionnaire id, no expiry (printed as a QR code; closed
  by closing the questionnaire);
- a rating link (三评): the service and the household it was delivered to, valid 90 days;
- a follow-up link (“was it really fixed?”): the follow-up id, valid 90 days.
A link that was altered, forged or has expired is refused with a page that says so.
"""

from __future__ import annotations

from django.core import signing

ASK_SALT = "wangge.neighbourhood.ask"
RATE_SALT = "wangge.neighbourhood.rate"
FOLLOW_SALT = "wangge.neighbourhood.follow"
MAX_AGE = 90 * 86400


class BadLink(Exception):
    """A link this platform did not make, altered, or expired."""


def ask_token(questionnaire_id: int) -> str:
    return signing.Signer(salt=ASK_SALT).sign(str(int(questionnaire_id)))


def questionnaire_id_from(token: str) -> int:
    try:
        value = signing.Signer(salt=ASK_SALT).unsign((token or "")[:200])
    except signing.BadSignature:
        raise BadLink from None
    if not value.isdigit():
        raise BadLink
    return int(value)


def rate_token(service_id: int, household_id: int) -> str:
    return signing.dumps([int(service_id), int(household_id)], salt=RATE_SALT, compress=False)


def rating_target_from(token: str) -> tuple[int, int]:
    try:
        value = signing.loads((token or "")[:300], salt=RATE_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise BadLink from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise BadLink
    return value[0], value[1]


def follow_token(follow_up_id: int) -> str:
    return signing.dumps(int(follow_up_id), salt=FOLLOW_SALT)


def follow_up_id_from(token: str) -> int:
    try:
        value = signing.loads((token or "")[:300], salt=FOLLOW_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise BadLink from None
    if not isinstance(value, int):
        raise BadLink
    return value
