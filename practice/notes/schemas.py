"""Validation of what a counselor types into a note: the session's details and each section's words.

HTML forms and JSON share these schemas. The form names a section's words ``section.<key>``; the
API sends them as ``{"sections": {key: text}}``; both load into ``{"sections": {key: text}}``.
"""

from datetime import date, timedelta

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from practice.fields import Text
from practice.notes.models import BOTH, Modality

#: The longest section or addendum a counselor may write (a long session fits in a tenth of it).
SECTION_LENGTH = 20_000
#: A note may be dated this far back (records entered late), and never after the couple's today.
OLDEST = timedelta(days=366 * 10)

MODALITIES = {Modality.in_person: "In person", Modality.video: "Video", Modality.phone: "Phone"}


class DetailsSchema(Schema):
    """A note's session details: when, how long, who came and how."""

    class Meta:
        unknown = RAISE

    session_on = fields.Date(required=True, error_messages={
        "required": "Enter the session's date.", "invalid": "Use a date like 2026-12-01."})
    minutes = fields.Integer(
        allow_none=True, load_default=None,
        validate=validate.Range(1, 600, error="Minutes is a whole number from 1 to 600."),
        error_messages={"invalid": "Minutes is a whole number from 1 to 600."})
    attended = fields.String(required=True, error_messages={"required": "Say who came."})
    modality = fields.Enum(Modality, required=True, error_messages={
        "required": "Say how the session was held.", "unknown": "Say how the session was held."})

    def __init__(self, *, partners: dict[str, str], today: date, **kwargs):
        #: ``{partner id: name}`` of the note's couple: the one partner who came is one of them.
        self.partners = partners
        self.today = today
        super().__init__(**kwargs)

    @validates_schema(skip_on_field_errors=False)
    def _session(self, data, **kwargs):
        """The date is not in the future nor ages ago; "who came" is both or one of this couple."""
        when = data.get("session_on")
        if when and when > self.today:
            raise ValidationError("A note is for a session that has happened: use today or earlier.",
                                  "session_on")
        if when and when < self.today - OLDEST:
            raise ValidationError("That date is more than ten years ago.", "session_on")
        if "attended" in data and data["attended"] != BOTH and data["attended"] not in self.partners:
            raise ValidationError("Say who came: both partners, or one of them.", "attended")


def sections_schema(keys: list[str]) -> Schema:
    """A schema for a note's section words, one optional text per section key."""
    return Schema.from_dict({key: Text(max_length=SECTION_LENGTH, trim=False, load_default="")
                             for key in keys})(unknown=RAISE)


class AddendumSchema(Schema):
    """An addendum's words, and the password or code that signs it."""

    body = Text(max_length=SECTION_LENGTH, required=True, error_messages={"required": "Write the addendum."})
    secret = fields.String(load_default="")

    @validates_schema
    def _not_blank(self, data, **kwargs):
        """An addendum says something."""
        if not data.get("body", "").strip():
            raise ValidationError("Write the addendum.", "body")
