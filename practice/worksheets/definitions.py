"""Worksheet definitions as data: worksheets/*.yaml checked at start-up, and the answers they allow.

Each definition (CONTENT.md §2) goes through the marshmallow schemas below, then through the
checks that need the whole file (show_if, locked_until, scopes, preview, lint, suggestions), and
becomes a frozen :class:`Worksheet`. A broken file stops the app with a :class:`DefinitionError`
whose lines each name the file and the place in it, e.g.
``worksheets/boundaries.yaml: sections[2].fields[0].type: unknown type "txt"``.

``Worksheet.body`` is the checked definition as plain JSON data with every default written out;
an assignment snapshots it (and its ``digest``), and :func:`from_body` rebuilds that version later,
whatever the file says by then. Answers store keys (an option's key, a feeling word's key), never
the words shown, so a label can be reworded or translated without touching anyone's answers.

Pure: Flask only for :func:`init_app` and :func:`library`. It reads habits.yaml itself and never
imports the homework feature.
"""

import calendar
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from practice import words as word_files
from practice.fields import Text, without_control_characters
from practice.words import OTHER, WORKSHEETS, Flag, Key, Number, StrictSchema, Wording, Words

#: Where the loaded definitions are kept on the app.
EXTENSION = "securebase.worksheets"
#: Data files in worksheets/ that are not worksheet definitions.
NOT_WORKSHEETS = ("habits.yaml", "feelings.yaml", "note_formats.yaml")
HABITS_FILE = WORKSHEETS / "habits.yaml"

FIELD_TYPES = ("text", "longtext", "choice", "multichoice", "checklist", "scale", "date", "datetime",
               "number", "minutes", "feeling_word", "need_word", "habit_ref", "habit_review")
#: Types whose answers are option keys written in the definition.
OPTION_TYPES = ("choice", "multichoice", "checklist")
#: Types whose answer is a list.
LIST_TYPES = ("multichoice", "checklist", "habit_review")
TEXT_TYPES = ("text", "longtext")
MODES = ("per_partner", "joint", "mixed")
SCOPES = ("per_partner", "joint")
FILLED_BY = ("author", "other_partner")
SCHEDULES = ("per_week", "per_month")
#: How long a person's answer may be unless the definition says otherwise, and at most.
MAX_LENGTH = {"text": 300, "longtext": 5000}
MAX_LENGTH_LIMIT = 20000
OTHER_LENGTH = 200
SCALE = (0, 10)
SCALE_LIMIT = 100
NUMBER = (0, 999)
MINUTES = (1, 1440)
REVIEW_ROWS = 20
REVIEW_HABIT_LENGTH = 64
RATING = (1, 5)
DECISIONS = ("keep", "adjust", "pause")
#: Defaults that are worked out when a section is opened: "today", "today+7d", "today+2w", "today+1m"; "now".
DATE_TOKEN = re.compile(r"today(?:\+([1-9][0-9]{0,2})([dwm]))?")
NOW = "now"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::[0-9]{2})?")
YEARS = (1900, 2100)
#: ``{feel}`` or ``{build.feel}`` in a preview sentence.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
REF = re.compile(r"([a-z][a-z0-9_]*)(?:\.([a-z][a-z0-9_]*))?")
#: A source reference: "S1: repair after conflict" (CONTENT.md names the sources S0 and S1).
SOURCE_REF = re.compile(r"S[0-9]+(?:: .+)?")
UNANSWERED = "…"

# Every message in one place, so they can go through gettext once Flask-Babel is wired.
MESSAGES = {
    **word_files.MESSAGES,
    "key": f"must be snake_case, like check_date, at most {word_files.KEY_LENGTH} characters",
    "yes_no": 'is true or false to YAML: put it in quotes, like "yes" or "no"',
    "quoted": 'must be text: put it in quotes, like "today+7d"',
    "type": 'unknown type "{value}"',
    "one_of": "must be one of {choices}",
    "version": "must be at least 1",
    "est_minutes": "must be between 1 and 240",
    "no_sections": "must list at least one section",
    "no_fields": "must list at least one field",
    "no_values": "must list at least one option key",
    "no_words_here": "must list at least one word",
    "source": 'must name a source like "S1: repair after conflict"',
    "scale_bounds": f"must be between 0 and {SCALE_LIMIT}",
    "scale_max": "must be more than min ({min})",
    "max_length": f"must be between 1 and {MAX_LENGTH_LIMIT}",
    "file_key": 'must be the file\'s name, "{stem}"',
    "section_twice": "is used twice, by sections #{other} and #{this}",
    "field_twice": "is used twice in this section, by fields #{other} and #{this}",
    "option_twice": "is used twice, by options #{other} and #{this}",
    "other_taken": 'is taken: "{key}" keeps the own words typed for "other" in field "{field}"',
    "options_needed": "must list at least two options for a {type} field",
    "options_not_here": "does not apply to a {type} field",
    "scale_not_here": "does not apply to a {type} field",
    "max_length_not_here": "does not apply to a {type} field",
    "default_not_here": "does not apply to a {type} field",
    "default_date": 'must be "today", like "today+7d", "today+2w" or "today+1m", or a date like 2026-12-24',
    "default_datetime": 'must be "now" or a date and time like 2026-12-24T18:30',
    "default_choice": "must be one of the option keys: {keys}",
    "default_token": "is a date token; only date and datetime fields take one",
    "default_long": "must be at most {max} characters (the field's max_length)",
    "show_if_field": 'names no earlier field of this section ("{field}")',
    "show_if_options": 'names "{field}", a {type} field; show_if needs a field with options',
    "show_if_value": '"{value}" is not an option of "{field}"',
    "scope_for_mode": "a {scope} section needs a {allowed} worksheet",
    "default_scope_mode": "only a mixed worksheet has a default scope",
    "filled_by": "other_partner fills only a per_partner section of a mixed worksheet",
    "locked_unknown": 'names no earlier section ("{key}")',
    "locked_joint": '"{key}" is a joint section; name an earlier per_partner section',
    "ref_unknown": 'names no field ("{ref}")',
    "ref_twice": '"{ref}" is a field of sections {sections}: write it as section.field',
    "placeholder": "{{{ref}}} names no field",
    "placeholder_twice": "{{{ref}}} is a field of sections {sections}: write it as {{section.field}}",
    "brace": "has a { or } that is not a {field} placeholder",
    "lint_field": '"{ref}" is a {type} field; lint reads text and longtext fields',
    "suggest_field": '"{ref}" is a {type} field; a suggestion needs a field with options',
    "suggest_value": '"{value}" is not an option of "{ref}"',
    "habit": '"{value}" is not a habit in habits.yaml',
    "worksheet": '"{value}" is not a worksheet',
    "not_loaded": "The worksheet library is not loaded: call practice.worksheets.definitions.init_app(app).",
}

