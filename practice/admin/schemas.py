"""Validation for the admin forms and for a new staff member choosing a password."""

from marshmallow import RAISE, Schema, ValidationError, fields, validates, validates_schema

from practice.auth.passwords import password_problems
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


class ChoosePasswordSchema(Schema):
    """The password a newly invited staff member chooses, typed twice."""

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
