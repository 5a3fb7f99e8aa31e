"""Settings shared by every environment, read from the environment (django-environ).

The defaults are the embedded first run: SQLite, Celery tasks executed in-process,
email printed to the console and the demo payment page instead of Stripe. Every
variable is listed in `.env.example`; `kinetogram.settings.prod` refuses to start
without the secrets.
"""

import warnings
from pathlib import Path

import environ
import structlog
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only for the embedded run; production settings require a real key.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-8b5c1f0e7a3d4e6f9a2b7c1d0e5f3a8b6c4d2e1f0a9b8c7d")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "kinetogram.apps.KinetogramAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "anymail",
    "csp",
    "django_celery_beat",
    "health_check",
    "django_prometheus",
    "django_structlog",
    "phonenumber_field",
    "privacy",
    "accounts",
    "shop",
    "billing",
    "marketing",
    "contests",
    "analytics",
    "kinetogram.apps.KinetogramConfig",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # P01: outside everything but static files, so the time it records covers the whole
    # page; it reads the user and the cookie choice on the way out (FE-05: no DB write).
    "analytics.middleware.PageViewMiddleware",
    # Above every middleware that sets cookies: its response phase runs last and strips or
    # expires the cookies the visitor's choice does not allow (P07, P09, P29).
    "privacy.middleware.CookieConsentMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # SE-03: staff sessions end after 30 idle minutes and 12 hours in all.
    "accounts.middleware.StaffSessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that reads the URL into a query; below CSP so its 400 carries the policy.
    "kinetogram.middleware.RejectNulCharacterMiddleware",
    # Inside CSP so the page it renders for a bodiless 405 carries the policy.
    "kinetogram.middleware.MethodNotAllowedPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.AllauthNoStoreMiddleware",
    "marketing.middleware.AffiliateMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "kinetogram.urls"
WSGI_APPLICATION = "kinetogram.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinetogram.context_processors.site",
                "shop.context_processors.cart_summary",
                "csp.context_processors.nonce",
                "privacy.context_processors.cookie_consent",
                "privacy.context_processors.policy_notice",
            ],
        },
    },
]

# --- data ---------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded run serves concurrent requests from threads: BEGIN IMMEDIATE takes the
    # write lock at the start of a transaction, so two writers queue (up to the timeout)
    # instead of one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Persistent connections: one new connection per request costs ~10x throughput.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # answers from process memory while Redis is down (see kinetogram.cache).
            "BACKEND": "kinetogram.cache.FailSafeRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/1"),
            # A Redis that hangs rather than refuses must not hold a request for long.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- users and sign-in ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# P18: at least 8 characters, letters and digits, no common password, nothing like the
# customer's own name or email.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.LettersAndDigitsValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None  # ask: unticked "remember me" ends with the browser (P17)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# AU-11: changing email addresses asks for the password again, as MFA changes do.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# AU-06: a reset request for an unknown address sends nothing (same page either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # The "you already have an account" email, sent on every sign-up with a taken address.
    "account_already_exists": "3/h/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