# What a person sees next to a field: short and human.
ANSWER_MESSAGES = {
    "required": "Please answer this.",
    "other_words": "Please write your own words.",
    "other_not_chosen": 'Choose "other" to add your own words.',
    "unknown": "This is not a question in this section.",
    "mapping": "Send the answers as a mapping of question to answer.",
    "text": "Write this as text.",
    "choice": "Choose one of the options.",
    "choices": "Choose from the options.",
    "choices_twice": "Choose each option once.",
    "range": "Use a number from {min} to {max}.",
    "number": "Use a whole number from {min} to {max}.",
    "minutes": "Use minutes from {min} to {max}.",
    "date": "Use a date like 2026-12-24.",
    "datetime": "Use a date and time like 2026-12-24T18:30.",
    "feeling": "Choose one of the feeling words.",
    "need": "Choose one of the need words.",
    "habit": "Choose one of the habits.",
    "review": f"List up to {REVIEW_ROWS} habits, each with a rating from 1 to 5 and keep, adjust or pause.",
    "review_rows": f"List at most {REVIEW_ROWS} habits.",
    "review_row": "Row {row}: {problem}",
    "review_habit": f"name the habit in at most {REVIEW_HABIT_LENGTH} characters.",
    "review_rating": "rate it from 1 to 5.",
    "review_decision": "choose keep, adjust or pause.",
    "review_unknown": "only habit, rating and decision belong in a row.",
}


class DefinitionError(Exception):
    """Worksheet files the app cannot use; each line names the file and the place in it."""

    def __init__(self, problems: Iterable[str]):
        #: One line per problem, e.g. ``boundaries.yaml: sections[2].fields[0].type: unknown type "txt"``.
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


# -- the loaded definitions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer a choice offers: the key stored, the label shown."""

    key: str
    label: str
    #: Choosing it opens a text box for the person's own words (the option "other").
    opens_text: bool


@dataclass(frozen=True)
class Scale:
    """A scale's numbers and the words at each end."""

    min: int
    max: int
    min_label: str
    max_label: str


@dataclass(frozen=True)
class ShowIf:
    """A field shown only when an earlier field of its section has one of these option keys."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    """One question of a section."""

    key: str
    type: str
    label: str
    required: bool
    help: str
    #: choice, multichoice and checklist only; () otherwise.
    options: tuple[Option, ...]
    #: scale only.
    scale: Scale | None
    #: Literal text or an option key, or a token worked out when the section opens: "today+7d", "now".
    default: str | None
    show_if: ShowIf | None
    #: text and longtext only; 0 otherwise.
    max_length: int

    def option(self, key: str) -> Option | None:
        """The option stored as this key, or None."""
        return next((option for option in self.options if option.key == key), None)

    @property
    def takes_other(self) -> bool:
        """Whether an answer may be "other" with the person's own words in ``<key>_other``."""
        if self.type in OPTION_TYPES:
            return any(option.opens_text for option in self.options)
        return self.type in ("feeling_word", "need_word", "habit_ref")

    @property
    def other_key(self) -> str:
        """Where the person's own words for "other" go in the section's answers."""
        return f"{self.key}_{OTHER}"


@dataclass(frozen=True)
class Section:
    """A numbered part of a worksheet."""

    key: str
    title: str
    help: str
    example: str
    #: per_partner (each partner their own answers) or joint (one set of answers, both edit).
    scope: str
    #: author, or other_partner: the partner who did not write the per_partner sections answers it.
    filled_by: str
    #: The key of an earlier per_partner section both partners must finish before this one opens.
    locked_until: str | None
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field | None:
        """The field with this key, or None."""
        return next((each for each in self.fields if each.key == key), None)


@dataclass(frozen=True)
class Suggestion:
    """Habits and worksheets to suggest when a field's answer includes one of ``values``."""

    field: str
    values: tuple[str, ...]
    habits: tuple[str, ...]
    worksheets: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Lint:
    """A gentle, non-blocking note when a text answer uses one of ``words`` (whole words, any case)."""

    field: str
    words: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Worksheet:
    """One version of a worksheet definition."""

    key: str
    version: int
    title: str
    intro: str
    mode: str
    est_minutes: int
    repeatable: bool
    schedule: str | None
    #: The private safety question comes first (CONTENT.md §4.3).
    safety_check: bool
    source_refs: tuple[str, ...]
    preview: str | None
    lint: tuple[Lint, ...]
    suggestions: tuple[Suggestion, ...]
    #: The closing reflection of the printed handout.
    closing: str
    sections: tuple[Section, ...]
    #: The checked definition as plain JSON data: what an assignment snapshots. Do not change it.
    body: dict = field(compare=False, hash=False, repr=False)
    #: sha256 hex of the canonical JSON of ``body``.
    digest: str = ""

    def section(self, key: str) -> Section | None:
        """The section with this key, or None."""
        return next((each for each in self.sections if each.key == key), None)

    def field(self, section_key: str, field_key: str) -> Field | None:
        """A section's field, or None."""
        section = self.section(section_key)
        return section.field(field_key) if section else None

    def find(self, ref: str) -> tuple[Section, Field] | None:
        """The section and field a reference names: ``field`` (one in the worksheet) or ``section.field``."""
        found = _resolve(ref, [(section.key, [each.key for each in section.fields])
                               for section in self.sections])
        if not isinstance(found, tuple):
            return None
        section = self.section(found[0])
        return section, section.field(found[1])

    @property
    def kept_open(self) -> bool:
        """Whether it takes many entries: a log (repeatable), or one filled every week or month."""
        return self.repeatable or self.schedule is not None

    @property
    def field_count(self) -> int:
        """How many questions the worksheet asks, in every section."""
        return sum(len(section.fields) for section in self.sections)


# -- schemas for the files ----------------------------------------------------------------------


def _key(**kwargs) -> Key:
    """A snake_case key; a bare yes or no (a boolean to YAML) gets a message that says so."""
    return Key(message=MESSAGES["key"], not_text=MESSAGES["yes_no"], **kwargs)


def _one_of(choices: Sequence[str], **kwargs) -> fields.String:
    """One of a few words."""
    return fields.String(validate=validate.OneOf(choices, error=MESSAGES["one_of"].format(
        choices=", ".join(choices))), error_messages={**word_files.FIELD_ERRORS, "invalid": MESSAGES["text"]},
        **kwargs)


def _list(inner, *, empty: str | None = None, **kwargs) -> fields.List:
    """A list, non-empty when ``empty`` says what to write."""
    return fields.List(inner, validate=validate.Length(min=1, error=empty) if empty else None,
                       error_messages={**word_files.FIELD_ERRORS, "invalid": MESSAGES["list"]}, **kwargs)


def _nested(schema, **kwargs) -> fields.Nested:
    """A mapping checked by its own schema."""
    return fields.Nested(schema, error_messages=word_files.FIELD_ERRORS, **kwargs)


