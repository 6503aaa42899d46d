"""The session cookie, signed again when it changes or every few minutes, not on every response.

Flask signs a permanent session's cookie afresh on every response so that its expiry slides with
activity. Signing costs about as much as a statement; the sign-in itself is guarded server-side
(the idle and absolute timeouts and revocation live in practice.auth.sessions), so the cookie's
expiry may lag activity by a few minutes: it never outlives what Flask would have given it.
"""

from datetime import UTC, datetime

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: How long an unchanged session's cookie keeps its signature before the next response renews it.
RESIGN_AFTER_SECONDS = 300


class SignedCookieSession(SecureCookieSession):
    """A cookie session that remembers when its cookie was signed (None for a new one)."""

    signed_at: datetime | None = None


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, renewing an unchanged cookie every few minutes only."""

    session_class = SignedCookieSession

    def __init__(self) -> None:
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per secret key (and fallbacks) instead of per request."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached_keys, serializer = self._serializer
        if serializer is None or cached_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._serializer = (keys, serializer)
        return serializer

    def open_session(self, app, request) -> SignedCookieSession | None:
        """Read the cookie as Flask does, keeping the time it was signed."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=lifetime, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        """Set it when the session changed, or when a refreshed cookie's signature is a few minutes old."""
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or (datetime.now(UTC) - signed_at).total_seconds() >= RESIGN_AFTER_SECONDS


def init_app(app) -> None:
    """Use this session cookie for the app."""
    app.session_interface = SessionCookie()
