"""JSON sent to Flask-Security's views must be an object: anything else is refused with 400."""

from flask import request

from practice import errors


def refuse_non_object() -> object | None:
    """Answer 400 to a JSON body that is not an object, before Flask-Security reads it as one.

    Flask-Security builds its forms with ``MultiDict(request.get_json())``, which fails with a
    500 on a list, a number or a string; the sign-in, two-factor and reset views all do it.
    """
    if request.blueprint != "security" or request.method != "POST" or not request.is_json:
        return None
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return None
    return errors.json_error(400, "Send a JSON object, such as {\"email\": ..., \"password\": ...}.")