class FieldType(fields.String):
    """One of FIELD_TYPES; the message names what was written."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={**word_files.FIELD_ERRORS, "invalid": MESSAGES["text"]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in FIELD_TYPES:
            raise ValidationError(MESSAGES["type"].format(value=text))
        return text


class Literal(fields.String):
    """Text written as text: a YAML date or number (2026-12-24, 20) is refused, not turned into text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(MESSAGES["quoted"])
        return super()._deserialize(value, attr, data, **kwargs)


class SourceRef(Wording):
    """Where a worksheet comes from: "S1: repair after conflict" (CONTENT.md names its sources S0, S1)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=200, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not SOURCE_REF.fullmatch(text):
            raise ValidationError(MESSAGES["source"])
        return text


class OptionSchema(StrictSchema):
    """``{key, label}``: the key is stored, the label shown."""

    key = _key(required=True)
    label = Wording(max_length=120, required=True)


class ScaleSchema(StrictSchema):
    """``{min, max, min_label?, max_label?}``; 0 to 10 when a scale field has none."""

    min = Number(required=True, validate=validate.Range(0, SCALE_LIMIT, error=MESSAGES["scale_bounds"]))
    max = Number(required=True, validate=validate.Range(0, SCALE_LIMIT, error=MESSAGES["scale_bounds"]))
    min_label = Wording(max_length=60)
    max_label = Wording(max_length=60)

    @validates_schema
    def check_order(self, data, **kwargs):
        """A scale runs upwards."""
        if data["max"] <= data["min"]:
            raise ValidationError({"max": [MESSAGES["scale_max"].format(min=data["min"])]})


class ShowIfSchema(StrictSchema):
    """``{field, in: [option keys]}``."""

    field = _key(required=True)
    values = _list(_key(), empty=MESSAGES["no_values"], required=True, data_key="in")


class FieldSchema(StrictSchema):
    """One question of a section."""

    key = _key(required=True)
    type = FieldType(required=True)
    label = Wording(max_length=200, required=True)
    required = Flag()
    help = Wording(max_length=500)
    options = _list(_nested(OptionSchema))
    scale = _nested(ScaleSchema)
    default = Literal(validate=validate.Length(min=1, error=MESSAGES["blank"]))
    show_if = _nested(ShowIfSchema)
    max_length = Number(validate=validate.Range(1, MAX_LENGTH_LIMIT, error=MESSAGES["max_length"]))


class SectionSchema(StrictSchema):
    """One numbered part: its words for the page and the printed handout, who answers it, its fields."""

    key = _key(required=True)
    title = Wording(max_length=80, required=True)
    help = Wording(max_length=1000, single_line=False, required=True)
    example = Wording(max_length=1000, single_line=False, required=True)
    scope = _one_of(SCOPES)
    filled_by = _one_of(FILLED_BY)
    locked_until = _key()
    fields = _list(_nested(FieldSchema), empty=MESSAGES["no_fields"], required=True)


class LintSchema(StrictSchema):
    """``{field, words, message}``."""

    field = Literal(required=True)
    words = _list(Wording(max_length=40), empty=MESSAGES["no_words_here"], required=True)
    message = Wording(max_length=300, required=True)


class SuggestionSchema(StrictSchema):
    """``{field, in, habits?, worksheets?, text}``."""

    field = Literal(required=True)
    values = _list(_key(), empty=MESSAGES["no_values"], required=True, data_key="in")
    habits = _list(_key())
    worksheets = _list(_key())
    text = Wording(max_length=300, required=True)


class WorksheetSchema(StrictSchema):
    """A whole definition file."""

    key = _key(required=True)
    version = Number(required=True, validate=validate.Range(min=1, error=MESSAGES["version"]))
    title = Wording(max_length=80, required=True)
    intro = Wording(max_length=2000, single_line=False, required=True)
    mode = _one_of(MODES, required=True)
    default_scope = _one_of(SCOPES)
    est_minutes = Number(required=True, validate=validate.Range(1, 240, error=MESSAGES["est_minutes"]))
    repeatable = Flag()
    schedule = _one_of(SCHEDULES)
    safety_check = Flag()
    source_refs = _list(SourceRef())
    preview = Wording(max_length=500)
    lint = _list(_nested(LintSchema))
    suggestions = _list(_nested(SuggestionSchema))
    closing = Wording(max_length=1000, single_line=False, required=True)
    sections = _list(_nested(SectionSchema), empty=MESSAGES["no_sections"], required=True)


# -- checks that need the whole file ------------------------------------------------------------


def _resolve(ref: str, sections: list[tuple[str, list[str]]]):
    """(section key, field key) for ``field`` or ``section.field``; else the sections that share it."""
    match = REF.fullmatch(ref)
    if not match:
        return []
    first, second = match.groups()
    if second is not None:
        return (first, second) if any(key == first and second in keys for key, keys in sections) else []
    holders = [key for key, keys in sections if first in keys]
    return (holders[0], first) if len(holders) == 1 else holders


class _Checker:
    """The rules that look across a definition's sections and fields; collects (place, message) pairs."""

    def __init__(self, data: dict, habit_keys: frozenset[str] | None, worksheet_keys: frozenset[str] | None):
        self.data = data
        self.habit_keys = habit_keys
        self.worksheet_keys = worksheet_keys
        self.problems: list[tuple[tuple, str]] = []
        self.sections = [(section["key"], [each["key"] for each in section["fields"]])
                         for section in data["sections"]]

    def add(self, place: tuple, message: str) -> None:
        """One problem."""
        self.problems.append((place, message))

    def run(self) -> list[tuple[tuple, str]]:
        """Every check, in file order."""
        self.check_worksheet()
        self.check_sections()
        self.check_preview()
        self.check_lint()
        self.check_suggestions()
        return self.problems

    def check_worksheet(self) -> None:
        """default_scope belongs to mixed worksheets."""
        if "default_scope" in self.data and self.data["mode"] != "mixed":
            self.add(("default_scope",), MESSAGES["default_scope_mode"])

    def check_sections(self) -> None:
        """Unique keys; scope, filled_by and locked_until that fit the worksheet; each field's own rules."""
        mode = self.data["mode"]
        first: dict[str, int] = {}
        scopes: dict[str, str] = {}
        for index, section in enumerate(self.data["sections"]):
            place = ("sections", index)
            if section["key"] in first:
                self.add((*place, "key"), MESSAGES["section_twice"].format(other=first[section["key"]] + 1,
                                                                            this=index + 1))
            scope = section.get("scope") or _default_scope(self.data)
            if "scope" in section and mode != "mixed" and scope != mode:
                allowed = f"{scope} or mixed"
                self.add((*place, "scope"), MESSAGES["scope_for_mode"].format(scope=scope, allowed=allowed))
            if section.get("filled_by") == "other_partner" and (mode != "mixed" or scope != "per_partner"):
                self.add((*place, "filled_by"), MESSAGES["filled_by"])
            locked = section.get("locked_until")
            if locked is not None:
                if locked not in first:
                    self.add((*place, "locked_until"), MESSAGES["locked_unknown"].format(key=locked))
                elif scopes[locked] != "per_partner":
                    self.add((*place, "locked_until"), MESSAGES["locked_joint"].format(key=locked))
            first.setdefault(section["key"], index)
            scopes.setdefault(section["key"], scope)
            self.check_fields(place, section["fields"])

    def check_fields(self, place: tuple, section_fields: list[dict]) -> None:
        """Unique keys, and each field's options, scale, default, show_if and max_length."""
        first: dict[str, int] = {}
        for index, each in enumerate(section_fields):
            here = (*place, "fields", index)
            if each["key"] in first:
                self.add((*here, "key"), MESSAGES["field_twice"].format(other=first[each["key"]] + 1,
                                                                        this=index + 1))
            first.setdefault(each["key"], index)
            self.check_field(here, each)
            self.check_show_if(here, each, section_fields[:index])
        # An "other" choice keeps its own words under <key>_other in the same answers.
        for each in section_fields:
            if _takes_other(each) and f"{each['key']}_{OTHER}" in first:
                taken = first[f"{each['key']}_{OTHER}"]
                self.add((*place, "fields", taken, "key"), MESSAGES["other_taken"].format(
                    key=f"{each['key']}_{OTHER}", field=each["key"]))

    def check_field(self, here: tuple, each: dict) -> None:
        """The parts of a field that depend on its type."""
        kind = each["type"]
        options = each.get("options")
        if kind in OPTION_TYPES:
            if options is None or len(options) < 2:
                self.add((*here, "options"), MESSAGES["options_needed"].format(type=kind))
            first: dict[str, int] = {}
            for index, option in enumerate(options or ()):
                if option["key"] in first:
                    self.add((*here, "options", index, "key"), MESSAGES["option_twice"].format(
                        other=first[option["key"]] + 1, this=index + 1))
                first.setdefault(option["key"], index)
        elif options is not None:
            self.add((*here, "options"), MESSAGES["options_not_here"].format(type=kind))
        if "scale" in each and kind != "scale":
            self.add((*here, "scale"), MESSAGES["scale_not_here"].format(type=kind))
        if "max_length" in each and kind not in TEXT_TYPES:
            self.add((*here, "max_length"), MESSAGES["max_length_not_here"].format(type=kind))
        if "default" in each:
            message = _default_problem(each)
            if message:
                self.add((*here, "default"), message)

    def check_show_if(self, here: tuple, each: dict, earlier: list[dict]) -> None:
        """show_if names an earlier field with options, and some of its option keys."""
        show_if = each.get("show_if")
        if show_if is None:
            return
        parent = next((other for other in earlier if other["key"] == show_if["field"]), None)
        if parent is None:
            self.add((*here, "show_if", "field"), MESSAGES["show_if_field"].format(field=show_if["field"]))
            return
        if parent["type"] not in OPTION_TYPES:
            self.add((*here, "show_if", "field"), MESSAGES["show_if_options"].format(
                field=parent["key"], type=parent["type"]))
            return
        keys = {option["key"] for option in parent.get("options") or ()}
        for index, value in enumerate(show_if["values"]):
            if value not in keys:
                self.add((*here, "show_if", "in", index), MESSAGES["show_if_value"].format(
                    value=value, field=parent["key"]))

    def field_of(self, ref: str) -> dict | None:
        """The field a reference names, or None."""
        found = _resolve(ref, self.sections)
        if not isinstance(found, tuple):
            return None
        section = next(each for each in self.data["sections"] if each["key"] == found[0])
        return next(each for each in section["fields"] if each["key"] == found[1])

    def check_ref(self, place: tuple, ref: str) -> dict | None:
        """The field a reference names; a problem when it names none or is ambiguous."""
        found = _resolve(ref, self.sections)
        if isinstance(found, tuple):
            return self.field_of(ref)
        if found:
            self.add(place, MESSAGES["ref_twice"].format(ref=ref, sections=", ".join(found)))
        else:
            self.add(place, MESSAGES["ref_unknown"].format(ref=ref))
        return None

    def check_preview(self) -> None:
        """Each {placeholder} names a field; no stray braces."""
        preview = self.data.get("preview")
        if preview is None:
            return
        for ref in PLACEHOLDER.findall(preview):
            found = _resolve(ref, self.sections)
            if isinstance(found, tuple):
                continue
            if found:
                self.add(("preview",), MESSAGES["placeholder_twice"].format(ref=ref,
                                                                            sections=", ".join(found)))
            else:
                self.add(("preview",), MESSAGES["placeholder"].format(ref=ref))
        if "{" in PLACEHOLDER.sub("", preview) or "}" in PLACEHOLDER.sub("", preview):
            self.add(("preview",), MESSAGES["brace"])

    def check_lint(self) -> None:
        """Lint reads text fields that exist."""
        for index, rule in enumerate(self.data.get("lint") or ()):
            each = self.check_ref(("lint", index, "field"), rule["field"])
            if each is not None and each["type"] not in TEXT_TYPES:
                self.add(("lint", index, "field"), MESSAGES["lint_field"].format(ref=rule["field"],
                                                                                 type=each["type"]))

    def check_suggestions(self) -> None:
        """Suggestions name a field with options, its option keys, known habits and worksheets."""
        for index, rule in enumerate(self.data.get("suggestions") or ()):
            place = ("suggestions", index)
            each = self.check_ref((*place, "field"), rule["field"])
            if each is not None:
                if each["type"] not in OPTION_TYPES:
                    self.add((*place, "field"), MESSAGES["suggest_field"].format(ref=rule["field"],
                                                                                 type=each["type"]))
                else:
                    keys = {option["key"] for option in each.get("options") or ()}
                    for number, value in enumerate(rule["values"]):
                        if value not in keys:
                            self.add((*place, "in", number), MESSAGES["suggest_value"].format(
                                value=value, ref=rule["field"]))
            if self.habit_keys is not None:
                for number, value in enumerate(rule.get("habits") or ()):
                    if value not in self.habit_keys:
                        self.add((*place, "habits", number), MESSAGES["habit"].format(value=value))
            if self.worksheet_keys is not None:
                for number, value in enumerate(rule.get("worksheets") or ()):
                    if value not in self.worksheet_keys:
                        self.add((*place, "worksheets", number), MESSAGES["worksheet"].format(value=value))


