"""The habit catalogue and the feeling and need words: data in worksheets/, checked once at start-up.

``worksheets/habits.yaml`` (CONTENT.md §1) goes through the marshmallow schemas below and
``worksheets/feelings.yaml`` through practice/words.py (the core, which worksheets use too); both
become frozen dataclasses kept on the app. A broken file stops the app with a
:class:`CatalogueError` whose lines each name the file, the habit and the field, e.g.
``worksheets/habits.yaml: habit "connection_bids": frequency.max: must be at least min (3)``.
Logs and assignments store the keys; the words shown come from here.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from practice import words as word_files
from practice.homework.frequency import KINDS, PER, Frequency
from practice.words import (  # noqa: F401  (FEELINGS_FILE, OTHER, FeelingFamily, Word: this module's API)
    FEELINGS_FILE,
    FIELD_ERRORS,
    OTHER,
    SAFE_LOADER,
    FeelingFamily,
    Flag,
    Key,
    Number,
    StrictSchema,
    Word,
    Wording,
    Words,
)

#: Where the loaded catalogue is kept on the app.
EXTENSION = "securebase.habits"
#: The repository's worksheets/ folder; messages name a file inside it from the repository.
WORKSHEETS = word_files.WORKSHEETS
HABITS_FILE = WORKSHEETS / "habits.yaml"
#: What a habit may ask a partner to log (CONTENT.md §1).
LOG_FIELDS = ("done", "count", "minutes", "feeling", "note")
MINUTES = (1, 240)

# Every message in one place, so they can go through gettext once Flask-Babel is wired; the ones
# every data file shares (and the feeling words' own) live in practice/words.py.
MESSAGES = {
    **word_files.MESSAGES,
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
    "key_twice": "is used twice, by habits #{other} and #{this}",
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
    def words(self) -> Words:
        """The feeling and need words as practice.words keeps them (what worksheets use too)."""
        return Words(feelings=self.feelings, needs=self.needs)

    @property
    def feeling_keys(self) -> frozenset[str]:
        """Every feeling word key a log or answer may store, ``other`` included."""
        return self.words.feeling_keys

    @property
    def need_keys(self) -> frozenset[str]:
        """Every need word key an answer may store, ``other`` included."""
        return self.words.need_keys

    def feeling(self, key: str) -> Word | None:
        """The feeling word stored as this key, or None."""
        return self.words.feeling(key)

    def need(self, key: str) -> Word | None:
        """The need word stored as this key, or None."""
        return self.words.need(key)


# -- fields -------------------------------------------------------------------------------------

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
    title = Wording(max_length=60, required=True)
    looks_like = Wording(max_length=200, required=True)
    why = Wording(max_length=200, required=True)
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


# -- reading the files --------------------------------------------------------------------------


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
    return word_files.load_yaml(path, schema, where=_where, root=WORKSHEETS.parent)


def load_catalogue(habits_path: Path | str | None = None,
                   feelings_path: Path | str | None = None) -> Catalogue:
    """Load and check the habit and word files (the shipped ones by default); raise CatalogueError."""
    habits, habit_problems = _load(Path(habits_path or HABITS_FILE), HabitsFileSchema())
    words, word_problems = word_files.read_words(feelings_path or FEELINGS_FILE, root=WORKSHEETS.parent)
    if habit_problems or word_problems:
        raise CatalogueError(habit_problems + word_problems)
    return Catalogue(habits=tuple(habits["habits"]), feelings=words.feelings, needs=words.needs)


def init_app(app: Flask, habits_path: Path | str | None = None,
             feelings_path: Path | str | None = None) -> None:
    """Load the catalogue once at start-up and keep it on the app; a broken file stops the start.

    The feeling and need words go on the app too (practice.words) unless they are there already.
    """
    loaded = load_catalogue(habits_path, feelings_path)
    app.extensions[EXTENSION] = loaded
    app.extensions.setdefault(word_files.EXTENSION, loaded.words)


def catalogue() -> Catalogue:
    """The current app's habit catalogue."""
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError(MESSAGES["not_loaded"]) from None
