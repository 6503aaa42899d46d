"""SecureBase: practice-support software for couples therapists."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from practice import config, crisis

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers and commands."""
    # A test may give its own instance folder (crisis.json, demo logins) as INSTANCE_PATH.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    config.load(app, test_config)
    crisis.check_locale(app)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"], x_host=app.config["TRUSTED_PROXIES"])
    register_extensions(app)
    register_blueprints(app)
    register_features(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from flask_security import SQLAlchemyUserDatastore

    from practice import csrf_tokens, headers, models, sqlite, timezones, urls  # noqa: F401  (sqlite sets its pragmas on import)
    from practice.auth import cookie, events, json_bodies, next_page, sessions, throttle
    from practice.auth.passwords import PracticePasswordUtil
    from practice.auth.twofactor import HashedRecoveryCodes, ReplayProtectedTotp
    from practice.extensions import api, csrf, db, limiter, mail, migrate, security

    headers.init_app(app)
    urls.init_app(app)
    timezones.init_app(app)
    cookie.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    csrf_tokens.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    datastore = SQLAlchemyUserDatastore(db, models.User, models.Role, models.WebAuthn)
    # Security.init_app ignores *_cls keywords (only Security() reads them); set them first, or
    # the common-password list, one-time TOTP codes and hashed recovery codes are all off.
    security._password_util_cls = PracticePasswordUtil
    security._totp_cls = ReplayProtectedTotp
    security._mf_recovery_codes_util_cls = HashedRecoveryCodes
    security.init_app(app, datastore)
    # One query for the user and this browser's session record, instead of one each.
    app.login_manager.user_loader(sessions.load_user)
    throttle.guard(app)
    events.connect(app)
    app.before_request(sessions.check)
    app.before_request(next_page.drop_foreign_next)
    app.before_request(json_bodies.refuse_non_object)
    api.init_app(app)
    app.config.setdefault("SHOW_INVITE_LINKS", app.config["MAIL_BACKEND"] == "file")


def register_blueprints(app: Flask) -> None:
    """Mount each feature's pages."""
    from practice import main
    from practice.admin import join_views
    from practice.admin import views as admin
    from practice.api import views as api_views
    from practice.couples import invitation_views
    from practice.couples import views as couples
    from practice.extensions import api
    from practice.portal import views as portal

    # /invite and /join are public: a partner's or a counselor's first page, before any account.
    for blueprint in (main.bp, couples.bp, invitation_views.bp, portal.bp, admin.bp, join_views.bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(api_views.bp)


def register_features(app: Flask) -> None:
    """Let each feature package add its blueprint, panels and providers (practice/seams.py).

    A feature plugs in with one line here, ``homework.init_app(app)``; nothing else in the core
    names it.
    """
    from practice import homework, notes, seams, words, worksheets

    seams.init_app(app)
    words.init_app(app)
    homework.init_app(app)
    worksheets.init_app(app)
    notes.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages and JSON errors."""
    from practice import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    """Add the ``flask --app practice`` commands."""
    from practice import cli, keys

    cli.register(app)
    keys.init_app(app)