def _default_scope(data: dict) -> str:
    """The scope of a section that does not say: the worksheet's mode, or default_scope in a mixed one."""
    if data["mode"] == "mixed":
        return data.get("default_scope") or "per_partner"
    return data["mode"]


def _takes_other(each: dict) -> bool:
    """A loaded field (plain data) whose "other" opens a text box."""
    if each["type"] in OPTION_TYPES:
        return any(option["key"] == OTHER for option in each.get("options") or ())
    return each["type"] in ("feeling_word", "need_word", "habit_ref")


def _default_problem(each: dict) -> str | None:
    """What is wrong with a field's default for its type, or None."""
    kind, value = each["type"], each["default"]
    if kind == "date":
        return None if DATE_TOKEN.fullmatch(value) or _iso_date(value) else MESSAGES["default_date"]
    if kind == "datetime":
        return None if value == NOW or _iso_datetime(value) else MESSAGES["default_datetime"]
    if kind == "choice":
        keys = [option["key"] for option in each.get("options") or ()]
        return None if value in keys else MESSAGES["default_choice"].format(keys=", ".join(keys))
    if kind in TEXT_TYPES:
        if DATE_TOKEN.fullmatch(value) or value == NOW:
            return MESSAGES["default_token"]
        limit = each.get("max_length", MAX_LENGTH[kind])
        if len(value) > limit or (kind == "text" and any(char in value for char in "\n\r\t")):
            return MESSAGES["default_long"].format(max=limit)
        return None
    return MESSAGES["default_not_here"].format(type=kind)


