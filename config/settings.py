"""One settings file, driven by environment variables (see .env.example and the README).

Defaults are safe for a laptop: SQLite under var/, no broker (kombu's filesystem transport,
so the worker and beat still run), console e-mail and SMS, DEBUG off unless asked.
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
TESTING = env.bool("TESTING", default="pytest" in sys.modules)
# The local .env written by scripts/setup (DEBUG=true, a generated SECRET_KEY); the environment
# wins over it. ENV_FILE names another file; a test run reads none unless told (its settings
# must not depend on a developer's .env).
_env_file = env.str("ENV_FILE", default="" if TESTING else str(BASE_DIR / ".env"))
if _env_file:
    environ.Env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Our apps, in dependency order: the demo command builds them in this order.
LOCAL_APPS = [
    "core",
    "notices",
    "rivers",
    "patrols",
    "directives",
    "monitoring",
    "plans",
    "letters",
    "public",
    "smallwater",
    "smartwater",
    # Above the feature apps: reads from all of them (dashboard, map, assessment, report).
    "overview",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "core.axes_app.AxesConfig",  # django-axes, named in Chinese in the admin
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    # Token-authenticated /api/ requests continue through API_TOKEN_MIDDLEWARE instead.
    "core.middleware.TokenApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.replica.ReplicaListReadsMiddleware",
]
# The rest of the stack for a district system's token request (core/middleware.py): no
# session, session user, CSRF (DRF views are exempt; the token is the credential), messages,
# htmx, login lockout or static files, which cost more than its SQL. Language, trailing
# slashes, frame options, the history's user and the replica routing still apply.
API_TOKEN_MIDDLEWARE = [
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.replica.ReplicaListReadsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
                "overview.context_processors.notifications",
                "overview.context_processors.user_title",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database too: a real Celery worker in another
    # process must see the rows the integration tests write.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # A real embedded default: WAL (readers never wait for the writer), a busy timeout
    # (a writer waits up to SQLITE_BUSY_TIMEOUT seconds for the lock instead of failing
    # "database is locked"), and IMMEDIATE transactions: a transaction takes the write lock
    # when it begins, so two writers queue for it instead of one failing when it upgrades
    # its read lock (which no busy timeout can save). Django 5.1+ OPTIONS.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A read replica for the API's list reads (core/replica.py); several web nodes can share one
# PostgreSQL primary and its replicas. Tests get a mirror alias so the router can be tested.
DATABASE_READ_REPLICA = None
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASE_READ_REPLICA = "replica"
elif TESTING:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["core.replica.ReadReplicaRouter"]
# Django's cache: each process its own memory by default; CACHE_URL=redis://127.0.0.1:6379/1
# shares it between the web processes and the worker, so a change one of them announces
# (the office dashboard's, overview/signals.py) reaches every process at once.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Django's database sessions, loaded by one plain query on every request (core/sessions.py).
SESSION_ENGINE = "core.sessions"
# Login throttling per account and address together, with a short growing delay
# (core/lockout.py); the office unlocks its own users (core.services.unlock_login).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_FAILURE_LIMIT = "core.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "core.lockout.cool_off"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=not TESTING)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from npm (package.json, pinned), never from a CDN at run time; only
# the files the pages load are served and collected (core/staticfinders.py), not whole dists.
NPM_STATIC_FILES = {
    "vendor/htmx": ("node_modules/htmx.org/dist", ["htmx.min.js"]),
    "vendor/echarts": ("node_modules/echarts/dist", ["echarts.min.js"]),
    "vendor/leaflet": (
        "node_modules/leaflet/dist",
        ["leaflet.js", "leaflet.js.map", "leaflet.css", "images/*.png"],
    ),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "core.staticfinders.NpmFilesFinder",
]
STORAGES = {
    "default": {"BACKEND": "core.media.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "core.static_storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# How core.media.serve_media sends a file it allowed: "django" (FileResponse), "x-accel"
# (nginx: X-Accel-Redirect to the internal location MEDIA_ACCEL_PREFIX) or "x-sendfile".
# Private working files (never under MEDIA_ROOT): the parsed rows of a lab import.
IMPORT_WORK_DIR = env.path("IMPORT_WORK_DIR", default=str(VAR_DIR / "imports"))
MEDIA_SERVE_MODE = env.str("MEDIA_SERVE_MODE", default="django")
MEDIA_ACCEL_PREFIX = env.str("MEDIA_ACCEL_PREFIX", default="/protected-media/")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000

# E-mail and SMS: console by default; see README for the real backends.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="河长办 <hezhang@localhost>")
SMS_BACKEND = env.str("SMS_BACKEND", default="notices.sms.ConsoleBackend")
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="河长办")
# The gateway's answer is awaited this long; past it the outcome is "unknown" (never re-sent
# blindly). SMS_API_STATUS_URL, if the gateway has one, tells what became of such a send.
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10)
SMS_API_STATUS_URL = env.str("SMS_API_STATUS_URL", default="")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery: Redis in production; kombu's filesystem transport when no broker is configured,
# so that the worker and beat still run on a laptop with nothing but SQLite.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery-queue")))
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        # Without it kombu writes its exchange tables to ./control in the working directory.
        "control_folder": str(_queue_dir / "control"),
    }
# Acks late + a visibility timeout matched to the tasks: a message a dead worker held comes
# back after CELERY_VISIBILITY_TIMEOUT seconds (kombu's default is one hour), and no task may
# run that long (time limits below), or Redis would hand it to a second worker while it runs.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process was killed goes back to the queue at once, not after the
# visibility timeout (every task claims its row, so running it again is harmless).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection after every task unless this is set;
# config/celery.py closes only the broken or old ones instead (CONN_MAX_AGE), as Django does
# between requests.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1_000_000)
# A safety net only (KB; a pool process past it is replaced after its task): lab imports hold
# one chunk at a time and hand memory back when they end (core.memory).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=None)
# The broker is a wake-up, not the truth: publishing gives up quickly when it is down (the
# sweepers send what was committed once it is back).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Separate queues so that one kind of work never waits behind another (README, Production):
# letters (compose and send), deliveries (notices: e-mail/SMS), imports (lab files). Off by
# default, because a worker started without -Q consumes only the default queue "celery".
CELERY_SEPARATE_QUEUES = env.bool("CELERY_SEPARATE_QUEUES", default=False)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = (
    {
        "letters.tasks.*": {"queue": "letters"},
        "notices.tasks.*": {"queue": "deliveries"},
        "monitoring.tasks.*": {"queue": "imports"},
    }
    if CELERY_SEPARATE_QUEUES
    else {}
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox sweeper: every due delivery no task picked up (lost wake-up, failed publish,
    # restarted broker, retry after backoff), dead workers' claims, unknown outcomes.
    "notices-sweep-outbox": {
        "task": "notices.tasks.sweep_outbox",
        "schedule": crontab(minute="*"),
    },
    # Supervision-order deadline alerts (due soon, today, overdue, escalation); once per stage.
    "directive-deadline-alerts": {
        "task": "directives.tasks.send_deadline_alerts",
        "schedule": crontab(minute=0, hour="8,14"),
    },
    # Monthly letters to river chiefs: each town's batch for the month, 09:00 on the 1st.
    "letters-monthly": {
        "task": "letters.tasks.queue_monthly_letters",
        "schedule": crontab(day_of_month="1", hour="9", minute="0"),
    },
    # Monthly assessment (考核): every town's scorecards of the month just ended, 02:00 on the 1st.
    "overview-scorecards": {
        "task": "overview.tasks.compute_last_month",
        "schedule": crontab(day_of_month="1", hour="2", minute="0"),
    },
    # Lab imports tell the truth: committed rows make a finished job; no intermediate file leaks.
    "monitoring-sweep-imports": {
        "task": "monitoring.tasks.sweep_imports",
        "schedule": crontab(minute="*/5"),
    },
    # Signboard prints whose worker died fail, so the office can ask again; lost wake-ups rerun.
    "public-sweep-signboard-prints": {
        "task": "public.tasks.sweep_signboard_prints",
        "schedule": crontab(minute="*/5"),
    },
    # River statuses of the recent months stored for every monitored river (01:30), so the
    # first visit of the day reads them instead of computing them.
    "monitoring-warm-river-status": {
        "task": "monitoring.tasks.warm_river_status",
        "schedule": crontab(hour="1", minute="30"),
    },
    # The page maps' change notes (core/page_map.py) emptied: one row per write statement.
    "core-prune-list-changes": {
        "task": "core.tasks.prune_list_changes",
        "schedule": crontab(minute="17"),
    },
    # Resume letter batches a crashed worker or a lost broker left half-sent.
    "letters-resume": {
        "task": "letters.tasks.resume_stalled_letters",
        "schedule": crontab(minute="*"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.authentication.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",  # django-filter's, skipped when no filter is asked for
        "core.filters.SearchFilter",  # DRF's, skipped when no ?search= is given
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    # DRF's, with a shortcut for clients that accept JSON or anything (core/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.ContentNegotiation",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Active for every API view: a budget per token, per session user and per anonymous
    # address (core/throttling.py). Tests run without limits unless a test sets them.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.TokenRateThrottle",
        "core.throttling.SessionRateThrottle",
        "core.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN", default="" if TESTING else "1200/min") or None,
        "user": env.str("API_THROTTLE_USER", default="" if TESTING else "600/min") or None,
        "anon": env.str("API_THROTTLE_ANON", default="" if TESTING else "60/min") or None,
    },
}
# Each web process remembers a token it found for this many seconds (core/authentication.py):
# a revoked token, or a deactivated user's, is refused by every process within that time.
# 0 looks every token up on every request (the tests, unless a test sets it).
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=0 if TESTING else 5)
# Each web process keeps the SQL of this many API list queries, by the whole query (core/
# compiled.py): an equal query is not compiled again. 0 compiles every query.
API_COMPILED_QUERIES = env.int("API_COMPILED_QUERIES", default=500)
# The office dashboard's figures are remembered this long per town (overview/selectors/
# dashboard.py): a save or delete of a record it counts drops them at once, a bulk write (lab
# import, letter run) shows within this time. 0 computes them on every request (the tests,
# unless a test sets it).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=0 if TESTING else 30)
# The patrol list's count and page ids are remembered this long per scope and filters in each
# web process (patrols/selectors/counts.py): a patrol added shows at the next read in every
# process, a saved or deleted one drops them at once (every process with a shared CACHE_URL),
# anything else shows within this time. 0 reads them on every request (the tests, unless a
# test sets it).
PATROL_COUNT_CACHE_SECONDS = env.int("PATROL_COUNT_CACHE_SECONDS", default=0 if TESTING else 30)
# The patrol statistics' figures are remembered this long per scope, year and filters in
# Django's cache (patrols/selectors/stats.py), under the same rules: a patrol or finding added
# shows at the next read, one saved or deleted drops them at once (every process with a shared
# CACHE_URL), anything else shows within this time. 0: computed on every request.
PATROL_STATS_CACHE_SECONDS = env.int("PATROL_STATS_CACHE_SECONDS", default=0 if TESTING else 30)
# API lists count exactly up to this many rows, then give PostgreSQL's estimate (core/pagination.py).
API_EXACT_COUNT_UP_TO = env.int("API_EXACT_COUNT_UP_TO", default=1000)
# ... and each web process keeps such an estimate this many seconds per list, caller and filters
# (0: ask the planner on every page; the tests, unless a test sets it).
API_ESTIMATED_COUNT_SECONDS = env.int("API_ESTIMATED_COUNT_SECONDS", default=0 if TESTING else 30)
SPECTACULAR_SETTINGS = {
    "TITLE": "河长制办公系统 API / River-chief office API",
    "DESCRIPTION": (
        "REST API for district systems and chief apps. Authenticate with "
        "`Authorization: Token <key>` (a token scoped to a region, read or write)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation also documents the shared error answers (400/401/403/404/405/429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.document_error_responses",
    ],
    # One name per choice set where several apps have a "status" or a "source".
    "ENUM_NAME_OVERRIDES": {
        "DirectiveStatusEnum": "directives.models.Status",
        "DirectiveSourceEnum": "directives.models.Source",
        "ExtensionDecisionEnum": "directives.models.ExtensionRequest.Decision",
        "PatrolStatusEnum": "patrols.models.Patrol.Status",
        "PatrolSourceEnum": "patrols.models.Patrol.Source",
        "PatrolReviewEnum": "patrols.models.Patrol.Review",
        "FindingStatusEnum": "patrols.models.Finding.Status",
        "SampleSourceEnum": "monitoring.models.Sample.Source",
        "WaterBodyKindEnum": "rivers.models.WaterBody.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SESSION_COOKIE_SECURE = not TESTING
    CSRF_COOKIE_SECURE = not TESTING
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- pages ---
# Every empty filter choice reads 全部 ("All"), not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")

# --- rivers ---
# Maps (issue 10 item 13). The embedded default asks no server outside the machine: with no
# tile URL, Leaflet draws the town's own geometries (the registry's river courses) as the base.
# MAP_TILE_URL is an XYZ template such as https://tile.example/{z}/{x}/{y}.png, and
# MAP_TILE_ATTRIBUTION the credit its licence asks for (shown only once a tile has loaded).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
# Content-Security-Policy on every page (core/csp.py): scripts from our static files only.
CSP_ENABLED = env.bool("CSP_ENABLED", default=True)

# --- directives ---
# Deadline alerts of supervision orders: "due soon" this many days before the deadline, and
# escalation to the chief's superior and the town office after this many days overdue.
DIRECTIVES_DUE_SOON_DAYS = env.int("DIRECTIVES_DUE_SOON_DAYS", default=3)
DIRECTIVES_ESCALATE_AFTER_DAYS = env.int("DIRECTIVES_ESCALATE_AFTER_DAYS", default=3)
# Extensions: at most this many granted per order, never past the original deadline + days.
DIRECTIVES_MAX_EXTENSIONS = env.int("DIRECTIVES_MAX_EXTENSIONS", default=2)
DIRECTIVES_MAX_EXTENSION_DAYS = env.int("DIRECTIVES_MAX_EXTENSION_DAYS", default=30)

# Alibaba Cloud SMS for the alerts (SMS_BACKEND=notices.sms_aliyun.AliyunSmsBackend); see that
# module. SMS_SIGN_NAME above is the approved signature.
SMS_ALIYUN_ACCESS_KEY_ID = env.str("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env.str("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_TEMPLATE_CODE = env.str("SMS_ALIYUN_TEMPLATE_CODE", default="")
SMS_ALIYUN_TEMPLATE_PARAM = env.str("SMS_ALIYUN_TEMPLATE_PARAM", default="title")
SMS_ALIYUN_ENDPOINT = env.str("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")

# --- patrols ---
# Largest photo accepted from a phone, before re-encoding (bytes).
PATROL_PHOTO_MAX_BYTES = env.int("PATROL_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# Upload limits checked before any expensive work (README "Security"): pixels of an image read
# from its header (a 48 MP phone camera is the largest in use), size of a GPX track.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
GPX_MAX_BYTES = env.int("GPX_MAX_BYTES", default=2 * 1024 * 1024)

# --- spreadsheet imports (core.spreadsheets: lab sheets, the river registry) ---
# What one uploaded .xlsx/.csv may hold: data rows below the header, the .xlsx's members once
# unpacked (checked on the zip's declared sizes before opening) and the file itself.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_UNPACKED_MB = env.int("IMPORT_MAX_UNPACKED_MB", default=200)
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=50)

# --- water quality ---
# DO Class I rule (GB 3838-2002 table 1: "7.5 mg/L (or 90 % saturation)"): "fixed" grades it on
# 7.5 mg/L as national evaluation practice does; "saturation" also gives Class I at 90 %
# saturation at the measured water temperature. The pages' conventions name the rule in force.
MONITORING_DO_CLASS_I_RULE = env.str("MONITORING_DO_CLASS_I_RULE", default="fixed")
if MONITORING_DO_CLASS_I_RULE not in ("fixed", "saturation"):
    raise ImproperlyConfigured('MONITORING_DO_CLASS_I_RULE must be "fixed" or "saturation"')

# --- letters ---
# Letters composed together by one task (their figures gathered in a constant number of
# queries), chunks queued per fan-out task, and how long a claimed letter may stay "sending"
# before the resume job takes it over (safe: the notification is unique by key).
LETTERS_CHUNK_SIZE = env.int("LETTERS_CHUNK_SIZE", default=250)
LETTERS_CHUNKS_PER_FAN_OUT = env.int("LETTERS_CHUNKS_PER_FAN_OUT", default=20)
LETTERS_STALE_AFTER_SECONDS = env.int("LETTERS_STALE_AFTER_SECONDS", default=120)

# --- notices (the outbox; see notices.services and README "Reliability") ---
# A worker's claim on a delivery lasts this long (longer than any send may take: the task is
# killed at NOTICES_TASK_TIME_LIMIT); past it the sweeper resolves the claim.
NOTICES_TASK_TIME_LIMIT = env.int("NOTICES_TASK_TIME_LIMIT", default=60)
NOTICES_LEASE_SECONDS = env.int("NOTICES_LEASE_SECONDS", default=120)
# The sweeper wakes up a pending delivery once it has been due this long without a worker.
NOTICES_SWEEP_GRACE_SECONDS = env.int("NOTICES_SWEEP_GRACE_SECONDS", default=60)
if NOTICES_LEASE_SECONDS <= NOTICES_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("NOTICES_LEASE_SECONDS must exceed NOTICES_TASK_TIME_LIMIT")
# Deliveries one task claims and sends (notices.services.deliver_many): thousands of alerts
# are then tens of tasks. A chunk that runs out of time hands the rest back to the queue.
NOTICES_DELIVERY_CHUNK = env.int("NOTICES_DELIVERY_CHUNK", default=100)
# Within a chunk, deliveries handed over per committed UPDATE: a worker that dies mid-group
# leaves at most this many "unknown" (never re-sent blindly) instead of one.
NOTICES_HANDOVER_GROUP = env.int("NOTICES_HANDOVER_GROUP", default=25)
# Name the API's status enums of plans and letters (they collide with the other apps' "status").
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "MeasureStatusEnum": "plans.models.Measure.Status",
        "LetterBatchStatusEnum": "letters.models.LetterBatch.Status",
        "LetterStatusEnum": "letters.models.Letter.Status",
    }
)

# --- public, smallwater, smartwater ---
# The office's public phone on signboards when the town office has not entered its own.
PUBLIC_OFFICE_PHONE = env.str("PUBLIC_OFFICE_PHONE", default="")
# Reports a single address may file per hour (resident reports and Open311 requests).
PUBLIC_REPORTS_PER_HOUR = env.int("PUBLIC_REPORTS_PER_HOUR", default=5)
# Words that mark a report as advertising (comma-separated); links and the honeypot field too.
PUBLIC_SPAM_WORDS = env.list(
    "PUBLIC_SPAM_WORDS", default=["代开发票", "发票", "博彩", "贷款", "刷单", "加微信", "返利"]
)
# Open311: the jurisdiction_id clients send (a region code; empty accepts any of our regions).
OPEN311_JURISDICTION = env.str("OPEN311_JURISDICTION", default="310116")
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ReportStatusEnum": "public.models.Report.Status",
        "ArticleStatusEnum": "public.models.Article.Status",
        "SiteStatusEnum": "smartwater.models.Site.Status",
        "WaterBodyKindEnum": "rivers.models.WaterBody.Kind",
    }
)
# Open311: a request without a river code goes to the nearest river within this radius (m).
OPEN311_RIVER_RADIUS_M = env.int("OPEN311_RIVER_RADIUS_M", default=300)
