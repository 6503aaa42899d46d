"""The habit catalogue as data: the shipped files, the rules they are checked by, and `habits check`."""

import dataclasses

import pytest
from flask import Flask

from practice.homework import catalogue as catalogue_module
from practice.homework.catalogue import (
    FEELINGS_FILE,
    HABITS_FILE,
    CatalogueError,
    catalogue,
    load_catalogue,
)
from practice.homework.cli import habits as habits_group
from practice.homework.frequency import Frequency

SHIPPED_SUMMARY = "10 habits, 6 suggested; 28 feeling words in 6 families; 13 need words\n"

#: CONTENT.md §1, row by row: key, target as a counselor says it, the Frequency, log fields, worksheet.
TABLE = [
    ("daily_checkin", "1 a day", Frequency("per_day", 1, 1, None, 10), ("done", "minutes", "feeling", "note"),
     None),
    ("connection_bids", "3-5 a day", Frequency("per_day", 3, 5), ("count", "note"), None),
    ("repair_ritual", "as needed", Frequency("as_needed"), ("done", "feeling", "note"),
     "repair_after_conflict"),
    ("autonomy_time", "1 a week", Frequency("per_week", 1, 1), ("done", "minutes", "feeling"), None),
    ("feeling_words", "2-3 a week", Frequency("per_week", 2, 3), ("count", "feeling", "note"),
     "feeling_words_practice"),
    ("future_us", "once every 2 weeks", Frequency("every_n_weeks", n=2), ("done", "note"), None),
    ("heads_up_text", "as needed", Frequency("as_needed"), ("count",), None),
    ("pause_acknowledge", "at least 1 a day", Frequency("per_day", 1, None), ("count",), None),
    ("soothe_then_ask", "as needed", Frequency("as_needed"), ("done", "feeling"), "reassurance_log"),
    ("monthly_retro", "1 a month", Frequency("per_month", 1, 1), ("done",), "monthly_retro"),
]
NOT_SUGGESTED = {"heads_up_text", "pause_acknowledge", "soothe_then_ask", "monthly_retro"}

FEELING_WORDS = {
    "glad": ["glad", "grateful", "relieved", "hopeful", "proud"],
    "close": ["calm", "safe", "connected", "loved", "content"],
    "sad": ["sad", "lonely", "disappointed", "discouraged"],
    "afraid": ["anxious", "worried", "scared", "insecure", "overwhelmed"],
    "angry": ["frustrated", "irritated", "resentful", "angry"],
    "hurt": ["hurt", "rejected", "embarrassed", "ashamed", "guilty"],
    "other": ["other"],
}
NEED_WORDS = ["to be heard", "reassurance", "closeness", "space", "rest", "appreciation", "help", "clarity",
              "predictability", "respect", "fun", "time together", "independence", "other"]


def edited(tmp_path, shipped, old, new, count=1):
    """A copy of a shipped file with one passage changed; fails if the passage is no longer there."""
    text = shipped.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {shipped.name}: update this test"
    path = tmp_path / shipped.name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def bare_app() -> Flask:
    """An app with nothing but the habits command: the catalogue needs no database."""
    app = Flask(__name__)
    app.cli.add_command(habits_group)
    return app


# -- the shipped files --------------------------------------------------------------------------


def test_the_shipped_catalogue_has_the_ten_habits_in_table_order():
    loaded = load_catalogue()

    assert [habit.key for habit in loaded.habits] == [row[0] for row in TABLE]
    assert {habit.key for habit in loaded.habits if not habit.suggested} == NOT_SUGGESTED
    assert [habit.key for habit in loaded.suggested()] == [row[0] for row in TABLE[:6]]


