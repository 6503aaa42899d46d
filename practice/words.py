"""The feeling and need words, and the YAML reading every data file in worksheets/ shares.

``worksheets/feelings.yaml`` (CONTENT.md §1) goes through the marshmallow schema below and becomes
a frozen :class:`Words` kept on the app. Habit logs and worksheet answers store the word keys; the
words shown come from here. The habit catalogue (practice/homework/catalogue.py) and the worksheet
definitions (practice/worksheets/definitions.py) read their files with the same helpers, so every
problem reads the same way: the file, then the path inside it, then what is wrong, e.g.
``worksheets/feelings.yaml: feelings.glad.words.proud: must not be blank``.

This is the core: it imports no feature package.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import Flask, current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from practice.fields import Text

#: Where the loaded words are kept on the app.
EXTENSION = "securebase.words"
#: The repository's worksheets/ folder (data, never imported), found from this file.
WORKSHEETS = Path(__file__).resolve().parents[1] / "worksheets"
FEELINGS_FILE = WORKSHEETS / "feelings.yaml"
#: The word key that opens a text box for a person's own word; both lists must have it.
OTHER = "other"
#: Keys are stored with people's data: snake_case, short.
KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
KEY_LENGTH = 40
#: libyaml's safe loader when PyYAML was built with it (ten times quicker; every app start reads the files).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Every message in one place, so they can go through gettext once Flask-Babel is wired.
MESSAGES = {
    "required": "is missing",
    "null": "must have a value",
    "unknown": "is not a field here",
    "mapping": "must be a mapping of fields",
    "list": "must be a list",
    "text": "must be text",
    "blank": "must not be blank",
    "number": "must be a whole number",
    "bool": "must be true or false",
    "key": f"must be snake_case, like daily_checkin, at most {KEY_LENGTH} characters",
    "no_words": "must list at least one word",
    "word_twice": 'is also a word in "{other}"',
    "other": f'must include "{OTHER}" (it opens a text box for a person\'s own word)',
    "empty": "is empty",
    "unreadable": "cannot be read: {reason}",
    "yaml": "line {line}: not valid YAML: {problem}",
    "yaml_key_twice": "is written twice (lines {first} and {line})",
    "not_loaded": "The feeling and need words are not loaded: call practice.words.init_app(app).",
}


class WordsError(Exception):
    """A word file the app cannot use; each line names the file and the place in it."""

    def __init__(self, problems: list[str]):
        #: One line per problem, e.g. ``worksheets/feelings.yaml: needs: must include "other" ...``.
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Word:
    """A feeling or need word: the key that is stored and the word that is shown."""

    key: str
    text: str


@dataclass(frozen=True)
class FeelingFamily:
    """Feeling words shown together under one heading (glad, close, sad, afraid, angry, hurt, other)."""

    key: str
    title: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Words:
    """The feeling words by family and the need words, in file order."""

    feelings: tuple[FeelingFamily, ...]
    needs: tuple[Word, ...]

    @property
    def feeling_keys(self) -> frozenset[str]:
        """Every feeling word key a log or answer may store, ``other`` included."""
        return frozenset(word.key for family in self.feelings for word in family.words)

    @property
    def need_keys(self) -> frozenset[str]:
        """Every need word key an answer may store, ``other`` included."""
        return frozenset(word.key for word in self.needs)

    def feeling(self, key: str) -> Word | None:
        """The feeling word stored as this key, or None."""
        return next((word for family in self.feelings for word in family.words if word.key == key), None)

    def need(self, key: str) -> Word | None:
        """The need word stored as this key, or None."""
        return next((word for word in self.needs if word.key == key), None)


# -- fields every data file uses ----------------------------------------------------------------

#: Marshmallow's own messages for the fields below, in the data files' words.
FIELD_ERRORS = {"required": MESSAGES["required"], "null": MESSAGES["null"]}


class Key(fields.String):
    """A snake_case key (it is stored with people's data).

    ``message`` names an example that suits the file; ``not_text`` is said of anything that is not
    a string, e.g. a bare ``yes`` that YAML reads as true.
    """

    def __init__(self, *, message: str = MESSAGES["key"], not_text: str = MESSAGES["text"], **kwargs):
        self.message = message
        self.not_text = not_text
        super().__init__(validate=self._check, error_messages={**FIELD_ERRORS, "invalid": MESSAGES["text"]},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(self.not_text)
        return super()._deserialize(value, attr, data, **kwargs)

    def _check(self, value: str) -> None:
        """Snake_case and short."""
        if len(value) > KEY_LENGTH or not KEY.fullmatch(value):
            raise ValidationError(self.message)


class Wording(Text):
    """Words shown to people: trimmed, not blank, no control characters."""

    def __init__(self, *, max_length: int, single_line: bool = True, **kwargs):
        super().__init__(max_length=max_length, single_line=single_line,
                         error_messages={**FIELD_ERRORS, "invalid": MESSAGES["text"]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise ValidationError(MESSAGES["blank"])
        return text


class Number(fields.Integer):
    """A whole number written as one (not "3", 3.5 or true)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, error_messages={**FIELD_ERRORS, "invalid": MESSAGES["number"]},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError(MESSAGES["number"])
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """true or false, nothing that merely looks like one."""

    def __init__(self, **kwargs):
        super().__init__(error_messages=FIELD_ERRORS, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(MESSAGES["bool"])
        return value


class StrictSchema(Schema):
    """Unknown fields refused, messages in the data files' words."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": MESSAGES["unknown"], "type": MESSAGES["mapping"]}


# -- feelings.yaml ------------------------------------------------------------------------------


class FamilySchema(StrictSchema):
    """A family of feeling words: its heading and ``key: word`` entries."""

    title = Wording(max_length=40, required=True)
    words = fields.Dict(keys=Key(), values=Wording(max_length=40), required=True,
                        validate=validate.Length(min=1, error=MESSAGES["no_words"]),
                        error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})


class FeelingsFileSchema(StrictSchema):
    """feelings.yaml: ``feelings:`` by family and ``needs:``, each word key once, both with ``other``."""

    feelings = fields.Dict(keys=Key(), values=fields.Nested(FamilySchema), required=True,
                           validate=validate.Length(min=1, error=MESSAGES["no_words"]),
                           error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})
    needs = fields.Dict(keys=Key(), values=Wording(max_length=40), required=True,
                        validate=validate.Length(min=1, error=MESSAGES["no_words"]),
                        error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})

    @validates_schema
    def check_words(self, data, **kwargs):
        """A log stores a bare feeling key, so a key may be in one family only."""
        errors: dict = {}
        family_of: dict[str, str] = {}
        for family, content in data["feelings"].items():
            for key in content["words"]:
                if key in family_of:
                    message = MESSAGES["word_twice"].format(other=family_of[key])
                    errors.setdefault("feelings", {}).setdefault(family, {}).setdefault("words", {})[key] = [
                        message]
                family_of.setdefault(key, family)
        if OTHER not in family_of and "feelings" not in errors:
            errors["feelings"] = [MESSAGES["other"]]
        if OTHER not in data["needs"]:
            errors["needs"] = [MESSAGES["other"]]
        if errors:
            raise ValidationError(errors)


# -- reading the files --------------------------------------------------------------------------

#: A place inside a file: keys and list indexes from the top, e.g. ("sections", 2, "fields", 0, "type").
Where = tuple


def shown(path: Path, root: Path | None = None) -> str:
    """The file as a message names it: relative to the repository (``root``) when inside it."""
    try:
        return str(Path(path).resolve().relative_to(root or WORKSHEETS.parent))
    except ValueError:
        return str(path)


def keys_written_twice(node: yaml.Node, path: Where = ()) -> Iterator[tuple[Where, str]]:
    """(path, message) for each key written twice in one mapping: YAML would keep the last silently."""
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            line = key_node.start_mark.line + 1
            if key in first_line:
                yield (*path, key), MESSAGES["yaml_key_twice"].format(first=first_line[key], line=line)
            first_line.setdefault(key, line)
            yield from keys_written_twice(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from keys_written_twice(item, (*path, index))


def read_yaml(path: Path) -> tuple[object, list[tuple[Where, str]]]:
    """The file's data through the safe loader (as yaml.safe_load), and (path, message) problems."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return None, [((), MESSAGES["unreadable"].format(reason=reason))]
    # yaml.safe_load is SafeLoader(text).get_single_data(); split in two to look at the nodes first.
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [((), MESSAGES["empty"])]
        return loader.construct_document(node), list(keys_written_twice(node))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        return None, [((), MESSAGES["yaml"].format(line=mark.line + 1 if mark else "?", problem=problem))]
    finally:
        loader.dispose()


def flatten(messages, path: Where = ()) -> Iterator[tuple[Where, str]]:
    """(path, message) pairs from marshmallow's nested messages; a Dict value's own level is skipped."""
    if isinstance(messages, dict):
        for name, inner in messages.items():
            yield from flatten(inner, path if name in ("_schema", "value") else (*path, name))
    elif isinstance(messages, list):
        for inner in messages:
            yield from flatten(inner, path)
    else:
        yield path, str(messages)


def dotted(path: Where, data=None) -> str:
    """``feelings.glad.words.proud``: a place in a file as the messages name it."""
    return ".".join(str(part) for part in path)


def problem_lines(path: Path, problems: list[tuple[Where, str]], data=None, *,
                  where: Callable[[Where, object], str] = dotted, root: Path | None = None) -> list[str]:
    """One line per problem: the file's name, the place in it (when there is one), what is wrong."""
    name = shown(path, root)
    return [f"{name}: {where(place, data)}: {message}" if place else f"{name}: {message}"
            for place, message in problems]


def load_yaml(path: Path, schema: Schema, *, where: Callable[[Where, object], str] = dotted,
              root: Path | None = None) -> tuple[object, list[str]]:
    """A file loaded by its schema, or its problems, each line starting with the file's name."""
    data, problems = read_yaml(path)
    if not problems:
        try:
            return schema.load(data), []
        except ValidationError as error:
            problems = list(flatten(error.normalized_messages()))
    return None, problem_lines(path, problems, data, where=where, root=root)


def read_words(path: Path | str | None = None, *, root: Path | None = None) -> tuple[Words | None, list[str]]:
    """The words of a feelings file (the shipped one by default), or None and its problems."""
    loaded, problems = load_yaml(Path(path or FEELINGS_FILE), FeelingsFileSchema(), root=root)
    if problems:
        return None, problems
    families = tuple(
        FeelingFamily(key, family["title"], tuple(Word(*item) for item in family["words"].items()))
        for key, family in loaded["feelings"].items())
    return Words(feelings=families, needs=tuple(Word(*item) for item in loaded["needs"].items())), []


def load_words(path: Path | str | None = None) -> Words:
    """Load and check a feelings file (the shipped one by default); raise WordsError."""
    loaded, problems = read_words(path)
    if problems:
        raise WordsError(problems)
    return loaded


# -- the app ------------------------------------------------------------------------------------


def init_app(app: Flask, path: Path | str | None = None) -> None:
    """Load the words once at start-up and keep them on the app; a broken file stops the start."""
    app.extensions[EXTENSION] = load_words(path)


def words() -> Words:
    """The current app's feeling and need words."""
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError(MESSAGES["not_loaded"]) from None
