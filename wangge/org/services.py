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


# 到期提醒: how many days before a token expires its owner and the administrators are told (once
# at each mark) — a 12345 link whose token lapses stops filing orders without a sound.
TOKEN_EXPIRY_WARNINGS = (14, 3)
TOKEN_EXPIRY_KIND = "token_expiry"


def warn_expiring_tokens(*, now=None) -> int:
    """Tell the owner of every live token that expires within ``TOKEN_EXPIRY_WARNINGS[0]`` days,
    and the administrators, once per mark (14 days, then 3). Returns the notifications written."""
    from django.db.models import Q
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext_lazy

    from wangge.core.language import office_text
    from wangge.notifications.services import notify

    from .choices import Role

    now = now or timezone.now()
    admins = list(User.objects.filter(Q(is_superuser=True) | Q(roles__role=Role.ADMIN, roles__is_active=True),
                                      is_active=True).distinct())
    try:
        owner_url, admin_url = reverse("web:account"), reverse("admin:org_apitoken_changelist")
    except NoReverseMatch:  # the staff pages or the admin not installed
        owner_url = admin_url = ""
    sent = 0
    expiring = ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True,
                                       expires_at__lte=now + timedelta(days=max(TOKEN_EXPIRY_WARNINGS)))
    for token in expiring.select_related("user").order_by("expires_at", "pk"):
        left = token.expires_at - now
        mark = min(days for days in TOKEN_EXPIRY_WARNINGS if left <= timedelta(days=days))
        message = office_text(gettext_lazy(
            "API token “%(name)s” of %(user)s expires on %(date)s: issue a new one (account page, or "
            "manage.py issue_token) and put it into the system that uses it, such as the 12345 link."), {
            "name": token.name, "user": token.user, "date": timezone.localtime(token.expires_at).date().isoformat()})
        key = f"token-expiry:{token.pk}:{mark}"
        sent += notify(recipients=[token.user], kind=TOKEN_EXPIRY_KIND, message=message, url=owner_url, dedupe_key=key)
        sent += notify(recipients=[a for a in admins if a.pk != token.user_id], kind=TOKEN_EXPIRY_KIND,
                       message=message, url=admin_url, dedupe_key=key)
    return sent