@pytest.mark.parametrize(("key", "target", "frequency", "log", "worksheet"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_each_habit_is_as_the_table_says(key, target, frequency, log, worksheet):
    habit = load_catalogue().get(key)

    assert habit.frequency == frequency
    assert habit.frequency.target() == target
    assert habit.log == log
    assert habit.worksheet == worksheet
    assert habit.title and habit.looks_like and habit.why


def test_the_shipped_words_keep_the_clinical_wording():
    habit = load_catalogue().get("daily_checkin")

    assert habit.title == "How-are-we check-in"
    assert "phones away" in habit.looks_like and "one feeling word and one appreciation" in habit.looks_like
    assert load_catalogue().get("connection_bids").looks_like == "A hug, a funny link, a thank-you."


def test_feeling_words_come_by_family_and_need_words_in_order():
    loaded = load_catalogue()

    assert {family.key: [word.text for word in family.words] for family in loaded.feelings} == FEELING_WORDS
    assert [family.key for family in loaded.feelings] == list(FEELING_WORDS)
    assert [word.text for word in loaded.needs] == NEED_WORDS
    assert len(loaded.feeling_keys) == 29 and "other" in loaded.feeling_keys
    assert "to_be_heard" in loaded.need_keys and "time_together" in loaded.need_keys
    assert loaded.feeling(key="overwhelmed").text == "overwhelmed"
    assert loaded.need("to_be_heard").text == "to be heard"


def test_lookups_of_an_unknown_key_give_none():
    loaded = load_catalogue()

    assert loaded.get("streak_counter") is None
    assert loaded.feeling("to_be_heard") is None
    assert loaded.need("glad") is None


def test_the_catalogue_is_frozen():
    loaded = load_catalogue()

    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.habits[0].suggested = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.habits = ()


# -- broken habit files -------------------------------------------------------------------------

BIDS_FREQUENCY = "{type: per_day, min: 3, max: 5}"

BROKEN_HABITS = [
    ("missing field", "    why: Frequent small moments of warmth keep you in touch with each other.\n", "",
     'habit "connection_bids": why: is missing'),
    ("max below min", BIDS_FREQUENCY, "{type: per_day, min: 3, max: 2}",
     'habit "connection_bids": frequency.max: must be at least min (3)'),
    ("min zero", BIDS_FREQUENCY, "{type: per_day, min: 0, max: 5}",
     'habit "connection_bids": frequency.min: must be at least 1'),
    ("per_day without min", BIDS_FREQUENCY, "{type: per_day, max: 5}",
     'habit "connection_bids": frequency.min: is missing: per_day needs a target of at least 1'),
    ("n for per_day", BIDS_FREQUENCY, "{type: per_day, min: 3, n: 2}",
     'habit "connection_bids": frequency.n: does not apply to per_day'),
    ("min as text", BIDS_FREQUENCY, "{type: per_day, min: '3', max: 5}",
     'habit "connection_bids": frequency.min: must be a whole number'),
    ("unknown type", BIDS_FREQUENCY, "{type: hourly, min: 3}",
     'habit "connection_bids": frequency.type: must be one of per_day, per_week, per_month, every_n_weeks, '
     "as_needed"),
    ("frequency not a mapping", BIDS_FREQUENCY, "daily",
     'habit "connection_bids": frequency: must be a mapping of fields'),
    ("every 1 week", "{type: every_n_weeks, n: 2}", "{type: every_n_weeks, n: 1}",
     'habit "future_us": frequency.n: must be at least 2 (once a week is per_week)'),
    ("every_n_weeks without n", "{type: every_n_weeks, n: 2}", "{type: every_n_weeks}",
     'habit "future_us": frequency.n: is missing: every_n_weeks needs n, the window in weeks'),
    ("every_n_weeks with min", "{type: every_n_weeks, n: 2}", "{type: every_n_weeks, n: 2, min: 1}",
     'habit "future_us": frequency.min: does not apply to every_n_weeks'),
    ("as_needed with a target", "{type: as_needed}", "{type: as_needed, min: 1}",
     'habit "repair_ritual": frequency.min: does not apply to as_needed'),
    ("minutes over 240", "minutes: 10}", "minutes: 300}",
     'habit "daily_checkin": frequency.minutes: must be between 1 and 240'),
    ("unknown field", "    suggested: true\n", "    suggested: true\n    streak: 0\n",
     'habit "daily_checkin": streak: is not a field here'),
    ("unknown frequency field", BIDS_FREQUENCY, "{type: per_day, min: 3, max: 5, per: day}",
     'habit "connection_bids": frequency.per: is not a field here'),
    ("duplicate key", "key: heads_up_text", "key: connection_bids",
     'habit "connection_bids": key: is used twice, by habits #2 and #7'),
    ("key missing", "  - key: future_us\n", "  - \n",
     "habit #6: key: is missing"),
    ("key not snake_case", "key: future_us", "key: Future-Us",
     'habit "Future-Us": key: must be snake_case, like daily_checkin, at most 40 characters'),
    ("unknown log field", "log: [count, note]", "log: [count, notes]",
     'habit "connection_bids": log: notes is not a log field; '
     "choose from done, count, minutes, feeling, note"),
    ("log field twice", "log: [count, note]", "log: [count, note, count]",
     'habit "connection_bids": log: lists count twice'),
    ("nothing to log", "log: [count, note]", "log: []",
     'habit "connection_bids": log: must list at least one of done, count, minutes, feeling, note'),
    ("suggested not a boolean", "    suggested: true\n", "    suggested: sometimes\n",
     'habit "daily_checkin": suggested: must be true or false'),
    ("blank title", "title: Small bids", "title: '  '",
     'habit "connection_bids": title: must not be blank'),
    ("field written twice", "    title: Small bids\n", "    title: Small bids\n    title: Little bids\n",
     'habit "connection_bids": title: is written twice (lines 27 and 28)'),
]


@pytest.mark.parametrize(("old", "new", "message"), [case[1:] for case in BROKEN_HABITS],
                         ids=[case[0] for case in BROKEN_HABITS])
def test_a_broken_habits_file_is_refused_naming_file_habit_and_field(tmp_path, old, new, message):
    path = edited(tmp_path, HABITS_FILE, old, new)

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path)

    assert str(refused.value) == f"{path}: {message}"


def test_a_yaml_syntax_error_is_named_with_file_and_line(tmp_path):
    path = edited(tmp_path, HABITS_FILE, "    why: A reliable daily touchpoint helps the bond feel safe.\n",
                  "    why: A reliable: daily touchpoint\n")

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path)

    assert str(refused.value).startswith(f"{path}: line 21: not valid YAML: mapping values are not allowed")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "is empty"),
     ("- daily_checkin\n", "must be a mapping of fields"),
     ("habits: []\n", "habits: must list at least one habit"),
     ("habit: []\n", "habits: is missing\n{path}: habit: is not a field here")],
    ids=["empty", "a list", "no habits", "misspelt top level"],
)
def test_a_habits_file_without_habits_is_refused(tmp_path, text, message):
    path = tmp_path / "habits.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path)

    assert str(refused.value) == f"{path}: " + message.format(path=path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogueError, match="cannot be read") as refused:
        load_catalogue(tmp_path / "nowhere.yaml")

    assert str(refused.value).startswith(f"{tmp_path / 'nowhere.yaml'}: cannot be read: ")


