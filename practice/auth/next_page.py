"""Where to go after signing in: only ever a page of this site."""

from urllib.parse import urlencode, urlsplit

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
        # The rest of the query goes back as text: passed to url_for as keywords, a name such as
        # ``endpoint``, ``_method`` or a route argument would make url_for fail (a 500).
        kept = [(key, value) for key, value in request.args.items(multi=True) if key != "next"]
        target = url_for(request.endpoint, **(request.view_args or {}))
        return redirect(target + ("?" + urlencode(kept) if kept else ""))
    return None