def _iso_date(value: str) -> str | None:
    """The date as YYYY-MM-DD when ``value`` is one (years 1900-2100), else None."""
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return value if YEARS[0] <= day.year <= YEARS[1] else None


def _iso_datetime(value: str) -> str | None:
    """The local date and time as YYYY-MM-DDTHH:MM (seconds dropped) when ``value`` is one, else None."""
    match = ISO_DATETIME.fullmatch(value)
    if not match or not _iso_date(match[1]):
        return None
    if int(match[2]) > 23 or int(match[3]) > 59:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return f"{match[1]}T{match[2]}:{match[3]}"


# -- from checked data to the frozen definition -------------------------------------------------


def _body(data: dict) -> dict:
    """The checked definition with every default written out and nothing that does not apply."""
    body = {key: data[key] for key in ("key", "version", "title", "intro", "mode", "est_minutes")}
    if data["mode"] == "mixed":
        body["default_scope"] = _default_scope(data)
    body["repeatable"] = data.get("repeatable", False)
    if data.get("schedule"):
        body["schedule"] = data["schedule"]
    body["safety_check"] = data.get("safety_check", False)
    body["source_refs"] = list(data.get("source_refs") or ())
    if data.get("preview"):
        body["preview"] = data["preview"]
    body["lint"] = [{"field": rule["field"], "words": list(rule["words"]), "message": rule["message"]}
                    for rule in data.get("lint") or ()]
    body["suggestions"] = [{"field": rule["field"], "in": list(rule["values"]),
                            "habits": list(rule.get("habits") or ()),
                            "worksheets": list(rule.get("worksheets") or ()), "text": rule["text"]}
                           for rule in data.get("suggestions") or ()]
    body["closing"] = data["closing"]
    body["sections"] = [_section_body(data, section) for section in data["sections"]]
    return body


def _section_body(data: dict, section: dict) -> dict:
    """A section with its scope and filled_by written out."""
    body = {key: section[key] for key in ("key", "title", "help", "example")}
    body["scope"] = section.get("scope") or _default_scope(data)
    body["filled_by"] = section.get("filled_by") or "author"
    if section.get("locked_until"):
        body["locked_until"] = section["locked_until"]
    body["fields"] = [_field_body(each) for each in section["fields"]]
    return body


def _field_body(each: dict) -> dict:
    """A field with what applies to its type written out."""
    kind = each["type"]
    body = {"key": each["key"], "type": kind, "label": each["label"], "required": each.get("required", False)}
    if each.get("help"):
        body["help"] = each["help"]
    if kind in OPTION_TYPES:
        body["options"] = [{"key": option["key"], "label": option["label"]} for option in each["options"]]
    if kind == "scale":
        scale = each.get("scale") or {"min": SCALE[0], "max": SCALE[1]}
        body["scale"] = {"min": scale["min"], "max": scale["max"], "min_label": scale.get("min_label", ""),
                         "max_label": scale.get("max_label", "")}
    if "default" in each:
        body["default"] = each["default"]
    if each.get("show_if"):
        body["show_if"] = {"field": each["show_if"]["field"], "in": list(each["show_if"]["values"])}
    if kind in TEXT_TYPES:
        body["max_length"] = each.get("max_length", MAX_LENGTH[kind])
    return body


def canonical(body: dict) -> str:
    """The body as one JSON text, keys sorted: what the digest is taken of."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _worksheet(body: dict, text: str) -> Worksheet:
    """The frozen Worksheet of a normalised body."""
    sections = tuple(
        Section(key=section["key"], title=section["title"], help=section["help"], example=section["example"],
                scope=section["scope"], filled_by=section["filled_by"],
                locked_until=section.get("locked_until"),
                fields=tuple(_field(each) for each in section["fields"]))
        for section in body["sections"])
    return Worksheet(
        key=body["key"], version=body["version"], title=body["title"], intro=body["intro"],
        mode=body["mode"], est_minutes=body["est_minutes"], repeatable=body["repeatable"],
        schedule=body.get("schedule"), safety_check=body["safety_check"],
        source_refs=tuple(body["source_refs"]), preview=body.get("preview"),
        lint=tuple(Lint(rule["field"], tuple(rule["words"]), rule["message"]) for rule in body["lint"]),
        suggestions=tuple(Suggestion(rule["field"], tuple(rule["in"]), tuple(rule["habits"]),
                                     tuple(rule["worksheets"]), rule["text"])
                          for rule in body["suggestions"]),
        closing=body["closing"], sections=sections, body=body,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


def _field(body: dict) -> Field:
    """The frozen Field of a normalised field."""
    scale = body.get("scale")
    show_if = body.get("show_if")
    return Field(
        key=body["key"], type=body["type"], label=body["label"], required=body["required"],
        help=body.get("help", ""),
        options=tuple(Option(option["key"], option["label"], option["key"] == OTHER)
                      for option in body.get("options", ())),
        scale=Scale(scale["min"], scale["max"], scale["min_label"], scale["max_label"]) if scale else None,
        default=body.get("default"),
        show_if=ShowIf(show_if["field"], tuple(show_if["in"])) if show_if else None,
        max_length=body.get("max_length", 0))


# -- loading ------------------------------------------------------------------------------------


def _place(path: tuple, data=None) -> str:
    """``sections[2].fields[0].type``: list indexes in brackets, names joined by dots."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _check(data, *, habit_keys: frozenset[str] | None = None,
           worksheet_keys: frozenset[str] | None = None) -> tuple[dict | None, list[tuple[tuple, str]]]:
    """The normalised body of raw definition data, or the (place, message) problems.

    The schema's problems come first; the checks across sections run once the schema is satisfied.
    """
    try:
        loaded = WorksheetSchema().load(data)
    except ValidationError as error:
        return None, list(word_files.flatten(error.normalized_messages()))
    problems = _Checker(loaded, habit_keys, worksheet_keys).run()
    return (None, problems) if problems else (_body(loaded), [])


