"""来电查询码 — a caller's phone searched in the case list never travels in a URL.

A URL ends up in the web server's access log, the browser's history, the Referer header sent to
the next page and in bookmarks: a resident's number has no place there. The search form posts a
phone to the server, which keeps the number in the clerk's session under a short random key and
redirects to the list with ``?caller=<key>``; paging, ordering and the export carry the key only.
A key means something only in the session that made it, and only for ``KEY_TTL`` seconds (a call
and its follow-up): after that, or in another browser, the list says the search has expired.
"""

from __future__ import annotations

import secrets
import time

from django.http import HttpRequest

PARAM = "caller"
SESSION_KEY = "wangge_caller_lookups"
KEY_TTL = 2 * 3600  # a call, its notes and the follow-up; then the number is asked for again
MAX_KEYS = 20  # the newest look-ups of one session; an older key expires early


def remember(request: HttpRequest, number: str) -> str:
    """A new key for the (normalised) ``number`` in this session; the same number asked again
    within the TTL gets its key back (a page refresh does not pile keys up)."""
    now = time.time()
    kept = _live(request, now)
    for key, (phone, _at) in kept.items():
        if phone == number:
            kept[key] = [number, now]
            break
    else:
        key = secrets.token_urlsafe(6)
        kept[key] = [number, now]
    newest = sorted(kept.items(), key=lambda item: item[1][1])[-MAX_KEYS:]
    request.session[SESSION_KEY] = dict(newest)
    return key


def recall(request: HttpRequest, key: str) -> str:
    """The number ``key`` stands for in this session, or "" (unknown, expired, another session's)."""
    entry = _live(request, time.time()).get(key or "")
    return entry[0] if entry else ""


def _live(request: HttpRequest, now: float) -> dict:
    stored = request.session.get(SESSION_KEY) or {}
    return {key: [phone, at] for key, (phone, at) in stored.items() if now - at < KEY_TTL}
