"""Settings shared by every environment. Environment-specific files import * from here."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = "insecure-dev-key-change-me"
DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "wangge.core",
    "wangge.org",
    "wangge.residents",
    "wangge.workdays",
    "wangge.cases",
    "wangge.notifications",
    "wangge.web",
    "wangge.dashboard",
    "wangge.portal",
    "wangge.replies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wangge.core.middleware.WanggeLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wangge.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Simplified Chinese by default, English available. Times stored in UTC, shown in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: the django-tasks backport with a durable database backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "wangge.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "wangge.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"resident": "30/minute"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Wangge API",
    "DESCRIPTION": "网格化社会治理平台 — cases, territory, deadlines. Times are ISO 8601 with their UTC offset "
                   "(shown in Asia/Shanghai, +08:00). Errors: {\"error\": {code, message, fields, codes}}; "
                   "messages follow Accept-Language (zh-hans, en). Auth: session, or `Authorization: Token <key>` "
                   "(POST /api/v1/auth/token/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Vendored Swagger UI / ReDoc: no CDN, runs on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema enum per choices class, named after it (several fields share each).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "wangge.cases.choices.CaseStatus",
        "StarLevelEnum": "wangge.cases.choices.StarLevel",
        "DurationUnitEnum": "wangge.cases.choices.DurationUnit",
        "ExtensionStatusEnum": "wangge.cases.choices.ExtensionStatus",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Uploaded attachments: what a case accepts.
WANGGE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
WANGGE_ATTACHMENT_MAX_COUNT = 6
WANGGE_ATTACHMENT_CONTENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "application/pdf",
    "audio/mpeg",
    "audio/amr",
    "audio/wav",
}
# The share of a stage's time after which a light turns amber, unless the policy says otherwise.
WANGGE_AMBER_RATIO = 0.8
# How often the escalation sweep runs (seconds).
WANGGE_SWEEP_INTERVAL = 30
# Map tiles: none by default (intranet). Set a URL template to use a local tile server.
WANGGE_TILE_URL = ""
# The outbox (SMS, WeChat, e-mail to residents): a gateway class per channel ("*": every other);
# an entry may be {"BACKEND": path, "OPTIONS": {...}}. The console gateway only logs.
WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.ConsoleGateway"}
WANGGE_OUTBOX_DIR = BASE_DIR / "var" / "outbox"  # where FileGateway writes <channel>.jsonl
# Where residents reach the platform: the base of the links in messages sent to them.
WANGGE_PUBLIC_BASE_URL = "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "wangge": {"handlers": ["console"], "level": "INFO"},
        "wangge.pii": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