def _habit_keys(path: Path = HABITS_FILE) -> frozenset[str]:
    """The habit keys of a habits file, read as plain YAML (the homework feature checks the file itself)."""
    data, _ = word_files.read_yaml(path)
    habits = data.get("habits") if isinstance(data, dict) else None
    return frozenset(habit["key"] for habit in habits or () if isinstance(habit, dict)
                     and isinstance(habit.get("key"), str))


def definition_files(folder: Path | str | None = None) -> list[Path]:
    """Every worksheet definition in a folder (worksheets/ by default), by name."""
    return sorted(path for path in Path(folder or WORKSHEETS).glob("*.yaml")
                  if path.name not in NOT_WORKSHEETS)


def _read(path: Path, habit_keys: frozenset[str],
          worksheet_keys: frozenset[str]) -> tuple[Worksheet | None, list[str]]:
    """A definition file, or its problems as lines naming the file."""
    data, problems = word_files.read_yaml(path)
    body = None
    if not problems:
        body, problems = _check(data, habit_keys=habit_keys, worksheet_keys=worksheet_keys)
    if body is not None and body["key"] != path.stem:
        problems = [(("key",), MESSAGES["file_key"].format(stem=path.stem))]
    if problems:
        return None, word_files.problem_lines(path, problems, where=_place)
    text = canonical(body)
    return _worksheet(body, text), []


def load_file(path: Path | str, *, habits_path: Path | str | None = None) -> Worksheet:
    """Load and check one definition file; its key must be its file name. Raise DefinitionError.

    Suggestions may name the worksheets of its own folder and the shipped ones.
    """
    path = Path(path)
    keys = frozenset(each.stem for each in definition_files(path.parent) + definition_files())
    loaded, problems = _read(path, _habit_keys(Path(habits_path or HABITS_FILE)), keys)
    if problems:
        raise DefinitionError(problems)
    return loaded


def load_folder(folder: Path | str | None = None) -> dict[str, Worksheet]:
    """Every definition in a folder (worksheets/ by default), by key; raise DefinitionError naming all.

    Suggestions may name the folder's habits.yaml (the shipped one when the folder has none) and
    its worksheets.
    """
    folder = Path(folder or WORKSHEETS)
    files = definition_files(folder)
    habits = folder / "habits.yaml"
    habit_keys = _habit_keys(habits if habits.exists() else HABITS_FILE)
    keys = frozenset(path.stem for path in files)
    library: dict[str, Worksheet] = {}
    problems: list[str] = []
    for path in files:
        loaded, found = _read(path, habit_keys, keys)
        problems += found
        if loaded is not None:
            library[loaded.key] = loaded
    if problems:
        raise DefinitionError(problems)
    return library


