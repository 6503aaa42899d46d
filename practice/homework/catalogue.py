"""The habit catalogue and the feeling and need words: data in worksheets/, checked once at start-up.

``worksheets/habits.yaml`` and ``worksheets/feelings.yaml`` (CONTENT.md §1) go through the
marshmallow schemas below and become frozen dataclasses kept on the app. A broken file stops the
app with a :class:`CatalogueError` whose lines each name the file, the habit and the field, e.g.
``worksheets/habits.yaml: habit "connection_bids": frequency.max: must be at least min (3)``.
Logs and assignments store the keys; the words shown come from here.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import Flask, current_app
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from practice.fields import Text
from practice.homework.frequency import KINDS, PER, Frequency

#: Where the loaded catalogue is kept on the app.
EXTENSION = "securebase.habits"
#: The repository's worksheets/ folder, found from this file as practice/__init__.py finds ROOT.
WORKSHEETS = Path(__file__).resolve().parents[2] / "worksheets"
HABITS_FILE = WORKSHEETS / "habits.yaml"
FEELINGS_FILE = WORKSHEETS / "feelings.yaml"
#: What a habit may ask a partner to log (CONTENT.md §1).
LOG_FIELDS = ("done", "count", "minutes", "feeling", "note")
#: The word key that opens a text box for a person's own word; both lists must have it.
OTHER = "other"
#: Keys are stored with assignments, logs and answers: snake_case, short.
KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
KEY_LENGTH = 40
MINUTES = (1, 240)
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
    "kind": "must be one of " + ", ".join(KINDS),
    "min": "must be at least 1",
    "min_missing": "is missing: {kind} needs a target of at least 1",
    "max": "must be at least min ({min})",
    "n": "must be at least 2 (once a week is per_week)",
    "n_missing": "is missing: every_n_weeks needs n, the window in weeks",
    "not_for_kind": "does not apply to {kind}",
    "minutes": f"must be between {MINUTES[0]} and {MINUTES[1]}",
    "log_empty": "must list at least one of " + ", ".join(LOG_FIELDS),
    "log_field": "{value} is not a log field; choose from " + ", ".join(LOG_FIELDS),
    "log_twice": "lists {value} twice",
    "no_habits": "must list at least one habit",
    "no_words": "must list at least one word",
    "key_twice": "is used twice, by habits #{other} and #{this}",
    "word_twice": 'is also a word in "{other}"',
    "other": f'must include "{OTHER}" (it opens a text box for a person\'s own word)',
    "empty": "is empty",
    "unreadable": "cannot be read: {reason}",
    "yaml": "line {line}: not valid YAML: {problem}",
    "yaml_key_twice": "is written twice (lines {first} and {line})",
    "not_loaded": "The habit catalogue is not loaded: call practice.homework.catalogue.init_app(app).",
}


class CatalogueError(Exception):
    """A habit or word file the app cannot use; each line names the file, the habit and the field."""

    def __init__(self, problems: list[str]):
        #: One line per problem, e.g. ``worksheets/habits.yaml: habit "x": why: is missing``.
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Habit:
    """A micro-habit of the catalogue, as the assign page, the planner and the portal show it."""

    key: str
    title: str
    looks_like: str
    why: str
    frequency: Frequency
    #: What a partner logs, in the order the log form shows it: some of LOG_FIELDS.
    log: tuple[str, ...]
    #: False for the habits offered on request only (the † habits of CONTENT.md).
    suggested: bool
    #: The key of the worksheet that goes with the habit, e.g. repair_after_conflict.
    worksheet: str | None = None


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
class Catalogue:
    """The habits, the feeling words by family and the need words, in file order."""

    habits: tuple[Habit, ...]
    feelings: tuple[FeelingFamily, ...]
    needs: tuple[Word, ...]

    def suggested(self) -> tuple[Habit, ...]:
        """The habits offered by default when a counselor assigns one."""
        return tuple(habit for habit in self.habits if habit.suggested)

    def get(self, key: str) -> Habit | None:
        """The habit with this key, or None."""
        return next((habit for habit in self.habits if habit.key == key), None)

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


# -- fields -------------------------------------------------------------------------------------

#: Marshmallow's own messages for the fields below, in the catalogue's words.
FIELD_ERRORS = {"required": MESSAGES["required"], "null": MESSAGES["null"]}


def _check_key(value: str) -> None:
    """A key is snake_case and short, because it is stored with people's data."""
    if len(value) > KEY_LENGTH or not KEY.fullmatch(value):
        raise ValidationError(MESSAGES["key"])


