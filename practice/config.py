"""Configuration: safe defaults, instance secrets and environment overrides.

No secret has a default here. Secrets come from ``instance/secrets.json`` (written by
``python -m practice.instance_setup``) or from the environment.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

#: Environment variables that hold secrets; each overrides the instance file.
SECRET_NAMES = (
    "SECRET_KEY",
    "SECURITY_PASSWORD_SALT",
    "SECURITY_TOTP_SECRETS",
    "DATA_ENCRYPTION_KEYS",
)

#: Secrets whose environment value is a JSON object of key id to key.
JSON_SECRETS = {"SECURITY_TOTP_SECRETS", "DATA_ENCRYPTION_KEYS"}

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1 * 1024 * 1024,
    # Sessions: a server-side record per sign-in (practice.auth.sessions) plus a short cookie.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "securebase_session",
    "IDLE_TIMEOUT_MINUTES": 15,
    #: The page warns this long before the idle timeout, with a button to stay signed in.
    "IDLE_WARNING_SECONDS": 60,
    #: Where the quick-exit control (and Esc pressed twice) sends a partner: a neutral site.
    "QUICK_EXIT_URL": "https://www.google.com/",
    "ABSOLUTE_SESSION_HOURS": 12,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "REMEMBER_COOKIE_DURATION": timedelta(days=1),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PREFERRED_URL_SCHEME": "http",
    # Flask-Security
    "SECURITY_PASSWORD_HASH": "argon2",
    "SECURITY_PASSWORD_LENGTH_MIN": 12,
    "SECURITY_PASSWORD_NORMALIZE_FORM": None,
    "SECURITY_PASSWORD_COMPLEXITY_CHECKER": None,
    "SECURITY_PASSWORD_CHECK_BREACHED": None,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_TRACKABLE": False,
    "SECURITY_REGISTERABLE": False,
    "SECURITY_CONFIRMABLE": False,
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE": True,
    "SECURITY_TWO_FACTOR_RESCUE_EMAIL": False,
    #: Who hears "I lost my authenticator" from the sign-in page: the practice (PRACTICE_EMAIL).
    "SECURITY_TWO_FACTOR_RESCUE_MAIL": "practice@securebase.example.com",
    #: The rescue email's subject; its body is templates/security/email/two_factor_rescue.*.
    "SECURITY_EMAIL_SUBJECT_TWO_FACTOR_RESCUE": "SecureBase: a request to reset two-factor sign-in",
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES_N": 8,
    "SECURITY_TOTP_ISSUER": "SecureBase",
    "SECURITY_DEFAULT_REMEMBER_ME": False,
    "SECURITY_RETURN_GENERIC_RESPONSES": True,
    "SECURITY_FRESHNESS": timedelta(minutes=10),
    "SECURITY_FRESHNESS_GRACE_PERIOD": timedelta(minutes=0),
    "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
    "SECURITY_EMAIL_SENDER": "SecureBase <no-reply@securebase.example.com>",
    "SECURITY_POST_LOGIN_VIEW": "main.home",
    "SECURITY_POST_LOGOUT_VIEW": "security.login",
    "SECURITY_POST_CHANGE_VIEW": "main.home",
    "SECURITY_POST_RESET_VIEW": "security.login",
    "SECURITY_TWO_FACTOR_POST_SETUP_VIEW": "security.mf_recovery_codes",
    "SECURITY_RESET_PASSWORD_WITHIN": timedelta(hours=1),
    "SECURITY_LOGIN_WITHIN": timedelta(days=1),
    "SECURITY_CHANGE_EMAIL_WITHIN": timedelta(hours=2),
    "SECURITY_CONFIRM_EMAIL_WITHIN": timedelta(days=1),
    "SECURITY_TWO_FACTOR_SETUP_WITHIN": timedelta(minutes=30),
    "SECURITY_US_SETUP_WITHIN": timedelta(minutes=30),
    "SECURITY_WAN_REGISTER_WITHIN": timedelta(minutes=30),
    "SECURITY_WAN_SIGNIN_WITHIN": timedelta(minutes=5),
    "SECURITY_TWO_FACTOR_LOGIN_VALIDITY": timedelta(days=1),
    "SECURITY_REDIRECT_ALLOW_SUBDOMAINS": False,
    "SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS": False,
    "SECURITY_URL_PREFIX": None,
    "SECURITY_MSG_INVALID_PASSWORD": ("That email and password do not match an account.", "error"),
    "SECURITY_MSG_USER_DOES_NOT_EXIST": ("That email and password do not match an account.", "error"),
    # With generic responses on, a failed sign-in shows this one message, known account or not.
    "SECURITY_MSG_GENERIC_AUTHN_FAILED": ("That email and password do not match an account.", "error"),
    "SECURITY_MSG_PASSWORD_NOT_PROVIDED": ("Enter your password.", "error"),
    "SECURITY_MSG_TWO_FACTOR_INVALID_TOKEN": ("That code did not work. Enter the newest 6-digit code from "
                                              "your authenticator app.", "error"),
    "SECURITY_MSG_INVALID_CODE": ("That code did not work. Enter the newest 6-digit code.", "error"),
    "SECURITY_MSG_TWO_FACTOR_LOGIN_SUCCESSFUL": ("You are signed in.", "success"),
    "SECURITY_MSG_INVALID_RECOVERY_CODE": ("That recovery code did not work, or it was already used.",
                                           "error"),
    "SECURITY_MSG_RETYPE_PASSWORD_MISMATCH": ("The two passwords are not the same.", "error"),
    "SECURITY_MSG_PASSWORD_RESET_REQUEST": ("If %(email)s has an account, a link to choose a new password "
                                            "is on its way. It works for one hour.", "info"),
    "SECURITY_MSG_LOGIN": ("Please sign in to continue.", "info"),
    "SECURITY_MSG_REFRESH": ("Please confirm your password to continue.", "info"),
    # Rate limits: per address and per account, failures only (practice.auth.throttle).
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    # Mail: SMTP when MAIL_SERVER is set, otherwise an outbox folder under instance/.
    "MAIL_BACKEND": "file",
    "MAIL_DEFAULT_SENDER": "SecureBase <no-reply@securebase.example.com>",
    "INVITATION_HOURS": 72,
    "CASELOAD_PAGE_SIZE": 20,
    "CRISIS_LOCALE": "us",
    #: The practice's own time zone: staff pages with no couple show times in it.
    "PRACTICE_TIME_ZONE": "America/New_York",
    #: The practice's name, on session note PDFs.
    "PRACTICE_NAME": "SecureBase practice",
    #: How many reverse proxies in front set X-Forwarded-* headers (0: none, trust nothing).
    "TRUSTED_PROXIES": 0,
    # flask-smorest
    "API_TITLE": "SecureBase portal API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_SSL_STRICT": True,
}

#: Plain (non-secret) settings that may come from the environment.
ENV_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "IDLE_TIMEOUT_MINUTES": "IDLE_TIMEOUT_MINUTES",
    "ABSOLUTE_SESSION_HOURS": "ABSOLUTE_SESSION_HOURS",
    "CRISIS_LOCALE": "CRISIS_LOCALE",
    "PRACTICE_TIME_ZONE": "PRACTICE_TIME_ZONE",
    "PRACTICE_NAME": "PRACTICE_NAME",
    "QUICK_EXIT_URL": "QUICK_EXIT_URL",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "PRACTICE_EMAIL": "SECURITY_TWO_FACTOR_RESCUE_MAIL",
    "PDF_PAPER": "PDF_PAPER",
}

INT_SETTINGS = {"MAIL_PORT", "ABSOLUTE_SESSION_HOURS", "TRUSTED_PROXIES"}
#: Settings that may be fractions, e.g. IDLE_TIMEOUT_MINUTES=1.5.
FLOAT_SETTINGS = {"IDLE_TIMEOUT_MINUTES"}
BOOL_SETTINGS = {"MAIL_USE_TLS", "SESSION_COOKIE_SECURE"}


def load(app, overrides=None):
    """Fill ``app.config`` from defaults, instance secrets, the environment and overrides."""
    app.config.update(DEFAULTS)
    instance = Path(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'securebase.sqlite'}"
    app.config["MAIL_FILE_PATH"] = str(instance / "outbox")
    secrets_file = instance / "secrets.json"
    if secrets_file.exists():
        app.config.update(json.loads(secrets_file.read_text()))
    _from_environment(app.config)
    if overrides:
        app.config.update(overrides)
    if app.config.get("MAIL_SERVER") and not (overrides or {}).get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp"
    _finish(app.config)


def _from_environment(config):
    """Copy secrets and plain settings from environment variables."""
    for name in SECRET_NAMES:
        if os.environ.get(name):
            value = os.environ[name]
            config[name] = json.loads(value) if name in JSON_SECRETS else value
    for env_name, key in ENV_SETTINGS.items():
        value = os.environ.get(env_name)
        if not value:
            continue
        if key in INT_SETTINGS:
            value = int(value)
        elif key in FLOAT_SETTINGS:
            value = float(value)
        elif key in BOOL_SETTINGS:
            value = value.lower() in {"1", "true", "yes", "on"}
        config[key] = value
    if os.environ.get("REDIS_URL"):
        # The one Redis: rate limits above, and the PDF cache and what else reads REDIS_URL.
        config["REDIS_URL"] = os.environ["REDIS_URL"]


def _finish(config):
    """Derive dependent settings and refuse to start without secrets."""
    missing = [name for name in SECRET_NAMES if not config.get(name)]
    if missing:
        raise RuntimeError(
            "Missing secrets: "
            + ", ".join(missing)
            + ". Run `make run` once (it writes instance/secrets.json) or set them in the environment."
        )
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = uri
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["ABSOLUTE_SESSION_HOURS"])
    # Flask-Login's remember cookie has its own flags; it is Secure whenever the session is.
    config["REMEMBER_COOKIE_SECURE"] = bool(
        config.get("REMEMBER_COOKIE_SECURE") or config["SESSION_COOKIE_SECURE"]
    )
    config["SECURITY_TOTP_SECRETS"] = {
        str(k): v for k, v in dict(config["SECURITY_TOTP_SECRETS"]).items()
    }
