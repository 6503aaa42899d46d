"""Validation for the admin forms."""

from marshmallow import RAISE, Schema, fields

from practice.fields import Email, RequiredText


class CounselorSchema(Schema):
    """Who to invite as a counselor: a name and an email address."""

    class Meta:
        unknown = RAISE

    name = RequiredText(label="the counselor's name", max_length=120, single_line=True)
    email = Email(required=True)


class NewCounselorSchema(CounselorSchema):
    """A counselor account made on the server, with its first password (``create-counselor``)."""

    password = fields.String(required=True, error_messages={"required": "Choose a first password."})
