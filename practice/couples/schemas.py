"""Validation for the couple forms."""

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from practice.couples.models import Confidentiality
from practice.fields import Email, RequiredText, Text, TimeZone


class PartnerSchema(Schema):
    """One partner as the counselor enters them."""

    class Meta:
        unknown = RAISE

    name = RequiredText(label="the partner's name", max_length=120, single_line=True)
    email = Email(required=True)
    pronouns = Text(max_length=40, single_line=True, load_default="")


class CoupleSchema(Schema):
    """A couple with its two partners; field names match the form (partner_a.name, ...)."""

    class Meta:
        unknown = RAISE

    label = Text(max_length=120, single_line=True, load_default="")
    time_zone = TimeZone(required=True, error_messages={"required": "Choose the couple's time zone."})
    confidentiality = fields.Enum(
        Confidentiality, load_default=Confidentiality.no_secrets,
        error_messages={"unknown": "Choose one of the two confidentiality agreements."},
    )
    partner_a = fields.Nested(PartnerSchema, required=True)
    partner_b = fields.Nested(PartnerSchema, required=True)

    @validates_schema
    def _different_people(self, data, **kwargs):
        """The two partners need their own email addresses."""
        if data["partner_a"]["email"] == data["partner_b"]["email"]:
            raise ValidationError(
                "Each partner needs their own email address.", "partner_b.email"
            )


def form_to_nested(form) -> dict:
    """Turn flat form names like ``partner_a.name`` into the nested shape the schema loads."""
    data: dict = {}
    for key, value in form.items():
        if key == "csrf_token":
            continue
        head, _, tail = key.partition(".")
        if tail:
            if not isinstance(data.get(head), dict):
                data[head] = {}  # a plain field of the same name is dropped: the schema wants the group
            data[head][tail] = value
        elif not isinstance(data.get(key), dict):
            data[key] = value
    return data
