"""Validation for the admin forms."""

from marshmallow import RAISE, Schema, fields

from practice.fields import Email, RequiredText


class CounselorSchema(Schema):
    """A new counselor account."""

    class Meta:
        unknown = RAISE

    name = RequiredText(label="the counselor's name", max_length=120, single_line=True)
    email = Email(required=True)
    password = fields.String(required=True, error_messages={"required": "Choose a first password."})
