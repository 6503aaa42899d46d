"""Where to go after signing in: only ever a page of this site."""

from urllib.parse import urlsplit

from flask import redirect, request, url_for


def is_local(target: str) -> bool:
    """Whether ``target`` is a path on this site (not another host, scheme or protocol-relative)."""
    parts = urlsplit(target)
    return (not parts.scheme and not parts.netloc and target.startswith("/")
            and not target.startswith("//") and "\\" not in target)


def drop_foreign_next():
    """A sign-in link whose ``next`` points elsewhere opens the sign-in page without it."""
    target = request.args.get("next")
    if (request.method == "GET" and target is not None and not is_local(target)
            and (request.blueprint == "security")):
        kept = {key: value for key, value in request.args.items() if key != "next"}
        return redirect(url_for(request.endpoint, **(request.view_args or {}), **kept))
    return None
