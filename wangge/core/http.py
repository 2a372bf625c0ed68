"""Facts about the HTTP request that every app needs, decided in one place."""

from __future__ import annotations


def client_ip(request) -> str | None:
    """The caller's address as the web server saw it (the proxy in front sets REMOTE_ADDR).
    A header such as X-Forwarded-For is not trusted here because any client can set it."""
    return request.META.get("REMOTE_ADDR") or None
