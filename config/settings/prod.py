"""Production: PostgreSQL and secrets from the environment."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


# Read by name below, or development switches: not taken by the WANGGE_* pass at the end.
_READ_HERE = {"WANGGE_HTTPS", "WANGGE_REPLICA_URL", "WANGGE_REPLICA_PATHS", "WANGGE_TRUSTED_PROXIES",
              "WANGGE_PROXY_SSL_HEADER", "WANGGE_LOG_FORMAT", "WANGGE_LOG_LEVEL", "WANGGE_DEBUG"}


def _setting_from_env(name: str, current):
    """The value of the environment variable ``name`` for a setting whose default is ``current``:
    text stays text (a URL, a phone number), a number or a JSON object/list is parsed, a list may
    also be given comma-separated, a yes/no as 1/0/true/false."""
    raw = os.environ[name].strip()
    if isinstance(current, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(current, str):
        return raw
    if isinstance(current, Path):
        return Path(raw)
    if isinstance(current, (list, tuple, set, frozenset)) and not raw.startswith("["):
        return type(current)(part.strip() for part in raw.split(",") if part.strip())
    try:
        value = json.loads(raw)
    except ValueError:
        if current is None and not raw.startswith(("{", "[")):
            return raw  # a setting with no default here (read with getattr elsewhere): plain text
        raise ImproperlyConfigured(f"{name}: give a number or JSON (an object or a list), not {raw[:40]!r}.") from None
    if isinstance(current, (set, frozenset, tuple)) and isinstance(value, list):
        return type(current)(value)
    expected = (int, float) if isinstance(current, (int, float)) else type(current)
    if current is not None and not isinstance(value, expected):
        raise ImproperlyConfigured(f"{name}: expected {type(current).__name__}, got {type(value).__name__}.")
    return value


DEBUG = False
SECRET_KEY = _env("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
DATABASES = {"default": dj_database_url.parse(_env("DATABASE_URL"), conn_max_age=60)}
# A streaming replica for the dashboard and list reads (wangge.core.dbrouter), when there is one.
if os.environ.get("WANGGE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["WANGGE_REPLICA_URL"], conn_max_age=60)
    WANGGE_REPLICA_PATHS = [p.strip() for p in os.environ.get(
        "WANGGE_REPLICA_PATHS", "/dashboard/,/cases/,/api/v1/cases/").split(",") if p.strip()]
# The reverse proxies in front (comma-separated IPs or CIDRs): only their X-Forwarded-For is read.
WANGGE_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("WANGGE_TRUSTED_PROXIES", "").split(",") if p.strip()]


def _proxy_ssl_header(raw: str) -> tuple[str, str]:
    """``SECURE_PROXY_SSL_HEADER`` from ``WANGGE_PROXY_SSL_HEADER``: ``X-Forwarded-Proto`` (the
    value ``https`` meaning HTTPS) or ``Header-Name: value`` (``X-Forwarded-Ssl: on``)."""
    name, _, value = raw.partition(":")
    name, value = name.strip(), value.strip() or "https"
    if not name or not all(c.isascii() and (c.isalnum() or c == "-") for c in name):
        raise ImproperlyConfigured(
            f"WANGGE_PROXY_SSL_HEADER: give a header name such as X-Forwarded-Proto, not {raw[:40]!r}.")
    return "HTTP_" + name.upper().replace("-", "_"), value


# The proxy that ends TLS tells the application the request came over HTTPS in a header. Django
# believes that header from any peer, so set this only when the proxy overwrites it and nothing
# else reaches the application's port (gunicorn's FORWARDED_ALLOW_IPS is the peer-checked way).
if os.environ.get("WANGGE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ["WANGGE_PROXY_SSL_HEADER"])
SESSION_COOKIE_SECURE = os.environ.get("WANGGE_HTTPS", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# One cache for every web process (rate limits, look-ups): Redis when there is one, otherwise
# the database (``manage.py createcachetable`` once).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wangge_cache",
        }
    }

# Logs: one line per record on stderr (gunicorn and systemd / the container runtime collect it),
# JSON by default (WANGGE_LOG_FORMAT=text for key=value lines), every line with the request id
# (wangge.core.requestid) and unhandled errors with their traceback. Django's default sends
# "django" errors only to ADMINS by e-mail when DEBUG is off — which is how 500s went unlogged.
LOG_FORMAT = "text" if os.environ.get("WANGGE_LOG_FORMAT", "json").lower() == "text" else "json"
LOG_LEVEL = os.environ.get("WANGGE_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wangge.core.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "wangge.core.requestid.JsonLinesFormatter"},
        "text": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # django.request: 4xx as warnings, unhandled exceptions as errors with exc_info.
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "wangge": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "wangge.pii": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django_tasks": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

# Every other WANGGE_* setting can be given in the environment (the README's settings: the public
# address in links and QR codes, the outbox gateways, the tile server, the hotline, retention
# periods, intervals…) — no code to edit for a deployment.
for _name in sorted(n for n in os.environ if n.startswith("WANGGE_") and n not in _READ_HERE):
    globals()[_name] = _setting_from_env(_name, globals().get(_name))
