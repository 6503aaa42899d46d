"""``url_for`` in templates, remembering the links that are the same on every page.

A page builds about twenty links, most of them with no arguments (the navigation) or only a
static file's name; each costs a routing-map build. Those are remembered per process, for the
prefix and host the request came in on; any other call (arguments, an anchor, an external link,
a blueprint-relative endpoint) goes to Flask's ``url_for`` as before.
"""

from flask import Flask, has_request_context, request

#: The most links remembered; a handful are ever asked for, so this is only a guard.
MAX_REMEMBERED = 512


def init_app(app: Flask) -> None:
    """Give templates a ``url_for`` that remembers argument-free links and static files."""
    build = app.jinja_env.globals["url_for"]
    remembered: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        if values:
            if endpoint != "static" or len(values) != 1 or "filename" not in values:
                return build(endpoint, **values)
            filename = values["filename"]
        else:
            filename = None
        if (not has_request_context() or endpoint.startswith(".") or app.url_default_functions
                or app.url_build_error_handlers):
            return build(endpoint, **values)
        environ = request.environ
        key = (endpoint, filename, environ.get("SCRIPT_NAME"), environ.get("HTTP_HOST"),
               environ.get("SERVER_NAME"), environ.get("wsgi.url_scheme"))
        url = remembered.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(remembered) < MAX_REMEMBERED:
                remembered[key] = url
        return url

    app.jinja_env.globals["url_for"] = url_for
