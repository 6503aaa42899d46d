"""The page's CSRF token, signed once per session secret instead of once per page.

Flask-WTF keeps a random secret in the session and puts a signed, timestamped copy of it in each
page; signing costs about as much as a statement. With ``WTF_CSRF_TIME_LIMIT`` None (our setting)
the timestamp is never checked, so a copy signed earlier for the same secret and key is exactly as
valid: it is remembered per process and given again. Validation is Flask-WTF's, unchanged; with a
time limit set, every page gets a freshly signed token as before.
"""

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

#: Signed tokens remembered; when full the memory starts again (a token is then signed afresh).
MAX_REMEMBERED = 4096


def init_app(app: Flask) -> None:
    """Give templates a ``csrf_token()`` that reuses a token already signed for this session."""
    remembered: dict[tuple, str] = {}

    def csrf_token() -> str:
        config = current_app.config
        field = config["WTF_CSRF_FIELD_NAME"]
        token = g.get(field)
        if token is not None:
            return token
        secret = session.get(field)
        if config["WTF_CSRF_TIME_LIMIT"] is not None or not isinstance(secret, str):
            return generate_csrf()
        key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, field, secret)
        token = remembered.get(key)
        if token is None:
            token = generate_csrf()
            if len(remembered) >= MAX_REMEMBERED:
                remembered.clear()
            remembered[key] = token
        else:
            setattr(g, field, token)
        return token

    app.jinja_env.globals["csrf_token"] = csrf_token
    # Flask-WTF also hands templates its csrf_token through a context processor; this one runs later.
    app.context_processor(lambda: {"csrf_token": csrf_token})