# AU-06: sign-up hashes the password for an address that already has an account too.
# One email rule for every form (privacy.email_address): allauth's forms take it too.
ACCOUNT_FORMS = {
    "signup": "accounts.signup_form.SignupForm",
    "login": "accounts.signup_form.LoginForm",
    "reset_password": "accounts.signup_form.ResetPasswordForm",
    "add_email": "accounts.signup_form.AddEmailForm",
    "change_email": "accounts.signup_form.ChangeEmailForm",
    "request_login_code": "accounts.signup_form.RequestLoginCodeForm",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# P15: two-factor secrets encrypted at rest with the field encryption keys.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_TOTP_ISSUER = "Kinetogram"
USERSESSIONS_TRACK_ACTIVITY = True

# P30: notices such as "Signed in as ..." name the customer, so they travel in the session
# on the server, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True
# SE-03 (ASVS 3.3.2): staff sessions only; customers keep SESSION_COOKIE_AGE.
ACCOUNTS_STAFF_SESSION_IDLE = 30 * 60
ACCOUNTS_STAFF_SESSION_MAX_AGE = 12 * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# P32: a browser that refuses every cookie is told why, not shown a bare error.
CSRF_FAILURE_VIEW = "kinetogram.views.csrf_failure"

# --- shop ----------------------------------------------------------------------
SHOP_CURRENCY = env("SHOP_CURRENCY", default="gbp")
SHOP_MAX_QUANTITY = env.int("SHOP_MAX_QUANTITY", default=10)
# Failed tries of one renewal payment after which the subscription ends (dunning).
SHOP_DUNNING_MAX_ATTEMPTS = env.int("SHOP_DUNNING_MAX_ATTEMPTS", default=3)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Without a secret key the shop uses the demo payment page, which calls the same
# fulfilment code as the webhook.
SHOP_PAYMENT_GATEWAY = env("SHOP_PAYMENT_GATEWAY", default="stripe" if STRIPE_SECRET_KEY else "demo")
# Whether the demo payment page may mark an order paid (it charges nothing); off in production.
SHOP_DEMO_PAYMENTS = True

# --- billing (VAT invoices) ----------------------------------------------------
# The seller printed on every VAT invoice and credit note (HMRC VAT Notice 700, 16.3).
BILLING_SELLER_NAME = env("BILLING_SELLER_NAME", default="Kinetogram Marketing Ltd")
BILLING_SELLER_ADDRESS = env(
    "BILLING_SELLER_ADDRESS", default="1 Example Street\nLondon\nEC1A 1AA\nUnited Kingdom"
).replace("\\n", "\n")
BILLING_VAT_NUMBER = env("BILLING_VAT_NUMBER", default="GB980780684")

# --- company -------------------------------------------------------------------
COMPANY_NAME = env("COMPANY_NAME", default="Kinetogram Marketing")
COMPANY_EMAIL = env("COMPANY_EMAIL", default="hello@kinetogramm.com")
COMPANY_PHONE = env("COMPANY_PHONE", default="415-723-2867")
PRIVACY_DPO_NAME = env("PRIVACY_DPO_NAME", default="Data Protection Officer")
PRIVACY_DPO_EMAIL = env("PRIVACY_DPO_EMAIL", default="dpo@kinetogramm.com")
PRIVACY_DPO_PHONE = env("PRIVACY_DPO_PHONE", default="415-723-2867")
# Keyed hashes of erased people (suppression list, erasure log). Production must set its own.
PRIVACY_HASH_KEY = env("PRIVACY_HASH_KEY", default="dev-only-privacy-hash-key-4f1c9a7e2b8d")
# P15: keys of the fields encrypted at rest ("kid:base64key,..."; the first encrypts). The
# development key (id "dev0") is refused in production (kinetogram.E010).
PRIVACY_FIELD_ENCRYPTION_KEYS = env(
    "FIELD_ENCRYPTION_KEYS", default="dev0:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0="
)

# --- text alerts (marketing) -----------------------------------------------------
# Console prints texts; Twilio sends them when its three settings are set (marketing.E001).
MARKETING_SMS_BACKEND = env("MARKETING_SMS_BACKEND", default="") or (
    "marketing.sms.backends.twilio.SmsBackend"
    if env("TWILIO_ACCOUNT_SID", default="")
    else "marketing.sms.backends.console.SmsBackend"
)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
PHONENUMBER_DEFAULT_REGION = "GB"

# --- email ---------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kinetogram <shop@kinetogramm.com>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ANYMAIL = {
    k: v
    for k, v in {
        "POSTMARK_SERVER_TOKEN": env("POSTMARK_SERVER_TOKEN", default=""),
        "MAILGUN_API_KEY": env("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env("MAILGUN_SENDER_DOMAIN", default=""),
        "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    }.items()
    if v
}

# --- marketing email -------------------------------------------------------------
# Who is told when a campaign is paused for spam complaints ("" falls back to the DPO).
MARKETING_STAFF_EMAIL = env("MARKETING_STAFF_EMAIL", default="")
# The List-Unsubscribe mailto address ("" is unsubscribe@ the domain of DEFAULT_FROM_EMAIL).
MARKETING_UNSUBSCRIBE_MAILTO = env("MARKETING_UNSUBSCRIBE_MAILTO", default="")

# --- tasks ---------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# Off by default: a task that kills its worker would be redelivered for ever. Tasks that
# are safe to run again and bound their own retries turn it on themselves.
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# Redis redelivers a task not acknowledged within the visibility timeout: keep it at
# least twice the longest hard time limit so a slow task is never run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- i18n, static, media --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# British sentence case for allauth's own wording (its catalogue is American title case).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Personal-data exports: a private folder outside MEDIA_ROOT, never served by URL.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PRIVACY_EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")),
            "base_url": None,
        },
    },
    # The erasure log survives a database restore, so erasures can be replayed after one.
    "erasure_log": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("PRIVACY_ERASURE_LOG_ROOT", default=str(BASE_DIR / "var" / "erasure-log"))},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The embedded run serves static files without collectstatic, and uploaded media itself.
WHITENOISE_USE_FINDERS = True
# Until collectstatic has run, STATIC_ROOT does not exist; the finders serve the files meanwhile.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# --- request limits (DJ-05) -----------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# FE-02: scripts only from us or with the per-response nonce; no plugins, no framing,
# forms post only to us or to Stripe Checkout (Chrome applies form-action to redirects).
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
        "form-action": [SELF, "https://checkout.stripe.com"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logs: one line per event; "json" (production) adds the request id of the request that
# logged it and renders every value escaped, so a value cannot forge a line (LG-05).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
_LOG_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            "foreign_pre_chain": _LOG_CHAIN,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # It binds the request id to every line a request logs; its own per-request lines
        # (the path, the browser) stay out: only failures are logged.
        "django_structlog": {"level": "ERROR"},
    },
}
structlog.configure(
    processors=[
        *_LOG_CHAIN,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
# The request id, not the address: logs keep no client IP.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# --- metrics and error reports -------------------------------------------------------
# /metrics answers a scraper that sends "Authorization: Bearer <METRICS_TOKEN>"; without a
# token it does not exist.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # no emails, IPs, cookies or bodies leave for the error service
    )
