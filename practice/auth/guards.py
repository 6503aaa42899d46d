"""Who may open a page: signed in first (else the sign-in page), then the right role (else 403)."""

from functools import wraps

from flask_security import auth_required, roles_required


def role_required(role: str):
    """Send strangers to sign in, and refuse signed-in people without ``role``."""

    def decorate(view):
        @wraps(view)
        @auth_required()
        @roles_required(role)
        def guarded(*args, **kwargs):
            return view(*args, **kwargs)

        return guarded

    return decorate
