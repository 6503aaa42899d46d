"""Shapes of the API's responses."""

from marshmallow import Schema, fields, validate

from practice.couples.models import Confidentiality

ROLES = ("admin", "counselor", "partner")


class MeSchema(Schema):
    """The signed-in person."""

    name = fields.String(required=True)
    email = fields.Email(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    two_factor = fields.Boolean(required=True)


class PartnerSummarySchema(Schema):
    """A partner as the other partner may see them."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    pronouns = fields.String(allow_none=True)
    is_me = fields.Boolean(required=True)
    joined = fields.Boolean(required=True)


class CoupleSummarySchema(Schema):
    """The partner's own couple, as the portal shows it (never the counselor's caseload label)."""

    id = fields.UUID(required=True)
    time_zone = fields.String(required=True)
    counselor = fields.String(required=True)
    confidentiality = fields.String(
        required=True, validate=validate.OneOf([c.value for c in Confidentiality]))
    partners = fields.List(fields.Nested(PartnerSummarySchema), required=True)
