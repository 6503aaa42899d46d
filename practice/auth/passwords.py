"""Password rules: long enough, not a common password, no composition rules."""

from functools import cache

from flask import current_app
from flask_security.password_util import PasswordUtil
from marshmallow import RAISE, Schema, ValidationError, fields, validates, validates_schema
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MAX_LENGTH = 256


@cache
def common_passwords() -> frozenset[str]:
    """Return the bundled list of common passwords long enough to pass the length rule."""
    return frozenset(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= 8)


def password_problems(password: str) -> list[str]:
    """Return what is wrong with a new password, in words for the person choosing it."""
    minimum = current_app.config["SECURITY_PASSWORD_LENGTH_MIN"]
    if len(password) < minimum:
        return [f"Use at least {minimum} characters. A short sentence you will remember works well."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return ["That password is on a list of commonly used passwords. Choose a less predictable one."]
    return []


class PracticePasswordUtil(PasswordUtil):
    """Flask-Security's password check, with our length limits and common-password list."""

    def validate(self, password, is_register, **kwargs):
        """Return (problems or None, the password unchanged)."""
        return password_problems(password) or None, password


class ChoosePasswordSchema(Schema):
    """The password someone invited (a partner or a staff member) chooses, typed twice."""

    class Meta:
        unknown = RAISE

    password = fields.String(required=True, error_messages={"required": "Choose a password."})
    password_confirm = fields.String(load_default="")

    @validates("password")
    def _rules(self, value: str, **kwargs) -> None:
        """Long enough, not too long, not a common password."""
        problems = password_problems(value)
        if problems:
            raise ValidationError(problems[0])

    @validates_schema(skip_on_field_errors=True)
    def _same_twice(self, data: dict, **kwargs) -> None:
        """Both boxes hold the same password."""
        if data["password"] != data["password_confirm"]:
            raise ValidationError("The two passwords are not the same.", "password_confirm")
