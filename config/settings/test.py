"""Tests. SQLite by default; WANGGE_TEST_DB=postgres runs the same suite on PostgreSQL."""

import os
import tempfile

import dj_database_url

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, INSTALLED_APPS

(BASE_DIR / "var").mkdir(exist_ok=True)
# The demo sub-district and its commands (load_demo, demo_logins): never in production.
# wangge.testing.plugin: a small app that plugs into the case desk the way real ones do (test_seams).
INSTALLED_APPS = [*INSTALLED_APPS, "wangge.demo", "wangge.testing.plugin"]
SECRET_KEY = "test-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if os.environ.get("WANGGE_TEST_DB") == "postgres":
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("WANGGE_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wangge")
        )
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("WANGGE_TEST_PG_NAME", "test_wangge")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "test.sqlite3",
        }
    }

# A second alias mirroring the test database, for the replica-routing tests (wangge.core.dbrouter);
# no path reads from it unless a test turns WANGGE_REPLICA_PATHS on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
WANGGE_REPLICA_PATHS: list[str] = []
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Messages to residents are written to files (one JSON line each) in a directory of this run.
WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
WANGGE_OUTBOX_DIR = tempfile.mkdtemp(prefix="wangge-outbox-")
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"resident": "1000/minute"}}  # noqa: F405