class Key(fields.String):
    """A snake_case key."""

    def __init__(self, **kwargs):
        super().__init__(validate=_check_key, error_messages={**FIELD_ERRORS, "invalid": MESSAGES["text"]},
                         **kwargs)


class Words(Text):
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


def _check_log(values: list[str]) -> None:
    """A habit logs at least one thing, each a known log field, each once."""
    if not values:
        raise ValidationError(MESSAGES["log_empty"])
    for index, value in enumerate(values):
        if value not in LOG_FIELDS:
            raise ValidationError(MESSAGES["log_field"].format(value=value))
        if value in values[:index]:
            raise ValidationError(MESSAGES["log_twice"].format(value=value))


# -- schemas ------------------------------------------------------------------------------------


class StrictSchema(Schema):
    """Unknown fields refused, messages in the catalogue's words."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": MESSAGES["unknown"], "type": MESSAGES["mapping"]}


class FrequencySchema(StrictSchema):
    """``{type, min?, max?, n?, minutes?}`` with the rules of each type (frequency.py)."""

    type = fields.String(required=True, validate=validate.OneOf(KINDS, error=MESSAGES["kind"]),
                         error_messages={**FIELD_ERRORS, "invalid": MESSAGES["text"]})
    min = Number()
    #: Left out or null: "at least min".
    max = Number(allow_none=True)
    n = Number()
    minutes = Number(validate=validate.Range(*MINUTES, error=MESSAGES["minutes"]))

    @validates_schema
    def check_target(self, data, **kwargs):
        """per_* need min >= 1 and max >= min; every_n_weeks needs n >= 2; as_needed has no target."""
        kind = data["type"]
        errors: dict[str, list[str]] = {}
        if kind in PER:
            if "min" not in data:
                errors["min"] = [MESSAGES["min_missing"].format(kind=kind)]
            elif data["min"] < 1:
                errors["min"] = [MESSAGES["min"]]
            elif data.get("max") is not None and data["max"] < data["min"]:
                errors["max"] = [MESSAGES["max"].format(min=data["min"])]
            not_here = ("n",)
        elif kind == "every_n_weeks":
            if "n" not in data:
                errors["n"] = [MESSAGES["n_missing"]]
            elif data["n"] < 2:
                errors["n"] = [MESSAGES["n"]]
            not_here = ("min", "max")
        else:
            not_here = ("min", "max", "n")
        for name in not_here:
            if name in data:
                errors[name] = [MESSAGES["not_for_kind"].format(kind=kind)]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make_frequency(self, data, **kwargs) -> Frequency:
        """The shared Frequency type."""
        return Frequency(kind=data["type"], min=data.get("min"), max=data.get("max"), n=data.get("n"),
                         minutes=data.get("minutes"))


class HabitSchema(StrictSchema):
    """One habit of habits.yaml."""

    key = Key(required=True)
    title = Words(max_length=60, required=True)
    looks_like = Words(max_length=200, required=True)
    why = Words(max_length=200, required=True)
    frequency = fields.Nested(FrequencySchema, required=True, error_messages=FIELD_ERRORS)
    log = fields.List(fields.String(error_messages={"invalid": MESSAGES["text"]}), required=True,
                      validate=_check_log, error_messages={**FIELD_ERRORS, "invalid": MESSAGES["list"]})
    suggested = Flag(required=True)
    worksheet = Key()

    @post_load
    def make_habit(self, data, **kwargs) -> Habit:
        """A frozen Habit."""
        return Habit(**{**data, "log": tuple(data["log"])})


class HabitsFileSchema(StrictSchema):
    """habits.yaml: ``habits:``, a list of habits with unique keys."""

    habits = fields.List(fields.Nested(HabitSchema), required=True,
                         validate=validate.Length(min=1, error=MESSAGES["no_habits"]),
                         error_messages={**FIELD_ERRORS, "invalid": MESSAGES["list"]})

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_keys_unique(self, data, original, **kwargs):
        """Read from the file as written, so a duplicate is found even beside other mistakes."""
        habits = original.get("habits") if isinstance(original, dict) else None
        first: dict[str, int] = {}
        errors = {}
        for index, habit in enumerate(habits if isinstance(habits, list) else ()):
            key = habit.get("key") if isinstance(habit, dict) else None
            if not isinstance(key, str):
                continue
            if key in first:
                errors[index] = {"key": [MESSAGES["key_twice"].format(other=first[key] + 1, this=index + 1)]}
            else:
                first[key] = index
        if errors:
            raise ValidationError({"habits": errors})


class FamilySchema(StrictSchema):
    """A family of feeling words: its heading and ``key: word`` entries."""

    title = Words(max_length=40, required=True)
    words = fields.Dict(keys=Key(), values=Words(max_length=40), required=True,
                        validate=validate.Length(min=1, error=MESSAGES["no_words"]),
                        error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})


class FeelingsFileSchema(StrictSchema):
    """feelings.yaml: ``feelings:`` by family and ``needs:``, each word key once, both with ``other``."""

    feelings = fields.Dict(keys=Key(), values=fields.Nested(FamilySchema), required=True,
                           validate=validate.Length(min=1, error=MESSAGES["no_words"]),
                           error_messages={**FIELD_ERRORS, "invalid": MESSAGES["mapping"]})
    needs = fields.Dict(keys=Key(), values=Words(max_length=40), required=True,
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


def _shown(path: Path) -> str:
    """The file as a message names it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(WORKSHEETS.parent))
    except ValueError:
        return str(path)


