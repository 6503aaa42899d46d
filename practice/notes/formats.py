"""Session note formats as data: DAP, SOAP, BIRP and free form, from ``worksheets/note_formats.yaml``.

The file goes through the marshmallow schema below (the same readers and messages as every data
file in worksheets/, practice/words.py) and becomes frozen dataclasses kept on the app. A broken
file stops the app with a :class:`FormatsError` whose lines name the file and the place in it, e.g.
``worksheets/note_formats.yaml: formats.dap.sections[1].prompt: must not be blank``.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from marshmallow import ValidationError, fields, validate, validates_schema

from practice.words import (
    FIELD_ERRORS,
    MESSAGES,
    WORKSHEETS,
    Key,
    StrictSchema,
    Wording,
    load_yaml,
)

#: Where the loaded formats are kept on the app.
EXTENSION = "securebase.note_formats"
FORMATS_FILE = WORKSHEETS / "note_formats.yaml"
#: A format's sections, at least one and at most this many.
MOST_SECTIONS = 8


class FormatsError(Exception):
    """A note formats file the app cannot use; each line names the file and the place in it."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class NoteSection:
    """One section of a note format: the key stored with the counselor's words, its title, its prompt."""

    key: str
    title: str
    prompt: str


@dataclass(frozen=True)
class NoteFormat:
    """A way to structure a session note (DAP, SOAP, BIRP, free form), in file order."""

    key: str
    title: str
    about: str
    sections: tuple[NoteSection, ...]

    def section(self, key: str) -> NoteSection | None:
        """The section with this key, or None."""
        return next((section for section in self.sections if section.key == key), None)


class SectionSchema(StrictSchema):
    """A section of a format."""

    key = Key(required=True)
    title = Wording(max_length=60, required=True)
    prompt = Wording(max_length=400, single_line=False, required=True)


class FormatSchema(StrictSchema):
    """A note format: its title, what it is for, its sections (keys used once)."""

    title = Wording(max_length=40, required=True)
    about = Wording(max_length=200, required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True,
                           validate=validate.Length(min=1, max=MOST_SECTIONS,
                                                    error=f"must list 1 to {MOST_SECTIONS} sections"),
                           error_messages={**FIELD_ERRORS, "invalid": MESSAGES["list"]})

    @validates_schema
    def _keys_once(self, data, **kwargs):
        """A section key is stored with the note: two sections may not share one."""
        seen: dict[str, int] = {}
        for number, section in enumerate(data.get("sections", [])):
            if section["key"] in seen:
                raise ValidationError({"sections": {number: {"key": [
                    f"is used twice, by sections #{seen[section['key']]} and #{number}"]}}})
            seen[section["key"]] = number


class FormatsFileSchema(StrictSchema):
    """The whole file: ``formats``, by key."""

    formats = fields.Dict(keys=Key(), values=fields.Nested(FormatSchema), required=True,
                          validate=validate.Length(min=1, error="must list at least one format"),
                          error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})


def _where(path, data=None) -> str:
    """``formats.dap.sections[1].prompt``: list items in brackets, as the other data files say them."""
    shown = ""
    for part in path:
        shown += f"[{part}]" if isinstance(part, int) else (f".{part}" if shown else str(part))
    return shown


def load_formats(path: Path | str | None = None) -> dict[str, NoteFormat]:
    """Load and check a note formats file (the shipped one by default); raise :class:`FormatsError`."""
    loaded, problems = load_yaml(Path(path or FORMATS_FILE), FormatsFileSchema(), where=_where)
    if problems:
        raise FormatsError(problems)
    return {key: NoteFormat(key, shape["title"], shape["about"],
                            tuple(NoteSection(**section) for section in shape["sections"]))
            for key, shape in loaded["formats"].items()}


def init_app(app: Flask, path: Path | str | None = None) -> None:
    """Load the formats once at start-up and keep them on the app; a broken file stops the start."""
    app.extensions[EXTENSION] = load_formats(path)


def formats() -> dict[str, NoteFormat]:
    """The current app's note formats, by key, in file order."""
    return current_app.extensions[EXTENSION]
