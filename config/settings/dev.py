"""Development / demo: SQLite embedded default, nothing else needed."""

import os

import dj_database_url

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, INSTALLED_APPS

(BASE_DIR / "var").mkdir(exist_ok=True)
# The demo sub-district and its commands (load_demo, demo_logins): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "wangge.demo"]
DEBUG = os.environ.get("WANGGE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'wangge.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The outbox logs each text (the console gateway), never a resident's number or verification code;
# the demo's codes (我的个人信息) go to this file instead, which the sign-in page names — development
# only: the gateway honours it only where the demo app is installed.
WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": "wangge.notifications.gateways.ConsoleGateway",
                               "OPTIONS": {"codes_file": str(BASE_DIR / "var" / "outbox" / "demo-codes.txt")}}}
