"""Login throttling with Flask-Limiter: failures count per account and per address."""

from flask import current_app, request, session
from flask_limiter.util import get_remote_address

from practice.extensions import limiter

#: Flask-Security views where a wrong credential is tried.
GUARDED_ENDPOINTS = (
    "security.login",
    "security.two_factor_token_validation",
    "security.mf_recovery",
    "security.verify",
    "security.forgot_password",
)


def account_key() -> str:
    """The account being tried: the email typed, or the user awaiting a second factor."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = str((data or {}).get("email", "")).strip().lower()
    return "account:" + (email or session.get("tf_user_id", "") or get_remote_address())


def failed(response) -> bool:
    """A POST that did not redirect onward is a failed attempt."""
    return response.status_code not in (301, 302, 303)


def per_account_limit() -> str:
    """The configured limit of failed attempts for one account."""
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def per_address_limit() -> str:
    """The configured limit of failed attempts from one address."""
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def guard(app) -> None:
    """Wrap Flask-Security's credential views in per-account and per-address limits.

    The limits are built from module-level functions so that a second app in the same process
    (the tests build one per test) registers equal limits, which the shared Limiter keeps once,
    instead of stacking another copy that would count every failure again.
    """
    for endpoint in GUARDED_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        per_address = limiter.limit(
            per_address_limit, methods=["POST"], deduct_when=failed,
            scope=f"{endpoint}:address",
        )
        per_account = limiter.limit(
            per_account_limit, key_func=account_key, methods=["POST"],
            deduct_when=failed, scope=f"{endpoint}:account",
        )
        app.view_functions[endpoint] = per_address(per_account(view))