def from_body(body: dict) -> Worksheet:
    """The Worksheet of a stored snapshot (an older version from the database); raise DefinitionError.

    The body is checked as a file is, except that the habits and worksheets its suggestions name
    are not looked up (they may have changed since). Rebuilt once per digest.
    """
    text = canonical(body)
    return _from_canonical(hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


@lru_cache(maxsize=256)
def _from_canonical(digest: str, text: str) -> Worksheet:
    """from_body's work, kept by digest."""
    data = json.loads(text)
    body, problems = _check(data)
    if problems:
        name = f"stored {data.get('key')} v{data.get('version')}" if isinstance(data, dict) else "stored body"
        raise DefinitionError(f"{name}: {_place(place)}: {message}" if place else f"{name}: {message}"
                              for place, message in problems)
    return _worksheet(body, canonical(body))


# -- the app ------------------------------------------------------------------------------------


def init_app(app: Flask, folder: Path | str | None = None) -> None:
    """Load every definition once at start-up and keep them on the app; a broken file stops the start."""
    app.extensions[EXTENSION] = load_folder(folder)


def library() -> dict[str, Worksheet]:
    """The current app's worksheets, key -> current version."""
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError(MESSAGES["not_loaded"]) from None


def get(key: str) -> Worksheet | None:
    """The current version of a worksheet, or None."""
    return library().get(key)


# -- answers ------------------------------------------------------------------------------------


def _empty(value) -> bool:
    """Nothing written: None, blank text, an empty list."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()


def _whole_number(value) -> int | None:
    """An int, or digits from a form; None for anything else (bools and floats included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,9}\s*", value):
        return int(value)
    return None


class _Answer(fields.Field):
    """An answer field: serialised as stored, deserialised by ``clean`` with one message on failure."""

    def __init__(self, message: str, **kwargs):
        self.message = message
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        cleaned = self.clean(value)
        if cleaned is None:
            raise ValidationError(self.message)
        return cleaned

    def clean(self, value):
        """The stored value, or None when ``value`` is not an answer to this field."""
        raise NotImplementedError


class _Key(_Answer):
    """One key from a fixed set."""

    def __init__(self, keys: Iterable[str], message: str, **kwargs):
        self.keys = frozenset(keys)
        super().__init__(message, **kwargs)

    def clean(self, value):
        return value if isinstance(value, str) and value in self.keys else None


class _Keys(_Answer):
    """Distinct keys from a fixed set."""

    def __init__(self, keys: Iterable[str], **kwargs):
        self.keys = frozenset(keys)
        super().__init__(ANSWER_MESSAGES["choices"], **kwargs)

    def clean(self, value):
        if not isinstance(value, list | tuple) or not all(isinstance(each, str) and each in self.keys
                                                           for each in value):
            return None
        if len(set(value)) != len(value):
            raise ValidationError(ANSWER_MESSAGES["choices_twice"])
        return list(value)


class _Number(_Answer):
    """A whole number in a range; digits from a form are read as one."""

    def __init__(self, low: int, high: int, message: str, **kwargs):
        self.low, self.high = low, high
        super().__init__(message.format(min=low, max=high), **kwargs)

    def clean(self, value):
        number = _whole_number(value)
        return number if number is not None and self.low <= number <= self.high else None


class _Date(_Answer):
    """A date written YYYY-MM-DD, kept as that text."""

    def __init__(self, **kwargs):
        super().__init__(ANSWER_MESSAGES["date"], **kwargs)

    def clean(self, value):
        return _iso_date(value.strip()) if isinstance(value, str) else None


class _DateTime(_Answer):
    """A local date and time written YYYY-MM-DDTHH:MM (seconds dropped), kept as that text."""

    def __init__(self, **kwargs):
        super().__init__(ANSWER_MESSAGES["datetime"], **kwargs)

    def clean(self, value):
        return _iso_datetime(value.strip()) if isinstance(value, str) else None


class _HabitReview(_Answer):
    """Rows of {habit, rating 1-5, decision keep/adjust/pause}; rating and decision may wait."""

    def __init__(self, **kwargs):
        super().__init__(ANSWER_MESSAGES["review"], **kwargs)

    def clean(self, value):
        if not isinstance(value, list | tuple):
            return None
        if len(value) > REVIEW_ROWS:
            raise ValidationError(ANSWER_MESSAGES["review_rows"])
        rows = []
        for number, row in enumerate(value, start=1):
            if not isinstance(row, Mapping):
                return None
            problem = self.row_problem(row)
            if problem:
                raise ValidationError(ANSWER_MESSAGES["review_row"].format(row=number, problem=problem))
            cleaned = {"habit": row["habit"].strip()}
            if not _empty(row.get("rating")):
                cleaned["rating"] = _whole_number(row["rating"])
            if not _empty(row.get("decision")):
                cleaned["decision"] = row["decision"]
            rows.append(cleaned)
        return rows

    @staticmethod
    def row_problem(row: Mapping) -> str | None:
        """What is wrong with one row, or None."""
        if set(row) - {"habit", "rating", "decision"}:
            return ANSWER_MESSAGES["review_unknown"]
        habit = row.get("habit")
        if (not isinstance(habit, str) or not habit.strip() or len(habit.strip()) > REVIEW_HABIT_LENGTH
                or without_control_characters(habit) != habit):
            return ANSWER_MESSAGES["review_habit"]
        if not _empty(row.get("rating")):
            rating = _whole_number(row["rating"])
            if rating is None or not RATING[0] <= rating <= RATING[1]:
                return ANSWER_MESSAGES["review_rating"]
        if not _empty(row.get("decision")) and row["decision"] not in DECISIONS:
            return ANSWER_MESSAGES["review_decision"]
        return None


def _answer_field(each: Field, words: Words, habit_keys: frozenset[str]) -> fields.Field:
    """The marshmallow field for one question's answer."""
    kind = each.type
    if kind in TEXT_TYPES:
        return Text(max_length=each.max_length, single_line=kind == "text",
                    error_messages={"invalid": ANSWER_MESSAGES["text"]})
    if kind == "choice":
        return _Key((option.key for option in each.options), ANSWER_MESSAGES["choice"])
    if kind in ("multichoice", "checklist"):
        return _Keys(option.key for option in each.options)
    if kind == "scale":
        return _Number(each.scale.min, each.scale.max, ANSWER_MESSAGES["range"])
    if kind == "number":
        return _Number(*NUMBER, ANSWER_MESSAGES["number"])
    if kind == "minutes":
        return _Number(*MINUTES, ANSWER_MESSAGES["minutes"])
    if kind == "date":
        return _Date()
    if kind == "datetime":
        return _DateTime()
    if kind == "feeling_word":
        return _Key(words.feeling_keys, ANSWER_MESSAGES["feeling"])
    if kind == "need_word":
        return _Key(words.need_keys, ANSWER_MESSAGES["need"])
    if kind == "habit_ref":
        return _Key(habit_keys | {OTHER}, ANSWER_MESSAGES["habit"])
    return _HabitReview()


def _chose_other(value) -> bool:
    """Whether an answer is, or includes, "other"."""
    return value == OTHER or (isinstance(value, list) and OTHER in value)


def _shows(each: Field, answers: Mapping, visible: set[str]) -> bool:
    """Whether a field shows, given the answers and which earlier fields show."""
    if each.show_if is None:
        return True
    if each.show_if.field not in visible:
        return False
    value = answers.get(each.show_if.field)
    chosen = value if isinstance(value, list | tuple) else [value]
    return any(choice in each.show_if.values for choice in chosen)


def visible_fields(section: Section, answers: Mapping) -> tuple[Field, ...]:
    """The fields that show, show_if read against the answers (a field under a hidden field is hidden)."""
    visible: set[str] = set()
    shown = []
    for each in section.fields:
        if _shows(each, answers, visible):
            visible.add(each.key)
            shown.append(each)
    return tuple(shown)


def _missing(section: Section, answers: Mapping) -> dict[str, str]:
    """{key: message} for every visible required field left empty and every "other" without its words."""
    missing = {}
    for each in visible_fields(section, answers):
        value = answers.get(each.key)
        if each.required and _empty(value):
            missing[each.key] = ANSWER_MESSAGES["required"]
        if each.takes_other and _chose_other(value) and _empty(answers.get(each.other_key)):
            missing[each.other_key] = ANSWER_MESSAGES["other_words"]
    return missing


def finished(section: Section, answers: Mapping) -> bool:
    """Every visible required field answered (and every chosen "other" has its words)."""
    return not _missing(section, answers)


class AnswersSchema(Schema):
    """A section's answers, ``{field_key: value}``; the generated subclasses say which section."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": ANSWER_MESSAGES["unknown"], "type": ANSWER_MESSAGES["mapping"]}
    section: Section
    submit: bool

    def load(self, data, **kwargs):
        """The cleaned answers: empties dropped; on submit, required ones checked and hidden ones dropped."""
        if not isinstance(data, Mapping):
            raise ValidationError({"_schema": [ANSWER_MESSAGES["mapping"]]})
        given = {key: value for key, value in data.items() if not _empty(value)}
        errors: dict = {}
        try:
            cleaned = super().load(given, **kwargs)
        except ValidationError as error:
            errors = dict(error.normalized_messages())
            cleaned = dict(error.valid_data or {})
        cleaned = {key: value for key, value in cleaned.items() if not _empty(value)}
        for each in self.section.fields:
            if each.takes_other and each.other_key in cleaned and not _chose_other(cleaned.get(each.key)) \
                    and each.key not in errors:
                errors[each.other_key] = [ANSWER_MESSAGES["other_not_chosen"]]
        if self.submit:
            for key, message in _missing(self.section, cleaned).items():
                errors.setdefault(key, [message])
            visible = {each.key for each in visible_fields(self.section, cleaned)}
            kept = visible | {each.other_key for each in self.section.fields if each.key in visible}
            cleaned = {key: value for key, value in cleaned.items() if key in kept}
        if errors:
            raise ValidationError(errors, data=data, valid_data=cleaned)
        return cleaned

    def validate(self, data, **kwargs) -> dict:
        """The messages ``load`` would raise, or {} (marshmallow's own would skip the checks above)."""
        try:
            self.load(data, **kwargs)
        except ValidationError as error:
            return error.normalized_messages()
        return {}


@lru_cache(maxsize=512)
def _answers_class(section: Section, words: Words, habit_keys: frozenset[str], submit: bool) -> type[Schema]:
    """One schema class per section, words, habits and mode.

    The fields are declared under made-up names and read and written under their keys, so a field
    keyed like a Schema method (``load``, ``validate``) cannot hide it.
    """
    declared: dict[str, fields.Field] = {}
    for each in section.fields:
        declared[f"answer_{len(declared)}"] = _answer_field(each, words, habit_keys)
        if each.takes_other:
            declared[f"answer_{len(declared)}"] = Text(max_length=OTHER_LENGTH, single_line=True,
                                                       error_messages={"invalid": ANSWER_MESSAGES["text"]})
    keys = [key for each in section.fields for key in (each.key, each.other_key)[:1 + each.takes_other]]
    for name, key in zip(declared, keys, strict=True):
        declared[name].data_key = key
        declared[name].attribute = key
    schema = AnswersSchema.from_dict(declared, name=f"{section.key.title().replace('_', '')}Answers")
    schema.section = section
    schema.submit = submit
    return schema


def answers_schema(section: Section, *, words: Words, habit_choices: Iterable[Sequence[str]] = (),
                   submit: bool) -> Schema:
    """The schema a section's answers are loaded with: a draft (``submit=False``) or a submission.

    ``habit_choices`` are the (key, label) pairs a habit_ref field may name, besides "other".
    """
    habit_keys = frozenset(choice[0] for choice in habit_choices)
    return _answers_class(section, words, habit_keys, submit)()


def form_answers(section: Section, form) -> dict:
    """The raw answers of an HTML form posted without JavaScript, for answers_schema to load.

    Inputs are named ``<section>-<field>`` (and ``<section>-<field>_other``); multichoice and
    checklist use every value of their name; habit_review rows are ``<section>-<field>-<i>-habit``,
    ``-rating`` and ``-decision``. Blank strings are dropped; numbers stay text for the schema.
    """
    answers: dict = {}
    for each in section.fields:
        name = f"{section.key}-{each.key}"
        if each.type in ("multichoice", "checklist"):
            values = [value for value in _every_value(form, name) if not _empty(value)]
            if values:
                answers[each.key] = values
        elif each.type == "habit_review":
            rows = _review_rows(name, form)
            if rows:
                answers[each.key] = rows
        else:
            value = form.get(name)
            if not _empty(value):
                answers[each.key] = value
        if each.takes_other and not _empty(form.get(f"{name}_{OTHER}")):
            answers[each.other_key] = form.get(f"{name}_{OTHER}")
    return answers


def _every_value(form, name: str) -> list:
    """Every value posted under a name: a MultiDict's getlist, or a plain mapping's value or list."""
    if hasattr(form, "getlist"):
        return form.getlist(name)
    value = form.get(name)
    return list(value) if isinstance(value, list | tuple) else ([] if value is None else [value])


def _review_rows(name: str, form) -> list[dict]:
    """habit_review rows from ``<name>-<i>-habit|rating|decision`` inputs in row order, blanks dropped."""
    pattern = re.compile(re.escape(name) + r"-([0-9]{1,3})-(habit|rating|decision)")
    rows: dict[int, dict] = {}
    for key in form:
        match = pattern.fullmatch(key)
        if match and not _empty(form.get(key)):
            rows.setdefault(int(match[1]), {})[match[2]] = form.get(key)
    return [rows[index] for index in sorted(rows)]


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (Jan 31 -> Feb 28)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def resolve_default(each: Field, today: date, now: datetime) -> str | None:
    """A field's default as an answer: tokens worked out, literal text as written."""
    if each.default is None:
        return None
    if each.type == "date":
        match = DATE_TOKEN.fullmatch(each.default)
        if not match:
            return each.default
        count, unit = int(match[1] or 0), match[2]
        if unit == "m":
            return _add_months(today, count).isoformat()
        return (today + timedelta(days=count * (7 if unit == "w" else 1))).isoformat()
    if each.type == "datetime" and each.default == NOW:
        return now.strftime("%Y-%m-%dT%H:%M")
    return each.default


def default_answers(section: Section, today: date, now: datetime) -> dict:
    """A new section's answers: each visible field's default, worked out for today and now."""
    answers = {each.key: resolve_default(each, today, now)
               for each in section.fields if each.default is not None}
    visible = {each.key for each in visible_fields(section, answers)}
    return {key: value for key, value in answers.items() if key in visible}


# -- what the answers add up to -----------------------------------------------------------------


def _shown_answer(each: Field, answers: Mapping, words: Words | None,
                  habit_choices: Mapping[str, str]) -> str:
    """An answer as a sentence shows it: words for keys, the person's own words for "other"."""
    value = answers.get(each.key)
    if _empty(value):
        return UNANSWERED
    own = answers.get(each.other_key)

    def word(key: str) -> str:
        if key == OTHER and each.takes_other:
            return own.strip() if isinstance(own, str) and own.strip() else UNANSWERED
        if each.type == "feeling_word" and words is not None:
            found = words.feeling(key)
            return found.text if found else key
        if each.type == "need_word" and words is not None:
            found = words.need(key)
            return found.text if found else key
        if each.type == "habit_ref":
            return habit_choices.get(key, key)
        option = each.option(key)
        return option.label if option else str(key)

    if each.type == "habit_review":
        return ", ".join(str(row.get("habit", "")) for row in value if isinstance(row, Mapping)) or UNANSWERED
    if isinstance(value, list | tuple):
        return ", ".join(word(item) for item in value)
    if each.type in ("choice", "feeling_word", "need_word", "habit_ref"):
        return word(value)
    return str(value).strip()


def preview(worksheet: Worksheet, answers_by_section: Mapping[str, Mapping], words: Words | None = None, *,
            habit_choices: Iterable[Sequence[str]] = ()) -> str | None:
    """The worksheet's preview sentence with the answers put in ("…" for what is not answered yet)."""
    if worksheet.preview is None:
        return None
    labels = {choice[0]: choice[1] for choice in habit_choices}

    def fill(match: re.Match) -> str:
        found = worksheet.find(match[1])
        if found is None:
            return UNANSWERED
        section, each = found
        return _shown_answer(each, answers_by_section.get(section.key) or {}, words, labels)

    return PLACEHOLDER.sub(fill, worksheet.preview)


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern:
    """A word or phrase as a whole word, any case, any spacing between a phrase's words."""
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(part) for part in word.split()) + r"(?!\w)",
                      re.IGNORECASE)


def lint(worksheet: Worksheet, answers_by_section: Mapping[str, Mapping]) -> list[dict]:
    """Gentle notes on words in text answers (whole words, any case); they never stop a save."""
    notes = []
    for rule in worksheet.lint:
        found = worksheet.find(rule.field)
        if found is None:
            continue
        section, each = found
        value = (answers_by_section.get(section.key) or {}).get(each.key)
        if not isinstance(value, str):
            continue
        for word in rule.words:
            if _word_pattern(word).search(value):
                notes.append({"section": section.key, "field": each.key, "word": word,
                              "message": rule.message})
    return notes


def suggestions(worksheet: Worksheet, answers_by_section: Mapping[str, Mapping]) -> tuple[Suggestion, ...]:
    """The suggestions whose field's answer includes one of their values, in definition order."""
    chosen = []
    for rule in worksheet.suggestions:
        found = worksheet.find(rule.field)
        if found is None:
            continue
        section, each = found
        value = (answers_by_section.get(section.key) or {}).get(each.key)
        picked = value if isinstance(value, list | tuple) else [value]
        if any(item in rule.values for item in picked):
            chosen.append(rule)
    return tuple(chosen)