def test_every_problem_is_listed_one_per_line(tmp_path):
    path = edited(tmp_path, HABITS_FILE, BIDS_FREQUENCY, "{type: per_day, min: 3, max: 2}")
    path.write_text(path.read_text().replace("    suggested: false\n", "    suggested: no thanks\n", 1))

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path)

    assert refused.value.problems == (
        f'{path}: habit "connection_bids": frequency.max: must be at least min (3)',
        f'{path}: habit "heads_up_text": suggested: must be true or false',
    )


# -- broken feelings files ----------------------------------------------------------------------

BROKEN_FEELINGS = [
    ("word in two families", "      angry: angry\n", "      angry: angry\n      sad: sad\n",
     'feelings.angry.words.sad: is also a word in "sad"'),
    ("word twice in a family", "      lonely: lonely\n", "      lonely: lonely\n      sad: sad\n",
     "feelings.sad.words.sad: is written twice (lines 27 and 29)"),
    ("no other need", "  independence: independence\n  other: other\n", "  independence: independence\n",
     'needs: must include "other" (it opens a text box for a person\'s own word)'),
    ("no other feeling", "      other: other\n", "      something_else: other\n",
     'feelings: must include "other" (it opens a text box for a person\'s own word)'),
    ("unknown family field", "    title: Hurt\n", "    title: Hurt\n    colour: red\n",
     "feelings.hurt.colour: is not a field here"),
    ("key not snake_case", "  time_together: time together\n", "  Time together: time together\n",
     "needs.Time together.key: must be snake_case, like daily_checkin, at most 40 characters"),
    ("blank word", "proud: proud", "proud: ''", "feelings.glad.words.proud: must not be blank"),
    ("family without title", "    title: Glad\n", "", "feelings.glad.title: is missing"),
]


