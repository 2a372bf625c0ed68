"""Settings shared by every environment. Environment-specific files import * from here."""

from datetime import timedelta
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
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "wangge.core",
    "wangge.org",
    "wangge.residents",
    "wangge.audit",
    "wangge.workdays",
    "wangge.cases",
    "wangge.notifications",
    "wangge.web",
    "wangge.dashboard",
    "wangge.portal",
    "wangge.replies",
    "wangge.intake.hotline12345",
    "wangge.intake.wechat",
    "wangge.intake.open311",
    "wangge.intake.qrcodes",
    "wangge.intake.duplicates",
    "wangge.diary",
    "wangge.patrols",
    "wangge.neighbourhood",
    "wangge.keypersons",
    "wangge.meetings",
    "wangge.credit",
]

MIDDLEWARE = [
    "wangge.core.requestid.RequestIdMiddleware",  # first: every log line and error page has the id
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wangge.core.middleware.WanggeLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wangge.core.dbrouter.ReplicaReadsMiddleware",  # no-op without DATABASES["replica"]
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused by django-axes into the lockout page (or JSON for the API).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Dashboard and list reads go to DATABASES["replica"] when one is configured (wangge.core.dbrouter).
DATABASE_ROUTERS = ["wangge.core.dbrouter.ReplicaRouter"]

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
                "wangge.web.context_processors.navigation",
                "wangge.web.context_processors.language_switch",
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes) on the sign-in page, the admin and POST /api/v1/auth/token/:
# AXES_FAILURE_LIMIT failures for one username lock that account for AXES_COOLOFF_TIME (failures
# during the lockout extend it). Every failure and every sign-in is recorded (admin → Axes); an
# administrator lifts a lockout by deleting its "access attempt" there or with
# `manage.py axes_reset_username <name>`. An address is locked only for failures far beyond one
# person's (wangge.web.signin: 50 in 15 minutes — an office signs in from behind one router), and
# that lock lifts by itself after the window. The address is wangge.core.http.client_ip, the same
# one every rate limit uses.
AUTHENTICATION_BACKENDS = [
    "wangge.web.signin.AddressLockoutBackend",  # first: an address spraying passwords over many accounts
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before the password is checked
    "wangge.org.role_permissions.RolePermissionBackend",  # before ModelBackend: adds the user's roles' permissions (org.0003)
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" above: the address lock is wangge.web.signin's (at a count one
# office's fumbling does not reach), not axes' (which locked a whole office behind one router).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "wangge.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "wangge.web.account_views.lockout"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = False  # a correct password does not wipe the failures an attacker piled up
AXES_SENSITIVE_PARAMETERS = ["password"]  # keep usernames and addresses in the records, never passwords
# Reverse proxies in front of the application (addresses or CIDR networks, e.g. ["10.0.0.5",
# "172.16.0.0/12"]). Only a request whose peer is one of them has its X-Forwarded-For read (the
# right-most address that is not one of them is the client); from anyone else the header is
# ignored. Empty (the default): the client is REMOTE_ADDR. Leaving a proxy out makes every
# client look like the proxy — rate limits and lockouts then hit everyone at once.
WANGGE_TRUSTED_PROXIES: list[str] = []

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
        "wangge.org.api.auth.ApiTokenAuthentication",  # hashed, expiring, revocable (org.ApiToken)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "wangge.core.api.StandardPagination",
    # JSON nested deeper than wangge.core.api.MAX_JSON_DEPTH is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "wangge.core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "wangge.core.api.document_unsupported_media_type",
                             "wangge.core.api.document_pagination_errors",
                             "wangge.core.api.document_unauthenticated",
                             "wangge.core.api.document_unknown_fields"],
    # One schema enum per choices class, named after it (several fields share each).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "wangge.cases.choices.CaseStatus",
        "StarLevelEnum": "wangge.cases.choices.StarLevel",
        "DurationUnitEnum": "wangge.cases.choices.DurationUnit",
        "ExtensionStatusEnum": "wangge.cases.choices.ExtensionStatus",
        "CaseLevelEnum": "wangge.cases.choices.CaseLevel",
        "RoleEnum": "wangge.org.choices.Role",
        "RegionLevelEnum": "wangge.org.choices.RegionLevel",
        # The field apps' choice sets share field names (status, kind, level, frequency, role).
        "PatrolFrequencyEnum": "wangge.patrols.choices.Frequency",
        "PatrolSlotStatusEnum": "wangge.patrols.choices.SlotStatus",
        "VisitFrequencyEnum": "wangge.keypersons.choices.VisitFrequency",
        "AttendanceKindEnum": "wangge.keypersons.choices.AttendanceKind",
        "QuickReportKindEnum": "wangge.keypersons.choices.QuickReportKind",
        "DiaryDayStatusEnum": "wangge.diary.choices.DayStatus",
        "MeetingKindEnum": "wangge.meetings.choices.MeetingKind",
        "MeetingLevelEnum": "wangge.meetings.choices.MeetingLevel",
        "MeetingStatusEnum": "wangge.meetings.choices.MeetingStatus",
        "ParticipantKindEnum": "wangge.meetings.choices.ParticipantKind",
        "RepresentativeRoleEnum": "wangge.meetings.choices.RepresentativeRole",
        "TopicStatusEnum": "wangge.meetings.choices.TopicStatus",
        "MinutesKindEnum": "wangge.meetings.choices.MinutesKind",
        "MinutesStatusEnum": "wangge.meetings.choices.MinutesStatus",
        "AmendmentStatusEnum": "wangge.meetings.choices.AmendmentStatus",
        "CreditAccountKindEnum": "wangge.credit.choices.AccountKind",
        "CreditEntryKindEnum": "wangge.credit.choices.EntryKind",
        "ChiefKindEnum": "wangge.neighbourhood.choices.ChiefKind",
        "NeedStatusEnum": "wangge.neighbourhood.choices.NeedStatus",
        "NeedLevelEnum": "wangge.neighbourhood.choices.NeedLevel",
        "RatingPeriodStatusEnum": "wangge.neighbourhood.choices.PeriodStatus",
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
# Files attached to a hotline call that came back to confirm a likely duplicate are kept on the
# server for this many hours (the call and its follow-up), then removed if never filed.
WANGGE_HELD_UPLOAD_HOURS = 2
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
# The office's hotline, printed on the 码上办 QR code sheets (wangge.intake.qrcodes) and named as
# where to turn in the 不予受理 notices and on a rejected report's page; "" leaves it out there.
WANGGE_OFFICE_HOTLINE = "12345"
# Login records (wangge.audit) are kept this many days, then `manage.py prune_audit` deletes them;
# a system check refuses fewer than 180 (Cybersecurity Law art. 21: at least six months).
WANGGE_AUDIT_RETENTION_DAYS = 365

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "wangge": {"handlers": ["console"], "level": "INFO"},
        "wangge.pii": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
