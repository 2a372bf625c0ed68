"""Writes about staff accounts: API tokens (接口令牌).

A token's key is made here, shown to its owner once and stored only as its SHA-256. Every
issue and revocation is written to the ``wangge.security`` log (who, which token, from where).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.errors import DomainError

from .models import ApiToken, User
from .models.token import hash_key

log = logging.getLogger("wangge.security")

KEY_PREFIX = "wg_"  # lets secret scanners and people recognise a leaked key
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
# last_used_at is written at most this often per token: a busy script must not turn every
# request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenError(DomainError):
    code = "invalid"
    default_message = _("The token could not be changed.")


class TokenNotFound(TokenError):
    code = "not_found"
    status_code = 404
    default_message = _("There is no such token.")


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(30)


def issue_api_token(*, user: User, name: str, days: int = DEFAULT_TOKEN_DAYS,
                    actor: User | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` that expires in ``days`` days → (token, the key, to show once).
    ``actor``: who asked (the user themselves when None; an administrator for ``issue_token``)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Please give the token a name, e.g. the program that will use it."),
                         fields={"name": "required"})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise TokenError(_("The name is too long."), fields={"name": "max_length"})
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise TokenError(_("A token is valid for 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS},
                         fields={"days": "invalid"})
    if not user.is_active:
        raise TokenError(_("This account is not active."), fields={"user": "inactive"})
    key = new_key()
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key), created_at=now,
                                        expires_at=now + timedelta(days=days))
        log.info("api token issued: user=%s token=%s name=%r expires=%s by=%s", user.pk, token.pk, name,
                 token.expires_at.isoformat(), (actor or user).pk)
    return token, key


def revoke_api_token(*, token_id: int, actor: User) -> ApiToken:
    """Revoke one of the actor's own tokens (an administrator with the "delete API token"
    permission may revoke anyone's). A token the actor may not touch is "not found", the same as
    one that does not exist. Revoking twice is harmless."""
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update()
        if not actor.has_perm("org.delete_apitoken"):
            tokens = tokens.filter(user=actor)
        token = tokens.filter(pk=token_id).first()
        if token is None:
            raise TokenNotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            log.info("api token revoked: user=%s token=%s by=%s", token.user_id, token.pk, actor.pk)
    return token


def revoke_all_api_tokens(*, user: User, actor: User) -> int:
    """Revoke every live token of ``user`` (``issue_token --rotate``, a leaver) → how many."""
    now = timezone.now()
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
        if count:
            log.info("api tokens revoked: user=%s count=%d by=%s", user.pk, count, actor.pk)
    return count


def token_for_key(key: str) -> ApiToken | None:
    """The token with this key (revoked and expired ones too: the caller says why it refuses),
    with its user, or None."""
    if not key:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def note_token_used(token: ApiToken) -> None:
    """Record that ``token`` was just used, at most once per ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
