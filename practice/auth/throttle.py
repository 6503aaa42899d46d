"""Login throttling with Flask-Limiter: failures count per account and per address."""

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_security.mail_util import EmailValidateException
from flask_security.utils import get_identity_attribute

from practice.extensions import limiter, security

#: Flask-Security views where a wrong credential is tried.
GUARDED_ENDPOINTS = (
    "security.login",
    "security.two_factor_token_validation",
    "security.mf_recovery",
    "security.verify",
    "security.forgot_password",
)

#: Views whose form names the account by email. Every other guarded view acts on an account
#: already identified: the one awaiting its second factor, or the one signed in.
NAMED_BY_EMAIL = ("security.login", "security.forgot_password")


def account_key() -> str:
    """The account being tried: the one the typed email names, or the one already identified."""
    if request.endpoint in NAMED_BY_EMAIL:
        email = _posted_email()
        # No email names no account; one counter for every empty form would let a stranger turn
        # a forgotten field into "Too many attempts" for everyone. The address limit covers it.
        if not email.strip():
            return "account:address:" + get_remote_address()
        return "account:" + _named_account(email)
    # After the password, a posted email names nothing: Flask-Security checks the code against
    # the session's account, so that account is the one to count, whatever the form carries.
    if session.get("tf_user_id"):
        return "account:user:" + str(session["tf_user_id"])
    if current_user.is_authenticated:
        return "account:user:" + current_user.fs_uniquifier
    return "account:address:" + get_remote_address()


def _posted_email() -> str:
    """The email field of the posted form or JSON body, as typed ("" if there is no such text)."""
    data = request.get_json(silent=True) if request.is_json else request.form
    # A JSON body may be a list or hold a number; Flask-Security refuses both before any password check.
    email = data.get("email", "") if isinstance(data, dict) else ""
    return email if isinstance(email, str) else ""


def _named_account(email: str) -> str:
    """The key of the account Flask-Security's sign-in would find for ``email``.

    Flask-Security normalises the address (email_validator: IDNA, so ``user@ｅxample.com`` is
    ``user@example.com``) and then looks it up case-insensitively, so every spelling it accepts for
    one account must share one counter: the account's own id. An address that is no account's
    still gets its normalised spelling, and one Flask-Security would refuse as malformed its
    lowercased text; neither can sign anyone in.
    """
    try:
        normalised = security.mail_util.normalize(email)
    except EmailValidateException:
        return "email:" + email.strip().lower()
    lookup = get_identity_attribute("email")
    user = security.datastore.find_user(case_insensitive=lookup.get("case_insensitive", False),
                                        email=normalised)
    return "user:" + user.fs_uniquifier if user is not None else "email:" + normalised.lower()


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
