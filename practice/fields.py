"""Marshmallow fields and checks shared by every form and JSON body."""

import unicodedata

import email_validator
from marshmallow import ValidationError, fields, validate

from practice import timezones


def without_control_characters(text: str) -> str:
    """Drop NUL and other invisible control characters, e.g. from a search box."""
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


def _refuse_control_characters(value: str) -> None:
    """NUL and other control characters never belong in what a person types; nor half a character."""
    for char in value:
        if char in "\n\r\t":
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValidationError("Remove the invisible control character from this text.")
        if category == "Cs":  # a lone surrogate (JSON "\ud800"): not a character, cannot be stored
            raise ValidationError("Remove the broken character from this text.")


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


def time_zones() -> tuple[timezones.Zone, ...]:
    """Every place's time zone, each with the label the form's list shows."""
    return timezones.zones()


class TimeZone(fields.String):
    """A time zone typed as a city, a country, a label from the list or an IANA name; loads the IANA name."""

    def _deserialize(self, value, attr, data, **kwargs):
        typed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return timezones.resolve(typed)
        except timezones.UnknownZone as error:
            raise ValidationError(str(error)) from error


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
