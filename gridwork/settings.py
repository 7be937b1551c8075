"""Django settings, all read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gridwork.env import (
    EnvError,
    cache_config,
    env_bool,
    env_choice,
    env_field_keys,
    env_int,
    env_list,
    env_str,
    secret_key,
    var_dir,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = var_dir()

SECRET_KEY = secret_key(VAR_DIR)
DEBUG = env_bool("DEBUG", False)
# The production profile: HTTPS only (redirect, HSTS, Secure cookies); `check --deploy` is clean with it.
DEPLOY = env_bool("DEPLOY", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The TOTP second factor (gridwork/accounts/otp.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page's Swagger UI from static files, not a CDN (works offline)
    "gridwork.core",
    "gridwork.areas",
    "gridwork.accounts",
    "gridwork.registry",
    "gridwork.api",
    "gridwork.web",
    "gridwork.demo",
    "gridwork.cases",
    "gridwork.transfer",
    "gridwork.notify",
    "gridwork.fieldwork",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session and CSRF middleware, so it sees the cookies they set (gridwork.core.http_security).
    "gridwork.core.http_security.SecureCookiesOverHttpsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gridwork.core.http_security.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gridwork.accounts.middleware.SessionRenewalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridwork.core.middleware.RequestContextMiddleware",
    "gridwork.core.middleware.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "gridwork.urls"
WSGI_APPLICATION = "gridwork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gridwork.notify.context_processors.inbox",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'gridwork.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
    # writers queue on the busy timeout instead of failing on a lock upgrade. A writer that cannot
    # get the lock within DB_BUSY_TIMEOUT_SECONDS gets "database is locked", which the web answers
    # with 503 and Retry-After (gridwork.core.middleware.BusyDatabaseMiddleware).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("DB_BUSY_TIMEOUT_SECONDS", 5),
    }

CACHES = cache_config(env_str("CACHE_URL", "locmem://"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gridwork.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login security (gridwork/accounts/lockout.py): failures are counted per account and address, per
# account from addresses it never signed in from, and per address; past each limit the attempts
# are refused for a time that doubles with each further failure, up to LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 10)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 30)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 30)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# How many reverse proxies stand in front and append to X-Forwarded-For (gridwork/core/client_address.py):
# the client's address for the limits above and the audit log. 0: REMOTE_ADDR, the header unread.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Argon2 first: new passwords and every login with an older (PBKDF2) hash store an Argon2 hash.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# A session ends this many hours after its login whatever the activity (gridwork.accounts.middleware).
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
# The idle timeout is renewed at most once a minute by gridwork.accounts.middleware, not by a
# session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
# A reveal or an export needs a TOTP code verified in the session (gridwork/accounts/otp.py).
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
OTP_VERIFY_URL = "web:otp_verify"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Gridwork")
# API tokens: days until a new token expires, and minutes between two audit entries of its use.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
API_TOKEN_AUDIT_MINUTES = env_int("API_TOKEN_AUDIT_MINUTES", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", DEPLOY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploads (case photos, import files) readable by Gridwork's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
WHITENOISE_USE_FINDERS = True

API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 500)
# Largest import file accepted (bytes); an XLSX may unpack to at most ten times this.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Hours an import's files (the upload, its error report) are kept at most; the periodic sweep
# removes older ones. The upload itself goes as soon as its job has ended.
IMPORT_FILES_KEEP_HOURS = env_int("IMPORT_FILES_KEEP_HOURS", 24)

# Notifications: senders are dotted paths to callables (gridwork/notify/senders.py); the defaults log
# one masked line. The tracking link sent to residents has {code} replaced by the case's tracking code.
NOTIFY_EMAIL_SENDER = env_str("NOTIFY_EMAIL_SENDER", "gridwork.notify.senders.console_email")
NOTIFY_SMS_SENDER = env_str("NOTIFY_SMS_SENDER", "gridwork.notify.senders.console_sms")
NOTIFY_TRACKING_URL = env_str("NOTIFY_TRACKING_URL", "http://127.0.0.1:8000/track/{code}/")
# Minutes between two runs of the periodic overdue check.
OVERDUE_CHECK_MINUTES = env_int("OVERDUE_CHECK_MINUTES", 5)

# Background work (imports, deadlines, reports) runs in `gridwork db_worker`, fed through the database,
# so web processes keep no state. TASK_BACKEND=immediate runs tasks inline (tests, one-off scripts).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[env_choice("TASK_BACKEND", "database", list(_TASK_BACKENDS))],
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line masked (ID-like and phone-like numbers) before it is written: gridwork/core/log_masking.py.
    "filters": {"mask_personal_numbers": {"()": "gridwork.core.log_masking.MaskPersonalNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_numbers"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- HTTP security headers (gridwork.core.http_security; tests in core/tests/test_http_security.py) ---
# No inline script or style anywhere: every script is a static file. The API docs page (Swagger UI)
# gets its own additions in gridwork/api/main.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The grid workers' pages take the phone's position and photos: camera and geolocation for this
# site only, every other powerful feature off.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "geolocation": ["self"],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "midi": [],
    "display-capture": [],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a TLS-terminating proxy: the header (e.g. X-Forwarded-Proto) it sets to "https". Only set
# it when the proxy always sets or strips that header, or anyone could claim HTTPS.
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", DEPLOY)
# Paths answered over plain HTTP too (regular expressions, e.g. a load balancer's health check).
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [])
# HSTS is sent only on HTTPS answers; the production profile asks for a year.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if DEPLOY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", DEPLOY)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", DEPLOY)
if DEPLOY and DEBUG:
    raise EnvError("DEPLOY=true cannot run with DEBUG=true")
# --- The audit log, break the glass (issue 12, audit part) -------------------------------------
# Days an audit entry is kept, by kind; AUDIT_RETENTION_DAYS="login=200,read=365" overrides some.
# `gridwork purge_audit` refuses a value below the legal minimum (gridwork/core/audit_retention.py).
_SIX_MONTHS, _THREE_YEARS = 183, 1096
AUDIT_RETENTION_DAYS = {
    "login": _SIX_MONTHS,
    "login_failed": _SIX_MONTHS,
    "login_locked": _SIX_MONTHS,
    "logout": _SIX_MONTHS,
    "read": _SIX_MONTHS,
    "reveal": _THREE_YEARS,
    "export": _THREE_YEARS,
    "break_glass": _THREE_YEARS,
    **{
        key.strip(): int(days)
        for key, _sep, days in (item.partition("=") for item in env_list("AUDIT_RETENTION_DAYS", []))
    },
}
# Every other kind (changes, roles, tokens, purges).
AUDIT_RETENTION_DEFAULT_DAYS = env_int("AUDIT_RETENTION_DEFAULT_DAYS", _THREE_YEARS)
# The alert on the auditor's home page: one user opening this many records within this many minutes,
# looked for over the last AUDIT_ALERT_LOOKBACK_HOURS.
AUDIT_ALERT_RECORDS = env_int("AUDIT_ALERT_RECORDS", 200)
AUDIT_ALERT_MINUTES = env_int("AUDIT_ALERT_MINUTES", 10)
AUDIT_ALERT_LOOKBACK_HOURS = env_int("AUDIT_ALERT_LOOKBACK_HOURS", 72)
# How long a break-the-glass grant opens its one record.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 3)

# Encryption at rest of ID numbers and phones (gridwork/core/field_crypto.py): AES-GCM keys and
# HMAC keys, base64 of 32 bytes, comma-separated, the first the current. Unset without DEPLOY: a
# key derived from SECRET_KEY for development only; with DEPLOY the system check requires both.
FIELD_KEYS, FIELD_KEYS_DERIVED = env_field_keys("FIELD_KEYS", SECRET_KEY, DEPLOY)
FIELD_HMAC_KEYS, FIELD_HMAC_KEYS_DERIVED = env_field_keys("FIELD_HMAC_KEYS", SECRET_KEY, DEPLOY)
# Field work: a grid's weekly report (Monday to Sunday) is due this many days after the week's
# Monday, at this time of day, in TIME_ZONE (the district's): by default Monday noon of the next week.
FIELDWORK_REPORT_DUE_DAYS = env_int("FIELDWORK_REPORT_DUE_DAYS", 7)
FIELDWORK_REPORT_DUE_TIME = env_str("FIELDWORK_REPORT_DUE_TIME", "12:00")
