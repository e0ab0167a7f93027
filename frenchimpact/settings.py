"""Settings of the Territoire French Impact portal.

One module, read from the environment (django-environ). Its defaults run the
embedded set-up of a newcomer's machine: SQLite under ``var/``, a Celery
broker on the file system, e-mails written to ``var/mail/``. Production
differs only by its environment (``DJANGO_ENV=production``), which refuses to
start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``.
Every variable is listed, with its default, in the README.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"


def _required_in_production(name, default, cast=str):
    """Read ``name``; in production it has no default and must be set."""
    if PRODUCTION:
        if name not in env.ENVIRON or not env.ENVIRON[name].strip():
            raise ImproperlyConfigured(
                f"{name} must be set when DJANGO_ENV=production."
            )
        default = environ.Env.NOTSET
    if cast is list:
        return env.list(name, default=default)
    return env.str(name, default=default)


# --- Core -------------------------------------------------------------------
SECRET_KEY = _required_in_production(
    "SECRET_KEY",
    "django-insecure-dev-only-key-never-used-in-production-3f9a1c7e5b2d",
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = _required_in_production(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"], cast=list
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    "crispy_forms",
    "dsfr",
    "widget_tweaks",
    "csp",
    "axes",
    # second factor of staff, reviewers and experts (TOTP and backup codes)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "frenchimpact",
    "accounts",
    "territories",
    "applications",
    "challenges",
    "reviews",
    "support",
    "django.contrib.sitemaps",
    # not "rest_framework": its French catalogue would override Django's own
    # messages (e-mail wording); the API has no template nor browsable page
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "opendata",
    "stats",
]
if DEBUG and not PRODUCTION:
    # runserver serves static files through whitenoise too, as in production
    INSTALLED_APPS.insert(0, "whitenoise.runserver_nostatic")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # anonymous public pages from the cache, before everything else
    # (frenchimpact/public_cache.py; off unless PUBLIC_CACHE_SECONDS)
    "frenchimpact.public_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(): has this session passed the second factor
    "django_otp.middleware.OTPMiddleware",
    # second factor and idle expiry of the privileged sessions
    "accounts.middleware.PrivilegedSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # turns django-ratelimit's refusals into 429 pages (RATELIMIT_VIEW)
    "django_ratelimit.middleware.RatelimitMiddleware",
    # last, as its documentation asks: locks out after repeated failed logins
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "frenchimpact.urls"
WSGI_APPLICATION = "frenchimpact.wsgi.application"

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
                "csp.context_processors.nonce",
                "frenchimpact.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": environ.Env.db_url_config(
        _required_in_production("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # a file, not memory, so that a real Celery worker can share it in tests
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        # the web process and the Celery worker share the file
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://frenchimpact")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # the same, keeping its redis-py clients (frenchimpact/cache.py)
    CACHES["default"]["BACKEND"] = "frenchimpact.cache.RedisCache"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "applications:dashboard"
LOGOUT_REDIRECT_URL = "home"
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600  # seconds a sign-up link stays valid
PASSWORD_RESET_TIMEOUT = 24 * 3600
# login throttling (django-axes): 5 failures lock the e-mail + address pair
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# staff, reviewers and experts log in with a second factor (TOTP); off by
# default in local development only, so that the demo accounts stay usable
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Le French Impact — Territoires"
# a privileged session ends after this many seconds without a request
PRIVILEGED_SESSION_IDLE_SECONDS = env.int(
    "PRIVILEGED_SESSION_IDLE_SECONDS", default=30 * 60
)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# uploaded files live outside the web root; they are served by views that
# check permissions, never by the web server
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# uploaded files and generated documents: local files by default, any
# S3-compatible store when a bucket is configured (django-storages)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="frenchimpact.staticfiles.PortalStaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 60
# geographic reference data installed by npm (see package.json)
NODE_MODULES_DIR = Path(
    env.str("NODE_MODULES_DIR", default=str(BASE_DIR / "node_modules"))
)

# --- E-mail -----------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # development: every e-mail is a file in var/mail/, readable by a person
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Le French Impact <territoires@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default: one task per
        # second per pool process at most
        "polling_interval": 0.1,
    }
    # kombu does not create them, and every process that queues a task
    # needs them, not only the worker: on a fresh checkout, `make run`
    # loads the demo (which queues the open data) before the worker starts
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# a queue of its own lets several portals (or test runs) share one broker
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
# A document render that has held its row longer than this died with its
# worker: the sweep queues it again. Longer than every task's time limit.
DOCUMENT_RENDER_LEASE = env.int("DOCUMENT_RENDER_LEASE", default=300)
CELERY_BEAT_SCHEDULE = {
    # antivirus scans lost or failed, and older files never scanned
    "sweep-scans": {"task": "frenchimpact.sweep_scans", "schedule": 600.0},
    # retention periods of personal data (accounts/personal_data.py)
    "enforce-retention": {
        "task": "accounts.enforce_retention",
        "schedule": 24 * 3600.0,
    },
    "flush-outbox": {"task": "frenchimpact.flush_outbox", "schedule": 60.0},
    "sweep-receipts": {"task": "applications.sweep_receipts", "schedule": 120.0},
    "sweep-reports": {"task": "reviews.sweep_reports", "schedule": 120.0},
    "sweep-certificates": {
        "task": "territories.sweep_certificates",
        "schedule": 120.0,
    },
    "remind-late-experts": {
        "task": "reviews.remind_late_experts",
        "schedule": 6 * 3600.0,
    },
    "expire-labels": {"task": "territories.expire_labels", "schedule": 6 * 3600.0},
    "campaign-reminders": {
        "task": "challenges.send_campaign_reminders",
        "schedule": 6 * 3600.0,
    },
    # safety net of the on-commit rebuild (bulk updates send no signal):
    # rebuilds only when the data changed
    "rebuild-open-data": {"task": "opendata.rebuild", "schedule": 3600.0},
    "deadline-reminders": {
        "task": "applications.send_deadline_reminders",
        "schedule": 3600.0,
    },
}

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

RATELIMIT_VIEW = "frenchimpact.views.rate_limited"

# --- Public API and open data -----------------------------------------------
# requests per client address to the public API (DRF throttling counted in
# CACHES["default"]); empty turns the limit off
API_RATE = env.str("API_RATE", default="120/minute") or None
REST_FRAMEWORK = {
    # read-only and anonymous: no session, no CSRF, no user
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PublicApiThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "URL_FORMAT_OVERRIDE": None,
    "UNICODE_JSON": True,
    "EXCEPTION_HANDLER": "api.exceptions.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API publique — Le French Impact, Territoires",
    "DESCRIPTION": (
        "Données publiques des territoires labellisés « Territoire French "
        "Impact » : territoires, labels, vagues, défis, projets, objectifs et "
        "avancement. Lecture seule, sans authentification, sous Licence "
        "Ouverte / Open Licence 2.0."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {
        "name": "Licence Ouverte / Open Licence 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.complete_schema",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LabelStatusEnum": "territories.enums.LabelStatus",
        "WaveStatusEnum": "applications.enums.WaveStatus",
    },
    # the schema reads the database (vocabularies): not at `check --deploy`,
    # where there may be none; tests/api validate it instead
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# where the open-data files are kept in the default storage
OPENDATA_FOLDER = env.str("OPENDATA_FOLDER", default="opendata")

# --- Portal -----------------------------------------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", default=10)
# antivirus of every uploaded file (frenchimpact/antivirus.py): ClamAV's
# clamd by default; NoScanner (marks files « non analysé ») only in local
# development, where no clamd runs
ANTIVIRUS_BACKEND = env.str(
    "ANTIVIRUS_BACKEND",
    default="frenchimpact.antivirus.NoScanner"
    if DEBUG and not PRODUCTION
    else "frenchimpact.antivirus.ClamdScanner",
)
CLAMD_HOST = env.str("CLAMD_HOST", default="127.0.0.1")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# retention of personal data, in days (docs/rgpd.md, the record of processing)
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int(
    "RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30
)
RETENTION_OUTBOX_DAYS = env.int("RETENTION_OUTBOX_DAYS", default=90)
RETENTION_CLOSED_ATTACHMENTS_DAYS = env.int(
    "RETENTION_CLOSED_ATTACHMENTS_DAYS", default=2 * 365
)
RETENTION_LOGIN_LOG_DAYS = env.int("RETENTION_LOGIN_LOG_DAYS", default=180)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DIRECTORY_PAGE_SIZE = env.int("DIRECTORY_PAGE_SIZE", default=12)
# anonymous public pages kept in the cache (frenchimpact/public_cache.py),
# at most this many seconds; 0 turns the cache off (the development default:
# the local-memory cache is not shared with the Celery worker)
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=600 if PRODUCTION else 0)
# what each process keeps of those pages in its own memory (bodies included),
# so that a hit reads only the data versions from the shared cache
PUBLIC_CACHE_LOCAL_BYTES = env.int("PUBLIC_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# the territory the home page puts forward (an editorial choice); without
# it, the most recently labelled one
HOME_FEATURED_TERRITORY = env.str(
    "HOME_FEATURED_TERRITORY", default="territoire-ledonien"
)
CRISPY_ALLOWED_TEMPLATE_PACKS = ("crispy_dsfr",)
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
# no Bootstrap-style widget classes: the DSFR templates set their own
CRISPY_CLASS_CONVERTERS = {
    "textinput": "",
    "textarea": "",
    "emailinput": "",
    "numberinput": "",
    "passwordinput": "",
    "urlinput": "",
    "dateinput": "",
    "fileinput": "",
    "select": "",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log every font subset at INFO: one line per
    # glyph table of every certificate in the worker's log
    "loggers": {
        name: {"level": env.str("PDF_LOG_LEVEL", default="WARNING")}
        for name in ("weasyprint", "fontTools")
    },
}
