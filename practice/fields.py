"""Marshmallow fields and checks shared by every form and JSON body."""

import unicodedata
import zoneinfo
from functools import cache

import email_validator
from marshmallow import ValidationError, fields, validate


def without_control_characters(text: str) -> str:
    """Drop NUL and other invisible control characters, e.g. from a search box."""
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


def _refuse_control_characters(value: str) -> None:
    """NUL and other control characters never belong in what a person types."""
    for char in value:
        if char in "\n\r\t":
            continue
        if unicodedata.category(char) == "Cc":
            raise ValidationError("Remove the invisible control character from this text.")


class Text(fields.String):
    """A string kept exactly as typed, except that ends are trimmed and controls refused."""

    def __init__(self, *, max_length: int, trim: bool = True, single_line: bool = False, **kwargs):
        self.trim = trim
        #: Names and labels end up in email subjects and headings, where a line break breaks things.
        self.single_line = single_line
        too_long = f"Keep this under {max_length + 1} characters."
        super().__init__(validate=validate.Length(max=max_length, error=too_long), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        _refuse_control_characters(text)
        text = text.strip() if self.trim else text
        if self.single_line and any(char in text for char in "\n\r\t"):
            raise ValidationError("Keep this on one line.")
        return text


class RequiredText(Text):
    """A text field that must not be blank."""

    def __init__(self, *, label: str, **kwargs):
        self.label = label
        super().__init__(required=True, error_messages={"required": f"Enter {label}."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise ValidationError(f"Enter {self.label}.")
        return text


class Email(fields.String):
    """An email address that sign-in will accept, trimmed and lower-cased."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"required": "Enter an email address."})
        super().__init__(validate=validate.Length(max=254), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        _refuse_control_characters(text)
        if not text:
            raise ValidationError(self.error_messages["required"])
        try:
            return email_validator.validate_email(text, check_deliverability=False).normalized
        except email_validator.EmailNotValidError as error:
            raise ValidationError("Enter an email address like name@example.com.") from error


@cache
def time_zones() -> tuple[str, ...]:
    """All IANA time zone names, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


class TimeZone(fields.String):
    """An IANA time zone name such as America/Chicago."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs).strip()
        if name not in time_zones():
            raise ValidationError("Choose a time zone from the list, like America/Chicago.")
        return name


def form_errors(error: ValidationError) -> dict[str, str]:
    """One message per field under the form's flat names, so ``partner_b.email`` finds its error."""
    flat: dict[str, str] = {}

    def walk(messages, prefix):
        for key, value in messages.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value[0] if isinstance(value, list) else str(value)

    walk(error.normalized_messages(), "")
    return flat
