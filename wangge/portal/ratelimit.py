"""The resident pages' limits live in ``wangge.core.ratelimit`` (shared by every app)."""

from wangge.core.ratelimit import DEFAULT_LIMITS, Limit, client_ip, register_limit  # noqa: F401