def _keys_written_twice(node: yaml.Node, path: tuple = ()):
    """(path, message) for each key written twice in one mapping: YAML would keep the last silently."""
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            line = key_node.start_mark.line + 1
            if key in first_line:
                yield (*path, key), MESSAGES["yaml_key_twice"].format(first=first_line[key], line=line)
            first_line.setdefault(key, line)
            yield from _keys_written_twice(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _keys_written_twice(item, (*path, index))


def _read_yaml(path: Path) -> tuple[object, list[tuple[tuple, str]]]:
    """The file's data through the safe loader (as yaml.safe_load), and (path, message) problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return None, [((), MESSAGES["unreadable"].format(reason=reason))]
    # yaml.safe_load is SafeLoader(text).get_single_data(); split in two to look at the nodes first.
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [((), MESSAGES["empty"])]
        return loader.construct_document(node), list(_keys_written_twice(node))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        return None, [((), MESSAGES["yaml"].format(line=mark.line + 1 if mark else "?", problem=problem))]
    finally:
        loader.dispose()


def _flatten(messages, path: tuple = ()):
    """(path, message) pairs from marshmallow's nested messages; a Dict value's own level is skipped."""
    if isinstance(messages, dict):
        for name, inner in messages.items():
            yield from _flatten(inner, path if name in ("_schema", "value") else (*path, name))
    elif isinstance(messages, list):
        for inner in messages:
            yield from _flatten(inner, path)
    else:
        yield path, str(messages)


def _where(path: tuple, data) -> str:
    """``habit "key": field.sub`` for a habit's field (its number when it has no key), else the path."""
    if len(path) >= 2 and path[0] == "habits" and isinstance(path[1], int):
        habits = data.get("habits") if isinstance(data, dict) else None
        raw = habits[path[1]] if isinstance(habits, list) and path[1] < len(habits) else None
        key = raw.get("key") if isinstance(raw, dict) else None
        label = f'habit "{key}"' if isinstance(key, str) and key.strip() else f"habit #{path[1] + 1}"
        return ": ".join([label, ".".join(str(part) for part in path[2:])] if path[2:] else [label])
    return ".".join(str(part) for part in path)


def _load(path: Path, schema: Schema) -> tuple[object, list[str]]:
    """A file loaded by its schema, or its problems, each line starting with the file's name."""
    data, problems = _read_yaml(path)
    if not problems:
        try:
            return schema.load(data), []
        except ValidationError as error:
            problems = list(_flatten(error.normalized_messages()))
    shown = _shown(path)
    return None, [f"{shown}: {_where(where, data)}: {message}" if where else f"{shown}: {message}"
                  for where, message in problems]


def load_catalogue(habits_path: Path | str | None = None,
                   feelings_path: Path | str | None = None) -> Catalogue:
    """Load and check the habit and word files (the shipped ones by default); raise CatalogueError."""
    habits, habit_problems = _load(Path(habits_path or HABITS_FILE), HabitsFileSchema())
    words, word_problems = _load(Path(feelings_path or FEELINGS_FILE), FeelingsFileSchema())
    if habit_problems or word_problems:
        raise CatalogueError(habit_problems + word_problems)
    families = tuple(
        FeelingFamily(key, family["title"], tuple(Word(*item) for item in family["words"].items()))
        for key, family in words["feelings"].items())
    return Catalogue(habits=tuple(habits["habits"]), feelings=families,
                     needs=tuple(Word(*item) for item in words["needs"].items()))


def init_app(app: Flask, habits_path: Path | str | None = None,
             feelings_path: Path | str | None = None) -> None:
    """Load the catalogue once at start-up and keep it on the app; a broken file stops the start."""
    app.extensions[EXTENSION] = load_catalogue(habits_path, feelings_path)


def catalogue() -> Catalogue:
    """The current app's habit catalogue."""
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError(MESSAGES["not_loaded"]) from None