@pytest.mark.parametrize(("old", "new", "message"), [case[1:] for case in BROKEN_FEELINGS],
                         ids=[case[0] for case in BROKEN_FEELINGS])
def test_a_broken_feelings_file_is_refused_naming_file_and_field(tmp_path, old, new, message):
    path = edited(tmp_path, FEELINGS_FILE, old, new)

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(feelings_path=path)

    assert str(refused.value) == f"{path}: {message}"


def test_messages_name_a_file_in_the_repository_from_the_repository(monkeypatch, tmp_path):
    # The shipped file is named as worksheets/habits.yaml, as the CLI and a failed start show it.
    path = edited(tmp_path, HABITS_FILE, BIDS_FREQUENCY, "{type: per_day, min: 3, max: 2}")
    monkeypatch.setattr(catalogue_module, "WORKSHEETS", tmp_path / "worksheets")

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path)

    assert str(refused.value).startswith('habits.yaml: habit "connection_bids": frequency.max:')


# -- the app ------------------------------------------------------------------------------------


def test_init_app_keeps_the_catalogue_on_the_app():
    app = Flask(__name__)
    catalogue_module.init_app(app)

    with app.app_context():
        assert catalogue() is app.extensions["securebase.habits"]
        assert catalogue().get("connection_bids").frequency.target() == "3-5 a day"


def test_a_start_with_a_broken_file_fails_loudly(tmp_path):
    path = edited(tmp_path, HABITS_FILE, BIDS_FREQUENCY, "{type: per_day, min: 3, max: 2}")
    app = Flask(__name__)

    with pytest.raises(CatalogueError, match=r'"connection_bids": frequency\.max: must be at least min'):
        catalogue_module.init_app(app, habits_path=path)
    assert "securebase.habits" not in app.extensions


def test_catalogue_outside_a_loaded_app_says_what_is_missing():
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="init_app"):
        catalogue()


# -- flask habits check -------------------------------------------------------------------------


def test_check_passes_the_shipped_catalogue_with_a_summary():
    result = bare_app().test_cli_runner().invoke(args=["habits", "check"])

    assert result.exit_code == 0, result.output
    assert result.stdout == SHIPPED_SUMMARY
    assert result.stderr == ""


def test_check_refuses_a_broken_file_naming_file_habit_and_field(tmp_path):
    path = edited(tmp_path, HABITS_FILE, BIDS_FREQUENCY, "{type: per_day, min: 3, max: 2}")

    result = bare_app().test_cli_runner().invoke(args=["habits", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr == f'{path}: habit "connection_bids": frequency.max: must be at least min (3)\n'
    assert result.stdout == ""


def test_check_refuses_a_broken_feelings_file(tmp_path):
    path = edited(tmp_path, FEELINGS_FILE, "proud: proud", "proud: ''")

    result = bare_app().test_cli_runner().invoke(args=["habits", "check", "--feelings", str(path)])

    assert result.exit_code == 1
    assert result.stderr == f"{path}: feelings.glad.words.proud: must not be blank\n"


def test_check_runs_in_the_practice_app(app, tmp_path):
    app.cli.add_command(habits_group)
    runner = app.test_cli_runner()
    path = edited(tmp_path, HABITS_FILE, "key: heads_up_text", "key: connection_bids")

    assert runner.invoke(args=["habits", "check"]).stdout == SHIPPED_SUMMARY
    broken = runner.invoke(args=["habits", "check", str(path)])
    assert broken.exit_code == 1
    assert 'habit "connection_bids": key: is used twice' in broken.stderr
