"""Validation for habits: what a counselor assigns or changes, what a partner logs.

HTML forms and JSON share these schemas. A target is entered as its parts (how often, at least,
at most, every how many weeks, minutes) and loaded as one :class:`Frequency`.
"""

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from practice.fields import Text
from practice.homework.frequency import KINDS, Frequency
from practice.homework.models import Sharing

#: What a log can ask for, in the order the form shows them.
LOG_FIELDS = ("done", "count", "minutes", "feeling", "note")
NOTE_LENGTH = 280


def _count(label: str, low: int, high: int, **kwargs) -> fields.Integer:
    """A whole number field with a plain message when it is out of range."""
    return fields.Integer(
        validate=validate.Range(low, high, error=f"{label} is a whole number from {low} to {high}."),
        error_messages={"invalid": f"{label} is a whole number from {low} to {high}."},
        allow_none=True, load_default=None, **kwargs)


class TargetSchema(Schema):
    """How often a habit is asked for: loaded as a Frequency."""

    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(KINDS, error="Choose how often."),
                         error_messages={"required": "Choose how often."})
    min = _count("“At least”", 1, 50)
    max = _count("“At most”", 1, 50)
    n = _count("“Every how many weeks”", 2, 12)
    minutes = _count("Minutes", 1, 240)

    @validates_schema
    def _whole_target(self, data, **kwargs):
        """Each kind needs its own parts, and a range goes from low to high."""
        kind = data.get("kind")
        if kind in ("per_day", "per_week", "per_month") and not data.get("min"):
            raise ValidationError("Say how many times.", "min")
        if kind == "every_n_weeks" and not data.get("n"):
            raise ValidationError("Say every how many weeks.", "n")
        if data.get("min") and data.get("max") and data["max"] < data["min"]:
            raise ValidationError(f"“At most” is at least {data['min']}.", "max")

    @post_load
    def _frequency(self, data, **kwargs) -> Frequency:
        """The target as one value; parts the kind does not use are dropped."""
        kind = data["kind"]
        if kind == "as_needed":
            return Frequency(kind, minutes=data.get("minutes"))
        if kind == "every_n_weeks":
            return Frequency(kind, min=1, max=1, n=data["n"], minutes=data.get("minutes"))
        return Frequency(kind, min=data["min"], max=data.get("max"), minutes=data.get("minutes"))


class AssignSchema(Schema):
    """A habit as the counselor assigns it: from the catalogue, or in their own words."""

    class Meta:
        unknown = RAISE

    catalogue_key = fields.String(load_default="")
    title = Text(max_length=120, single_line=True, load_default="")
    frequency = fields.Nested(TargetSchema, required=True)
    #: "both", or the id of the one partner it is for.
    for_whom = fields.String(load_default="both")
    log_fields = fields.List(fields.String(validate=validate.OneOf(LOG_FIELDS)), load_default=list)
    starts_on = fields.Date(allow_none=True, load_default=None,
                            error_messages={"invalid": "Enter a date like 2026-12-01."})
    ends_on = fields.Date(allow_none=True, load_default=None,
                          error_messages={"invalid": "Enter a date like 2026-12-01."})
    instructions = Text(max_length=2000, load_default="")

    @validates_schema
    def _named_and_dated(self, data, **kwargs):
        """A custom habit needs a title, a catalogue one must exist; it ends after it starts."""
        from practice.homework.catalogue import catalogue

        if data.get("catalogue_key") and catalogue().get(data["catalogue_key"]) is None:
            raise ValidationError("Choose a habit from the catalogue, or write your own.", "catalogue_key")
        if not data.get("catalogue_key") and not data.get("title"):
            raise ValidationError("Give your habit a short title, or choose one from the list.", "title")
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("The end date comes after the start date.", "ends_on")


class ChangeSchema(Schema):
    """A change to an assigned habit: its target, end date and instructions."""

    class Meta:
        unknown = RAISE

    frequency = fields.Nested(TargetSchema, required=True)
    ends_on = fields.Date(allow_none=True, load_default=None,
                          error_messages={"invalid": "Enter a date like 2026-12-01."})
    instructions = Text(max_length=2000, load_default="")


class LogSchema(Schema):
    """One entry a partner logs: done, a count or minutes, and a private feeling word and note."""

    class Meta:
        unknown = RAISE

    day = fields.Date(allow_none=True, load_default=None,
                      error_messages={"invalid": "Choose one of the last 7 days."})
    done = fields.Boolean(load_default=True)
    count = _count("The count", 0, 50)
    minutes = _count("Minutes", 0, 600)
    feeling = fields.String(load_default="")
    note = Text(max_length=NOTE_LENGTH, load_default="")
    sharing = fields.Enum(Sharing, allow_none=True, load_default=None,
                          error_messages={"unknown": "Choose who may read your feeling and note."})
    idempotency_key = Text(max_length=64, single_line=True, load_default="")

    @validates_schema
    def _known_feeling(self, data, **kwargs):
        """A feeling is one of the catalogue's feeling words (by key)."""
        from practice.homework.catalogue import catalogue

        feeling = data.get("feeling")
        if feeling and feeling not in catalogue().feeling_keys:
            raise ValidationError("Choose a feeling word from the list.", "feeling")
