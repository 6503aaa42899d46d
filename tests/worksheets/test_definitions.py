"""Worksheet definitions as data: the shipped files, the rules that check them, the answers they allow."""

import dataclasses
import json
import re
from datetime import date, datetime

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from practice import words as words_module
from practice.words import load_words
from practice.worksheets import definitions
from practice.worksheets.definitions import (
    FIELD_TYPES,
    DefinitionError,
    answers_schema,
    default_answers,
    finished,
    form_answers,
    from_body,
    load_file,
    load_folder,
    visible_fields,
)

WORKSHEETS = definitions.WORKSHEETS
WORDS = load_words()
LIBRARY = load_folder()

#: CONTENT.md §2, worksheet by worksheet: mode, minutes, repeatable, schedule, safety check first (§4.3).
META = {
    "repair_after_conflict": ("mixed", 20, False, None, True),
    "boundaries": ("mixed", 15, False, None, True),
    "reassurance_log": ("per_partner", 3, True, None, False),
    "reassurance_weekly_review": ("per_partner", 5, False, "per_week", False),
    "reassurance_giver_check": ("per_partner", 2, True, None, False),
    "feeling_words_practice": ("per_partner", 5, True, None, False),
    "monthly_retro": ("mixed", 20, False, "per_month", True),
    "attachment_reflection": ("per_partner", 10, False, None, False),
}

PP, JOINT, AUTHOR, OTHER_PARTNER = "per_partner", "joint", "author", "other_partner"

#: CONTENT.md §2's listings: (section, scope, filled_by, locked_until, fields). A field reads as the
#: listing writes it: "key type", "*" when required, "= default", "if field: option keys".
LISTINGS = {
    "repair_after_conflict": [
        ("ready", PP, AUTHOR, None, ["calm scale*", "go choice*"]),
        ("moment", PP, AUTHOR, None, ["when date*", "camera longtext*"]),
        ("own", PP, AUTHOR, None, ["my_part longtext*", "under feeling_word"]),
        ("impact", PP, AUTHOR, None, ["effect longtext*", "checked choice"]),
        ("validate", PP, AUTHOR, None, ["makes_sense longtext*"]),
        ("do_over", PP, AUTHOR, None, ["next_time text*", "cue text"]),
        ("follow", JOINT, AUTHOR, "do_over", ["step text*", "owner choice*", "check_date date* = today+7d",
                                               "status choice", "learned longtext"]),
        ("after", PP, AUTHOR, None, ["connected scale"]),
    ],
    "boundaries": [
        ("limit", PP, AUTHOR, None, ["what text*", "kind choice"]),
        ("need", PP, AUTHOR, None, ["need need_word*", "why longtext"]),
        ("frame", PP, AUTHOR, None,
         ["sentence longtext* = I'm asking for ___ so we can be at our best, because ___."]),
        ("closeness", PP, AUTHOR, None, ["reconnect text*", "reconnect_when choice*",
                                         "reconnect_at datetime if reconnect_when: set_time"]),
        ("timing", PP, AUTHOR, None, ["duration minutes", "applies choice*", "start date"]),
        ("signal", PP, AUTHOR, None, ["how choice*", "phrase text", "reply text"]),
        ("response", PP, OTHER_PARTNER, None, ["heard text", "feel feeling_word", "stance choice*",
                                               "tweak text if stance: agree_with_tweak"]),
        ("review", JOINT, AUTHOR, None, ["review_date date* = today+14d"]),
    ],
    "reassurance_log": [
        ("event", PP, AUTHOR, None, ["at datetime* = now", "trigger choice*", "fear text*", "before scale*"]),
        ("soothe", PP, AUTHOR, None, ["tried checklist", "helped scale"]),
        ("ask", PP, AUTHOR, None, ["asked choice*", "request text if asked: yes",
                                   "style multichoice if asked: yes", "response text if asked: yes",
                                   "channel choice if asked: yes"]),
        ("after", PP, AUTHOR, None, ["after scale*", "relief choice*", "repeat_today number"]),
    ],
    "reassurance_weekly_review": [
        ("review", PP, AUTHOR, None, ["frequency choice", "effect choice", "partner_state choice",
                                      "trend choice", "note longtext"]),
    ],
    "reassurance_giver_check": [
        ("check", PP, AUTHOR, None, ["felt feeling_word", "energy scale"]),
    ],
    "feeling_words_practice": [
        ("build", PP, AUTHOR, None, ["situation text*", "feel feeling_word*", "need need_word*",
                                     "ask text*"]),
        ("use", PP, AUTHOR, None, ["delivered choice", "answer choice",
                                   "counter text if answer: yes_adjusted, not_now", "went scale"]),
    ],
    "monthly_retro": [
        ("prep", PP, AUTHOR, None, ["wins longtext*", "appreciation text*", "hard longtext",
                                    "habits habit_review"]),
        ("together", JOINT, AUTHOR, "prep", ["top_wins longtext*", "adjust habit_ref", "next_step text*",
                                             "next_retro date* = today+1m"]),
        ("pulse", PP, AUTHOR, None, ["pulse scale"]),
    ],
    "attachment_reflection": [
        ("closeness", PP, AUTHOR, None, ["lean scale", "close_feel feeling_word"]),
        ("unsure", PP, AUTHOR, None, ["moves checklist"]),
        ("base", PP, AUTHOR, None, ["reliable scale", "open scale", "balance scale", "repair scale"]),
        ("safety", PP, AUTHOR, None, ["helps longtext", "wish longtext", "reassure_style multichoice",
                                      "try habit_ref*"]),
    ],
}

#: Every option key of the shipped files: they are stored with answers, so this list only grows.
OPTIONS = {
    ("repair_after_conflict", "ready", "go"): ["yes", "not_yet"],
    ("repair_after_conflict", "impact", "checked"): ["accurate", "partly", "not_yet"],
    ("repair_after_conflict", "follow", "owner"): ["partner_a", "partner_b", "both"],
    ("repair_after_conflict", "follow", "status"): ["done", "partly", "not_yet"],
    ("boundaries", "limit", "kind"): ["time", "space", "energy", "communication", "digital", "physical",
                                      "other"],
    ("boundaries", "closeness", "reconnect_when"): ["right_after", "same_day", "set_time"],
    ("boundaries", "timing", "applies"): ["once", "daily", "weekly", "when_triggered"],
    ("boundaries", "signal", "how"): ["spoken_phrase", "text", "gesture", "other"],
    ("boundaries", "response", "stance"): ["agree", "agree_with_tweak", "lets_talk"],
    ("reassurance_log", "event", "trigger"): ["slow_reply", "tone_change", "plan_change", "partner_away",
                                              "partner_distant", "own_thought", "other"],
    ("reassurance_log", "soothe", "tried"): ["slow_breathing", "wrote_what_is_true", "waited", "moved",
                                             "talked_to_friend", "other", "none"],
    ("reassurance_log", "ask", "asked"): ["yes", "no"],
    ("reassurance_log", "ask", "style"): ["named_feeling", "direct_question", "repeated_question",
                                          "checked_phone", "hinted"],
    ("reassurance_log", "ask", "channel"): ["words", "action", "touch", "time_together", "message"],
    ("reassurance_log", "after", "relief"): ["under_10_minutes", "under_an_hour", "a_few_hours",
                                             "rest_of_day", "longer"],
    ("reassurance_weekly_review", "review", "frequency"): ["occasional", "mixed", "constant"],
    ("reassurance_weekly_review", "review", "effect"): ["more_trust", "mixed", "more_dependence"],
    ("reassurance_weekly_review", "review", "partner_state"): ["warm", "mixed", "drained"],
    ("reassurance_weekly_review", "review", "trend"): ["steadier", "no_change", "shakier"],
    ("feeling_words_practice", "use", "delivered"): ["said", "texted", "practised"],
    ("feeling_words_practice", "use", "answer"): ["yes", "yes_adjusted", "not_now", "no"],
    ("attachment_reflection", "unsure", "moves"): ["reach_out_more", "ask_for_reassurance", "check_my_phone",
                                                   "go_quiet", "pull_away", "closeness_then_push_away",
                                                   "talk_it_through"],
    ("attachment_reflection", "safety", "reassure_style"): ["words", "actions", "touch", "time_together",
                                                            "messages"],
}

#: Scales whose ends are not the default 0-10.
SCALES = {
    ("attachment_reflection", "closeness", "lean"): (1, 7, "wanting more contact", "enjoying the space"),
    ("attachment_reflection", "base", "reliable"): (1, 5, "rarely", "almost always"),
    ("repair_after_conflict", "ready", "calm"): (0, 10, "flooded", "calm"),
}


def spec(field) -> str:
    """A field as the listings write it."""
    text = f"{field.key} {field.type}{'*' if field.required else ''}"
    if field.default is not None:
        text += f" = {field.default}"
    if field.show_if is not None:
        text += f" if {field.show_if.field}: {', '.join(field.show_if.values)}"
    return text


def edited(tmp_path, name, old, new, count=1):
    """A copy of a shipped file with one passage changed; fails if the passage is no longer there."""
    text = (WORKSHEETS / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}: update this test"
    path = tmp_path / name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path, text) -> int:
    """The line a passage starts on."""
    content = path.read_text(encoding="utf-8")
    return content[:content.index(text)].count("\n") + 1


# -- the shipped files --------------------------------------------------------------------------


def test_every_shipped_file_loads_as_the_library():
    assert sorted(LIBRARY) == sorted(META)
    assert all(worksheet.version == 1 for worksheet in LIBRARY.values())


@pytest.mark.parametrize("key", list(META))
def test_each_worksheet_is_as_content_says(key):
    worksheet = LIBRARY[key]

    assert (worksheet.mode, worksheet.est_minutes, worksheet.repeatable, worksheet.schedule,
            worksheet.safety_check) == META[key]
    assert [(section.key, section.scope, section.filled_by, section.locked_until,
             [spec(field) for field in section.fields]) for section in worksheet.sections] == LISTINGS[key]


@pytest.mark.parametrize("key", list(META))
def test_each_worksheet_has_the_words_a_handout_prints(key):
    worksheet = LIBRARY[key]

    assert worksheet.title and worksheet.intro and worksheet.closing and worksheet.source_refs
    for section in worksheet.sections:
        assert section.title and section.help and section.example
        for field in section.fields:
            assert field.label


def test_option_keys_never_change():
    shipped = {(worksheet.key, section.key, field.key): [option.key for option in field.options]
               for worksheet in LIBRARY.values() for section in worksheet.sections for field in section.fields
               if field.options}

    assert shipped == OPTIONS


def test_only_other_opens_a_text_box_and_labels_are_written_out():
    field = LIBRARY["boundaries"].field("limit", "kind")

    assert [option.key for option in field.options if option.opens_text] == ["other"]
    assert field.takes_other and field.other_key == "kind_other"
    repair = LIBRARY["repair_after_conflict"]
    assert repair.field("ready", "go").option("not_yet").label == "Not yet - pausing"
    assert repair.field("follow", "owner").option("partner_a").label == "Partner A"
    assert not repair.field("ready", "go").takes_other
    assert LIBRARY["feeling_words_practice"].field("build", "feel").takes_other


def test_scales_default_to_0_10_and_text_lengths_to_300_and_5000():
    for (key, section, field), (low, high, low_label, high_label) in SCALES.items():
        assert LIBRARY[key].field(section, field).scale == definitions.Scale(low, high, low_label, high_label)
    assert LIBRARY["reassurance_log"].field("event", "before").scale.max == 10
    assert LIBRARY["boundaries"].field("limit", "what").max_length == 300
    assert LIBRARY["boundaries"].field("need", "why").max_length == 5000
    assert LIBRARY["boundaries"].field("timing", "duration").max_length == 0
    assert LIBRARY["boundaries"].field("timing", "duration").scale is None


def test_the_feeling_words_preview_and_lint_are_as_content_says():
    worksheet = LIBRARY["feeling_words_practice"]

    assert worksheet.preview == ("I feel {feel} when {situation}. I need {need}. "
                                 "Would you be willing to {ask}?")
    assert [(rule.field, rule.words) for rule in worksheet.lint] == [
        ("ask", ("always", "never", "you should", "stop"))]


def test_the_definitions_are_frozen():
    worksheet = LIBRARY["boundaries"]

    with pytest.raises(dataclasses.FrozenInstanceError):
        worksheet.sections[0].fields[0].required = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        worksheet.title = "Walls"


def test_lookups_of_an_unknown_key_give_none():
    worksheet = LIBRARY["boundaries"]

    assert worksheet.section("walls") is None
    assert worksheet.field("limit", "wall") is None
    assert worksheet.field("walls", "what") is None
    assert worksheet.find("nowhere") is None
    assert worksheet.find("closeness.reconnect")[1].key == "reconnect"


# -- the body: what an assignment snapshots -----------------------------------------------------


def test_the_body_is_plain_json_with_defaults_written_out_and_its_digest_is_stable():
    worksheet = LIBRARY["repair_after_conflict"]
    body = json.loads(json.dumps(worksheet.body))

    assert body == worksheet.body
    assert body["default_scope"] == "per_partner" and body["lint"] == [] and body["suggestions"] == []
    follow = body["sections"][6]
    assert (follow["scope"], follow["filled_by"], follow["locked_until"]) == ("joint", "author", "do_over")
    assert body["sections"][0]["fields"][0] == {
        "key": "calm", "type": "scale", "label": "How calm am I right now?", "required": True,
        "scale": {"min": 0, "max": 10, "min_label": "flooded", "max_label": "calm"}}
    assert body["sections"][1]["fields"][1]["max_length"] == 5000
    assert "options" not in body["sections"][1]["fields"][1]
    assert re.fullmatch(r"[0-9a-f]{64}", worksheet.digest)
    assert load_file(WORKSHEETS / "repair_after_conflict.yaml").digest == worksheet.digest


def test_from_body_rebuilds_a_stored_version_once_per_digest():
    worksheet = LIBRARY["reassurance_log"]
    stored = json.loads(json.dumps(worksheet.body))

    rebuilt = from_body(stored)

    assert rebuilt == worksheet and rebuilt.digest == worksheet.digest and rebuilt.body == worksheet.body
    assert from_body(json.loads(json.dumps(worksheet.body))) is rebuilt


def test_an_older_version_keeps_its_own_words():
    stored = json.loads(json.dumps(LIBRARY["boundaries"].body))
    stored["sections"][0]["fields"][0]["label"] = "The line I'm drawing"

    older = from_body(stored)

    assert older.field("limit", "what").label == "The line I'm drawing"
    assert older.digest != LIBRARY["boundaries"].digest
    assert LIBRARY["boundaries"].field("limit", "what").label == "The limit I'm asking for"


def test_from_body_refuses_a_broken_snapshot_naming_it():
    stored = json.loads(json.dumps(LIBRARY["boundaries"].body))
    stored["sections"][2]["fields"][0]["type"] = "txt"

    with pytest.raises(DefinitionError) as refused:
        from_body(stored)

    assert refused.value.problems == ('stored boundaries v1: sections[2].fields[0].type: unknown type "txt"',)


# -- broken files -------------------------------------------------------------------------------

#: The sentence field of boundaries.yaml's third section, and the same with a type that does not exist.
TXT = ("        type: longtext\n        label: How I'll say it",
       "        type: txt\n        label: How I'll say it")
YES = '{key: "yes", label: "Yes"}'
BOOLEAN = 'is true or false to YAML: put it in quotes, like "yes" or "no"'

BROKEN = [
    ("unknown type", "boundaries.yaml", *TXT, 'sections[2].fields[0].type: unknown type "txt"'),
    ("show_if names a later field", "feeling_words_practice.yaml",
     "{field: answer, in: [yes_adjusted, not_now]}", "{field: went, in: [yes_adjusted, not_now]}",
     'sections[1].fields[2].show_if.field: names no earlier field of this section ("went")'),
    ("show_if names another section's field", "boundaries.yaml", "{field: reconnect_when, in: [set_time]}",
     "{field: applies, in: [set_time]}",
     'sections[3].fields[2].show_if.field: names no earlier field of this section ("applies")'),
    ("show_if names a field without options", "boundaries.yaml", "{field: reconnect_when, in: [set_time]}",
     "{field: reconnect, in: [set_time]}",
     'sections[3].fields[2].show_if.field: names "reconnect", a text field; '
     "show_if needs a field with options"),
    ("show_if names an unknown option", "boundaries.yaml", "{field: reconnect_when, in: [set_time]}",
     "{field: reconnect_when, in: [set_time, later]}",
     'sections[3].fields[2].show_if.in[1]: "later" is not an option of "reconnect_when"'),
    ("locked_until names a joint section", "monthly_retro.yaml", "  - key: pulse\n",
     "  - key: pulse\n    locked_until: together\n",
     'sections[2].locked_until: "together" is a joint section; name an earlier per_partner section'),
    ("locked_until names a later section", "repair_after_conflict.yaml", "locked_until: do_over",
     "locked_until: after", 'sections[6].locked_until: names no earlier section ("after")'),
    ("yes as a bare option key", "repair_after_conflict.yaml", YES, '{key: yes, label: "Yes"}',
     f"sections[0].fields[1].options[0].key: {BOOLEAN}"),
    ("no as a bare show_if value", "reassurance_log.yaml", 'in: ["yes"]', "in: [no]",
     f"sections[2].fields[1].show_if.in[0]: {BOOLEAN}"),
    ("section key twice", "boundaries.yaml", "  - key: timing\n", "  - key: signal\n",
     "sections[5].key: is used twice, by sections #5 and #6"),
    ("field key twice", "repair_after_conflict.yaml", "      - key: cue\n", "      - key: next_time\n",
     "sections[5].fields[1].key: is used twice in this section, by fields #1 and #2"),
    ("option key twice", "repair_after_conflict.yaml", "{key: partly, label: \"Partly\"}",
     "{key: accurate, label: \"Partly\"}",
     "sections[3].fields[1].options[1].key: is used twice, by options #1 and #2"),
    ("a field keyed like another's own words", "boundaries.yaml", "      - key: what\n",
     "      - key: kind_other\n",
     'sections[0].fields[0].key: is taken: "kind_other" keeps the own words typed for "other" '
     'in field "kind"'),
    ("choice without options", "repair_after_conflict.yaml", "      - key: cue\n        type: text",
     "      - key: cue\n        type: choice",
     "sections[5].fields[1].options: must list at least two options for a choice field"),
    ("options on a text field", "boundaries.yaml", "      - key: kind\n        type: choice",
     "      - key: kind\n        type: text",
     "sections[0].fields[1].options: does not apply to a text field"),
    ("scale that does not run upwards", "attachment_reflection.yaml", "{min: 1, max: 7,", "{min: 7, max: 7,",
     "sections[0].fields[0].scale.max: must be more than min (7)"),
    ("joint section in a per_partner worksheet", "reassurance_log.yaml", "  - key: soothe\n",
     "  - key: soothe\n    scope: joint\n",
     "sections[1].scope: a joint section needs a joint or mixed worksheet"),
    ("other_partner in a per_partner worksheet", "feeling_words_practice.yaml", "  - key: use\n",
     "  - key: use\n    filled_by: other_partner\n",
     "sections[1].filled_by: other_partner fills only a per_partner section of a mixed worksheet"),
    ("other_partner on a joint section", "repair_after_conflict.yaml", "    locked_until: do_over\n",
     "    locked_until: do_over\n    filled_by: other_partner\n",
     "sections[6].filled_by: other_partner fills only a per_partner section of a mixed worksheet"),
    ("default_scope outside a mixed worksheet", "reassurance_log.yaml", "mode: per_partner\n",
     "mode: per_partner\ndefault_scope: per_partner\n",
     "default_scope: only a mixed worksheet has a default scope"),
    ("date token on a text field", "boundaries.yaml",
     "default: \"I'm asking for ___ so we can be at our best, because ___.\"", "default: today+7d",
     "sections[2].fields[0].default: is a date token; only date and datetime fields take one"),
    ("unknown date token", "repair_after_conflict.yaml", "default: today+7d", "default: today+7x",
     'sections[6].fields[2].default: must be "today", like "today+7d", "today+2w" or "today+1m", '
     "or a date like 2026-12-24"),
    ("date default YAML reads as a date", "repair_after_conflict.yaml", "default: today+7d",
     "default: 2026-12-24", 'sections[6].fields[2].default: must be text: put it in quotes, like "today+7d"'),
    ("now on a date field", "repair_after_conflict.yaml", "default: today+7d", "default: now",
     'sections[6].fields[2].default: must be "today", like "today+7d", "today+2w" or "today+1m", '
     "or a date like 2026-12-24"),
    ("default on a scale", "monthly_retro.yaml", "        help: Our own question, not a scored measure.\n",
     "        help: Our own question, not a scored measure.\n        default: \"5\"\n",
     "sections[2].fields[0].default: does not apply to a scale field"),
    ("default choice not an option", "boundaries.yaml", "        label: Applies\n",
     "        label: Applies\n        default: sometimes\n",
     "sections[4].fields[1].default: must be one of the option keys: once, daily, weekly, when_triggered"),
    ("preview names no field", "feeling_words_practice.yaml", "I feel {feel} when", "I feel {feeling} when",
     "preview: {feeling} names no field"),
    ("preview with a stray brace", "feeling_words_practice.yaml", "to {ask}?", "to {ask}?}",
     "preview: has a { or } that is not a {field} placeholder"),
    ("lint on a feeling word", "feeling_words_practice.yaml", "  - field: ask\n", "  - field: feel\n",
     'lint[0].field: "feel" is a feeling_word field; lint reads text and longtext fields'),
    ("suggestion names an unknown habit", "attachment_reflection.yaml", "[soothe_then_ask, heads_up_text]",
     "[soothe_first, heads_up_text]",
     'suggestions[0].habits[0]: "soothe_first" is not a habit in habits.yaml'),
    ("suggestion names an unknown worksheet", "attachment_reflection.yaml", "worksheets: [reassurance_log]",
     "worksheets: [reassurance_diary]",
     'suggestions[0].worksheets[0]: "reassurance_diary" is not a worksheet'),
    ("suggestion names an unknown option", "attachment_reflection.yaml", "in: [reach_out_more,",
     "in: [reach_out,", 'suggestions[0].in[0]: "reach_out" is not an option of "moves"'),
    ("suggestion names an unknown field", "attachment_reflection.yaml", "  - field: moves\n    in: [go_quiet",
     "  - field: move\n    in: [go_quiet", 'suggestions[1].field: names no field ("move")'),
    ("unknown field", "boundaries.yaml", "        label: The limit I'm asking for\n",
     "        label: The limit I'm asking for\n        colour: red\n",
     "sections[0].fields[0].colour: is not a field here"),
    ("missing label", "boundaries.yaml", "        label: The limit I'm asking for\n", "",
     "sections[0].fields[0].label: is missing"),
    ("key not snake_case", "boundaries.yaml", "{key: right_after,", "{key: Right-after,",
     "sections[3].fields[1].options[0].key: must be snake_case, like check_date, at most 40 characters"),
    ("key is not the file's name", "boundaries.yaml", "key: boundaries\n", "key: limits\n",
     'key: must be the file\'s name, "boundaries"'),
    ("not a source", "boundaries.yaml", '  - "S1: technology on purpose', '  - "technology on purpose',
     'source_refs[1]: must name a source like "S1: repair after conflict"'),
    ("no sections", "reassurance_giver_check.yaml", "sections:\n", "sections: []\nold_sections:\n",
     "sections: must list at least one section\n{path}: old_sections: is not a field here"),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_a_broken_file_is_refused_naming_file_and_place(tmp_path, name, old, new, message):
    path = edited(tmp_path, name, old, new)

    with pytest.raises(DefinitionError) as refused:
        load_file(path)

    assert str(refused.value) == f"{path}: " + message.replace("{path}", str(path))


def test_a_key_written_twice_is_named_with_both_lines(tmp_path):
    path = edited(tmp_path, "repair_after_conflict.yaml", "        label: Who\n",
                  "        label: Who\n        label: Whom\n")
    first = line_of(path, "        label: Who\n")

    with pytest.raises(DefinitionError) as refused:
        load_file(path)

    assert str(refused.value) == (f"{path}: sections[6].fields[1].label: is written twice "
                                  f"(lines {first} and {first + 1})")


def test_a_yaml_syntax_error_is_named_with_file_and_line(tmp_path):
    path = edited(tmp_path, "boundaries.yaml", "    title: The limit\n", "    title: The: limit\n")
    line = line_of(path, "    title: The: limit\n")

    with pytest.raises(DefinitionError) as refused:
        load_file(path)

    # libyaml says "... not allowed in this context", PyYAML's own loader "... not allowed here".
    assert str(refused.value).startswith(f"{path}: line {line}: not valid YAML: mapping values are not")


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("- boundaries\n", "must be a mapping of fields"),
])
def test_a_file_without_a_definition_is_refused(tmp_path, text, message):
    path = tmp_path / "boundaries.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(DefinitionError) as refused:
        load_file(path)

    assert str(refused.value) == f"{path}: {message}"


def test_the_folder_lists_every_problem_of_every_file(tmp_path):
    for name in ("boundaries.yaml", "feelings.yaml", "habits.yaml"):
        (tmp_path / name).write_text((WORKSHEETS / name).read_text(encoding="utf-8"), encoding="utf-8")
    edited(tmp_path, "boundaries.yaml", *TXT)
    edited(tmp_path, "reassurance_log.yaml", 'in: ["yes"]', "in: [no]")
    edited(tmp_path, "feeling_words_practice.yaml", "est_minutes: 5", "est_minutes: five")

    with pytest.raises(DefinitionError) as refused:
        load_folder(tmp_path)

    assert refused.value.problems == (
        f'{tmp_path / "boundaries.yaml"}: sections[2].fields[0].type: unknown type "txt"',
        f'{tmp_path / "feeling_words_practice.yaml"}: est_minutes: must be a whole number',
        f'{tmp_path / "reassurance_log.yaml"}: sections[2].fields[1].show_if.in[0]: {BOOLEAN}',
    )


def test_a_folder_knows_only_its_own_worksheets(tmp_path):
    # attachment_reflection suggests boundaries, reassurance_log and feeling_words_practice.
    edited(tmp_path, "attachment_reflection.yaml", "key: attachment_reflection", "key: attachment_reflection")

    with pytest.raises(DefinitionError) as refused:
        load_folder(tmp_path)

    assert f'{tmp_path / "attachment_reflection.yaml"}: suggestions[0].worksheets[0]: ' \
           '"reassurance_log" is not a worksheet' in refused.value.problems
    assert len(refused.value.problems) == 4


def test_messages_name_a_shipped_file_from_the_repository(monkeypatch, tmp_path):
    (tmp_path / "worksheets").mkdir()
    path = edited(tmp_path / "worksheets", "boundaries.yaml", *TXT)
    monkeypatch.setattr(words_module, "WORKSHEETS", tmp_path / "worksheets")

    with pytest.raises(DefinitionError) as refused:
        load_file(path)

    assert str(refused.value) == 'worksheets/boundaries.yaml: sections[2].fields[0].type: unknown type "txt"'


# -- the app ------------------------------------------------------------------------------------


def test_init_app_keeps_the_library_on_the_app():
    app = Flask(__name__)
    definitions.init_app(app)

    with app.app_context():
        assert definitions.library() is app.extensions["securebase.worksheets"]
        assert definitions.get("boundaries") == LIBRARY["boundaries"]
        assert definitions.get("walls") is None


def test_a_start_with_a_broken_file_fails_loudly(tmp_path):
    edited(tmp_path, "boundaries.yaml", *TXT)
    app = Flask(__name__)

    with pytest.raises(DefinitionError, match=r'unknown type "txt"'):
        definitions.init_app(app, tmp_path)
    assert "securebase.worksheets" not in app.extensions


def test_the_library_outside_a_loaded_app_says_what_is_missing():
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="init_app"):
        definitions.library()


def test_the_words_are_kept_on_the_app_for_worksheets():
    app = Flask(__name__)
    words_module.init_app(app)

    with app.app_context():
        assert words_module.words() == WORDS
        assert words_module.words().need("to_be_heard").text == "to be heard"
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="practice.words.init_app"):
        words_module.words()


# -- answers: every field type ------------------------------------------------------------------

HABITS = (("daily_checkin", "How-are-we check-in"), ("connection_bids", "Small bids"))

#: One section with a field of every type, as a stored body gives it.
EVERY_TYPE = from_body({
    "key": "every_type", "version": 1, "title": "Every type", "intro": "Each kind of question.",
    "mode": "per_partner", "est_minutes": 5, "closing": "Done.",
    "sections": [{"key": "all", "title": "All", "help": "Answer.", "example": "An answer.", "fields": [
        {"key": "text", "type": "text", "label": "Text"},
        {"key": "longtext", "type": "longtext", "label": "Long text"},
        {"key": "choice", "type": "choice", "label": "Choice",
         "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"},
                     {"key": "other", "label": "Other"}]},
        {"key": "multichoice", "type": "multichoice", "label": "Several",
         "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}]},
        {"key": "checklist", "type": "checklist", "label": "Ticks",
         "options": [{"key": "x", "label": "X"}, {"key": "y", "label": "Y"},
                     {"key": "other", "label": "Other"}]},
        {"key": "scale", "type": "scale", "label": "Scale"},
        {"key": "date", "type": "date", "label": "Date"},
        {"key": "datetime", "type": "datetime", "label": "Date and time"},
        {"key": "number", "type": "number", "label": "Number"},
        {"key": "minutes", "type": "minutes", "label": "Minutes"},
        {"key": "feeling_word", "type": "feeling_word", "label": "Feeling"},
        {"key": "need_word", "type": "need_word", "label": "Need"},
        {"key": "habit_ref", "type": "habit_ref", "label": "Habit"},
        {"key": "habit_review", "type": "habit_review", "label": "Review"},
    ]}]}).section("all")

#: What a person types: no control characters (a line break only in long text), trimmed, not blank.
typed = st.characters(blacklist_categories=("Cc", "Cs"))
one_line = st.text(typed, min_size=1, max_size=80).map(str.strip).filter(bool)
many_lines = st.text(typed | st.just("\n"), min_size=1, max_size=200).map(str.strip).filter(bool)
review_row = st.fixed_dictionaries({"habit": one_line.filter(lambda text: len(text) <= 64)},
                                   optional={"rating": st.integers(1, 5),
                                             "decision": st.sampled_from(definitions.DECISIONS)})


def other_or(keys) -> st.SearchStrategy:
    """An option key, or "other" with the person's own words."""
    return st.sampled_from(sorted(keys - {"other"})).map(lambda key: (key, None)) | \
        one_line.map(lambda words: ("other", words))


VALID = {
    "text": one_line.map(lambda text: (text, None)),
    "longtext": many_lines.map(lambda text: (text, None)),
    "choice": other_or({"a", "b", "other"}),
    "multichoice": st.lists(st.sampled_from("abc"), min_size=1, unique=True).map(lambda keys: (keys, None)),
    "checklist": st.lists(st.sampled_from(["x", "y", "other"]), min_size=1, unique=True).flatmap(
        lambda keys: one_line.map(lambda words: (keys, words)) if "other" in keys else st.just((keys, None))),
    "scale": st.integers(0, 10).map(lambda number: (number, None)),
    "date": st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(lambda day: (day.isoformat(), None)),
    "datetime": st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31, 23, 59)).map(
        lambda moment: (moment.strftime("%Y-%m-%dT%H:%M"), None)),
    "number": st.integers(0, 999).map(lambda number: (number, None)),
    "minutes": st.integers(1, 1440).map(lambda number: (number, None)),
    "feeling_word": other_or(WORDS.feeling_keys),
    "need_word": other_or(WORDS.need_keys),
    "habit_ref": other_or({key for key, _ in HABITS} | {"other"}),
    "habit_review": st.lists(review_row, min_size=1, max_size=20).map(lambda rows: (rows, None)),
}


def test_every_field_type_has_a_generator():
    assert sorted(VALID) == sorted(FIELD_TYPES) == sorted(field.type for field in EVERY_TYPE.fields)


def as_answers(kind, generated) -> dict:
    """{field: value} and, for "other", {field_other: words}."""
    value, own = generated
    return {kind: value, **({f"{kind}_other": own} if own is not None else {})}


def as_form(section, answers) -> MultiDict:
    """The form a browser without JavaScript would post for these answers."""
    posted = MultiDict([("csrf_token", "t")])
    for key, value in answers.items():
        name = f"{section.key}-{key}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                for part, cell in row.items():
                    posted.add(f"{name}-{index}-{part}", str(cell))
        elif isinstance(value, list):
            for item in value:
                posted.add(name, item)
        else:
            posted.add(name, str(value))
    return posted


@pytest.mark.parametrize("kind", FIELD_TYPES)
def test_valid_answers_round_trip_through_the_schema_and_a_form(kind):
    draft = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)

    @settings(max_examples=40, deadline=None)
    @given(VALID[kind])
    def round_trip(generated):
        answers = as_answers(kind, generated)
        assert draft.load(draft.dump(answers)) == answers
        assert draft.load(form_answers(EVERY_TYPE, as_form(EVERY_TYPE, answers))) == answers

    round_trip()


TEXT_TYPE, CHOICE, CHOICES = "Write this as text.", "Choose one of the options.", "Choose from the options."
FORM_NUMBER = re.compile(r"\s*-?[0-9]{1,9}\s*")
CONTROL = "Remove the invisible control character from this text."
REVIEW = "List up to 20 habits, each with a rating from 1 to 5 and keep, adjust or pause."

#: (type, value, message): each value is wrong for a field of that type.
INVALID = [
    ("text", 5, TEXT_TYPE), ("text", ["list"], TEXT_TYPE), ("text", "a\x00b", CONTROL),
    ("text", "two\nlines", "Keep this on one line."), ("text", "x" * 301, "Keep this under 301 characters."),
    ("longtext", "x" * 5001, "Keep this under 5001 characters."), ("longtext", "bell\x07", CONTROL),
    ("choice", "c", CHOICE), ("choice", "A", CHOICE), ("choice", 1, CHOICE), ("choice", ["a"], CHOICE),
    ("multichoice", ["a", "a"], "Choose each option once."), ("multichoice", ["d"], CHOICES),
    ("multichoice", "a", CHOICES), ("multichoice", [1], CHOICES), ("checklist", ["x", "z"], CHOICES),
    *[("scale", value, "Use a number from 0 to 10.") for value in (11, -1, True, 7.0, "7.5", "seven", [5])],
    *[("date", value, "Use a date like 2026-12-24.")
      for value in ("24/12/2026", "2026-02-30", "2026-1-5", 20261224, "1850-01-01", date(2026, 12, 24))],
    *[("datetime", value, "Use a date and time like 2026-12-24T18:30.")
      for value in ("2026-12-24 18:30", "2026-12-24T25:00", "2026-12-24", 5)],
    *[("number", value, "Use a whole number from 0 to 999.") for value in (-1, 1000, False, 2.5, "1e3")],
    *[("minutes", value, "Use minutes from 1 to 1440.") for value in (0, 1441, "ten")],
    ("feeling_word", "to_be_heard", "Choose one of the feeling words."),
    ("feeling_word", "Glad", "Choose one of the feeling words."),
    ("need_word", "glad", "Choose one of the need words."), ("need_word", 3, "Choose one of the need words."),
    ("habit_ref", "future_us", "Choose one of the habits."), ("habit_ref", True, "Choose one of the habits."),
    ("habit_review", "keep", REVIEW), ("habit_review", ["Bids"], REVIEW),
    ("habit_review", [{"habit": "Bids", "rating": 6}], "Row 1: rate it from 1 to 5."),
    ("habit_review", [{"habit": "Bids"}, {"habit": "", "rating": 3}],
     "Row 2: name the habit in at most 64 characters."),
    ("habit_review", [{"habit": "x" * 65}], "Row 1: name the habit in at most 64 characters."),
    ("habit_review", [{"habit": "Bids", "decision": "drop"}], "Row 1: choose keep, adjust or pause."),
    ("habit_review", [{"habit": "Bids", "streak": 3}],
     "Row 1: only habit, rating and decision belong in a row."),
    ("habit_review", [{"habit": "Bids"}] * 21, "List at most 20 habits."),
]


@pytest.mark.parametrize(("kind", "value", "message"), INVALID,
                         ids=[f"{kind}-{index}" for index, (kind, _, _) in enumerate(INVALID)])
def test_an_invalid_value_gets_a_message_on_its_field_only(kind, value, message):
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)
    others = {key: fine for key, fine in (("text", "fine"), ("scale", 3), ("date", "2026-12-24"))
              if key != kind}

    with pytest.raises(ValidationError) as refused:
        schema.load({**others, kind: value})

    assert refused.value.messages == {kind: [message]}


def test_every_field_type_has_invalid_values():
    assert {kind for kind, _, _ in INVALID} == set(FIELD_TYPES)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers().filter(lambda n: not 0 <= n <= 10), st.floats(allow_nan=False), st.booleans(),
                 st.text().filter(lambda text: text.strip() and not FORM_NUMBER.fullmatch(text))))
def test_a_scale_refuses_anything_but_a_whole_number_in_range(value):
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)

    with pytest.raises(ValidationError) as refused:
        schema.load({"scale": value, "text": "fine"})

    assert refused.value.messages == {"scale": ["Use a number from 0 to 10."]}


@settings(max_examples=60, deadline=None)
@given(one_line, st.sampled_from(["\x00", "\x1b", "\x7f"]), st.integers(0, 5))
def test_text_with_a_control_character_is_refused(text, control, where):
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)
    where = min(where, len(text))

    with pytest.raises(ValidationError) as refused:
        schema.load({"longtext": text[:where] + control + text[where:]})

    assert refused.value.messages == {"longtext": ["Remove the invisible control character from this text."]}


def test_form_numbers_are_read_but_not_bools_or_floats():
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)

    assert schema.load({"scale": " 7 ", "number": "12", "minutes": 30}) == {"scale": 7, "number": 12,
                                                                             "minutes": 30}


def test_a_draft_drops_empty_answers_and_refuses_unknown_keys():
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)

    empty = {"text": "  ", "longtext": "", "multichoice": [], "scale": None}
    assert schema.load({**empty, "date": "2026-12-24"}) == {"date": "2026-12-24"}
    with pytest.raises(ValidationError) as refused:
        schema.load({"streak": 4, "text": "fine"})
    assert refused.value.messages == {"streak": ["This is not a question in this section."]}
    with pytest.raises(ValidationError) as refused:
        schema.load(["text"])
    assert refused.value.messages == {"_schema": ["Send the answers as a mapping of question to answer."]}


def test_seconds_of_a_datetime_are_dropped():
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)

    assert schema.load({"datetime": "2026-12-24T18:30:15"}) == {"datetime": "2026-12-24T18:30"}


def test_own_words_need_other_chosen_and_other_needs_own_words_on_submit():
    draft = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)
    submit = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=True)

    with pytest.raises(ValidationError) as refused:
        draft.load({"feeling_word": "glad", "feeling_word_other": "giddy"})
    assert refused.value.messages == {"feeling_word_other": ['Choose "other" to add your own words.']}
    assert draft.load({"checklist": ["other"]}) == {"checklist": ["other"]}
    with pytest.raises(ValidationError) as refused:
        submit.load({"checklist": ["x", "other"], "habit_ref": "other", "habit_ref_other": "Walks"})
    assert refused.value.messages == {"checklist_other": ["Please write your own words."]}


def test_habit_ref_takes_the_given_habits_and_other():
    schema = answers_schema(EVERY_TYPE, words=WORDS, habit_choices=HABITS, submit=False)
    without = answers_schema(EVERY_TYPE, words=WORDS, submit=False)

    assert schema.load({"habit_ref": "connection_bids"}) == {"habit_ref": "connection_bids"}
    assert without.load({"habit_ref": "other", "habit_ref_other": "Walks"}) == {"habit_ref": "other",
                                                                                 "habit_ref_other": "Walks"}
    with pytest.raises(ValidationError):
        without.load({"habit_ref": "connection_bids"})


def test_a_field_keyed_like_a_schema_method_still_loads():
    section = from_body({
        "key": "odd_keys", "version": 1, "title": "Odd keys", "intro": "Keys that are method names.",
        "mode": "per_partner", "est_minutes": 1, "closing": "Done.",
        "sections": [{"key": "odd", "title": "Odd", "help": "Answer.", "example": "An answer.", "fields": [
            {"key": "load", "type": "text", "label": "Load", "required": True},
            {"key": "validate", "type": "scale", "label": "Validate"},
            {"key": "fields", "type": "text", "label": "Fields"}]}]}).section("odd")

    schema = answers_schema(section, words=WORDS, submit=True)

    assert schema.load({"load": "x", "validate": "3", "fields": "y"}) == {"load": "x", "validate": 3,
                                                                           "fields": "y"}
    with pytest.raises(ValidationError) as refused:
        schema.load({"fields": "y"})
    assert refused.value.messages == {"load": ["Please answer this."]}


# -- show_if, finished and submit ---------------------------------------------------------------

ASK = LIBRARY["reassurance_log"].section("ask")


def keys(fields) -> list[str]:
    """The keys of some fields."""
    return [field.key for field in fields]


def test_show_if_shows_a_field_when_its_parent_has_one_of_the_values():
    assert keys(visible_fields(ASK, {})) == ["asked"]
    assert keys(visible_fields(ASK, {"asked": "no"})) == ["asked"]
    assert keys(visible_fields(ASK, {"asked": "yes"})) == ["asked", "request", "style", "response", "channel"]
    use = LIBRARY["feeling_words_practice"].section("use")
    assert "counter" in keys(visible_fields(use, {"answer": "not_now"}))
    assert "counter" not in keys(visible_fields(use, {"answer": "yes"}))


CHAIN = from_body({
    "key": "chain", "version": 1, "title": "Chain", "intro": "Nested questions.", "mode": "per_partner",
    "est_minutes": 1, "closing": "Done.",
    "sections": [{"key": "q", "title": "Q", "help": "Answer.", "example": "An answer.", "fields": [
        {"key": "a", "type": "choice", "label": "A", "required": True,
         "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]},
        {"key": "b", "type": "multichoice", "label": "B", "required": True,
         "show_if": {"field": "a", "in": ["yes"]},
         "options": [{"key": "more", "label": "More"}, {"key": "less", "label": "Less"}]},
        {"key": "c", "type": "text", "label": "C", "required": True,
         "show_if": {"field": "b", "in": ["more"]}},
    ]}]}).section("q")


def test_a_field_under_a_hidden_field_is_hidden_too():
    assert keys(visible_fields(CHAIN, {"a": "yes", "b": ["less", "more"]})) == ["a", "b", "c"]
    assert keys(visible_fields(CHAIN, {"a": "no", "b": ["more"]})) == ["a"]


@pytest.mark.parametrize(("answers", "done"), [
    ({}, False),
    ({"a": "no"}, True),
    ({"a": "yes"}, False),
    ({"a": "yes", "b": ["less"]}, True),
    ({"a": "yes", "b": ["more"]}, False),
    ({"a": "yes", "b": ["more"], "c": "  "}, False),
    ({"a": "yes", "b": ["more"], "c": "then"}, True),
])
def test_finished_means_every_visible_required_field_answered(answers, done):
    assert finished(CHAIN, answers) is done


def test_submit_asks_for_visible_required_fields_and_drops_hidden_answers():
    submit = answers_schema(CHAIN, words=WORDS, submit=True)
    draft = answers_schema(CHAIN, words=WORDS, submit=False)

    with pytest.raises(ValidationError) as refused:
        submit.load({"a": "yes", "b": ["more"]})
    assert refused.value.messages == {"c": ["Please answer this."]}
    with pytest.raises(ValidationError) as refused:
        submit.load({"a": "maybe"})
    assert refused.value.messages == {"a": ["Choose one of the options."]}
    assert submit.validate({"a": "yes", "b": ["more"]}) == {"c": ["Please answer this."]}
    assert submit.load({"a": "no", "b": ["more"], "c": "kept in a draft"}) == {"a": "no"}
    assert draft.load({"a": "no", "b": ["more"], "c": "kept in a draft"}) == {"a": "no", "b": ["more"],
                                                                             "c": "kept in a draft"}
    assert draft.load({}) == {}


def test_the_shipped_sections_submit():
    build = LIBRARY["feeling_words_practice"].section("build")
    submit = answers_schema(build, words=WORDS, submit=True)

    with pytest.raises(ValidationError) as refused:
        submit.load({"situation": "you're late", "feel": "other"})
    assert refused.value.messages == {"feel_other": ["Please write your own words."],
                                      "need": ["Please answer this."], "ask": ["Please answer this."]}


def test_a_form_without_javascript_gives_raw_answers():
    form = MultiDict([("ask-asked", "yes"), ("ask-style", "hinted"), ("ask-style", "named_feeling"),
                      ("ask-style", ""), ("ask-request", "   "),
                      ("ask-channel_other", "ignored: channel has no other"),
                      ("event-fear", "another section's"), ("csrf_token", "x")])

    assert form_answers(ASK, form) == {"asked": "yes", "style": ["hinted", "named_feeling"]}
    prep = LIBRARY["monthly_retro"].section("prep")
    rows = MultiDict([("prep-habits-1-habit", "Bids"), ("prep-habits-1-rating", "4"),
                      ("prep-habits-0-habit", "Check-in"), ("prep-habits-0-decision", "keep"),
                      ("prep-habits-2-habit", ""), ("prep-habits-2-rating", "")])
    assert form_answers(prep, rows) == {"habits": [{"habit": "Check-in", "decision": "keep"},
                                                   {"habit": "Bids", "rating": "4"}]}
    assert answers_schema(prep, words=WORDS, submit=False).load(form_answers(prep, rows)) == {
        "habits": [{"habit": "Check-in", "decision": "keep"}, {"habit": "Bids", "rating": 4}]}


# -- defaults -----------------------------------------------------------------------------------

FOLLOW = LIBRARY["repair_after_conflict"].section("follow")
TOGETHER = LIBRARY["monthly_retro"].section("together")


@pytest.mark.parametrize(("section", "today", "expected"), [
    (FOLLOW, date(2026, 3, 28), {"check_date": "2026-04-04"}),
    (FOLLOW, date(2026, 12, 28), {"check_date": "2027-01-04"}),
    (LIBRARY["boundaries"].section("review"), date(2026, 2, 20), {"review_date": "2026-03-06"}),
    (TOGETHER, date(2026, 1, 31), {"next_retro": "2026-02-28"}),
    (TOGETHER, date(2028, 1, 31), {"next_retro": "2028-02-29"}),
    (TOGETHER, date(2026, 12, 31), {"next_retro": "2027-01-31"}),
    (TOGETHER, date(2026, 3, 31), {"next_retro": "2026-04-30"}),
    (TOGETHER, date(2026, 5, 15), {"next_retro": "2026-06-15"}),
], ids=["7 days", "7 days into a new year", "14 days", "Jan 31 + 1m", "leap year", "Dec 31 + 1m",
        "Mar 31 + 1m", "mid-month"])
def test_date_defaults_are_worked_out_from_today(section, today, expected):
    assert default_answers(section, today, datetime(2026, 1, 1, 9, 0)) == expected


def test_now_and_literal_defaults():
    now = datetime(2026, 7, 4, 21, 7, 59)

    assert default_answers(LIBRARY["reassurance_log"].section("event"), date(2026, 7, 4), now) == {
        "at": "2026-07-04T21:07"}
    assert default_answers(LIBRARY["boundaries"].section("frame"), date(2026, 7, 4), now) == {
        "sentence": "I'm asking for ___ so we can be at our best, because ___."}
    assert default_answers(ASK, date(2026, 7, 4), now) == {}


def test_weeks_and_a_hidden_fields_default():
    section = from_body({
        "key": "tokens", "version": 1, "title": "Tokens", "intro": "Defaults.", "mode": "per_partner",
        "est_minutes": 1, "closing": "Done.",
        "sections": [{"key": "t", "title": "T", "help": "Answer.", "example": "An answer.", "fields": [
            {"key": "plan", "type": "choice", "label": "Plan", "default": "later",
             "options": [{"key": "now", "label": "Now"}, {"key": "later", "label": "Later"}]},
            {"key": "when", "type": "date", "label": "When", "default": "today+2w",
             "show_if": {"field": "plan", "in": ["later"]}},
            {"key": "today", "type": "date", "label": "Today", "default": "today"},
            {"key": "how", "type": "text", "label": "How", "default": "Gently",
             "show_if": {"field": "plan", "in": ["now"]}}]}]}).section("t")

    assert default_answers(section, date(2026, 2, 20), datetime(2026, 2, 20, 8, 0)) == {
        "plan": "later", "when": "2026-03-06", "today": "2026-02-20"}


# -- preview, lint, suggestions -----------------------------------------------------------------

PRACTICE = LIBRARY["feeling_words_practice"]


def test_the_preview_fills_in_words_and_marks_what_is_missing():
    answers = {"build": {"situation": "you're home late without a text", "feel": "worried",
                         "need": "to_be_heard", "ask": "send a quick message"}}

    assert definitions.preview(PRACTICE, answers, WORDS) == (
        "I feel worried when you're home late without a text. I need to be heard. "
        "Would you be willing to send a quick message?")
    assert definitions.preview(PRACTICE, {}, WORDS) == "I feel … when …. I need …. Would you be willing to …?"


def test_the_preview_shows_a_persons_own_words_for_other_and_never_reads_braces():
    answers = {"build": {"feel": "other", "feel_other": "wobbly", "need": "other",
                         "situation": "{ask} {feel}"}}

    assert definitions.preview(PRACTICE, answers, WORDS) == (
        "I feel wobbly when {ask} {feel}. I need …. Would you be willing to …?")
    assert definitions.preview(LIBRARY["boundaries"], {}, WORDS) is None


@pytest.mark.parametrize(("ask", "found"), [
    ("text me when you're late", []),
    ("ALWAYS text me", ["always"]),
    ("stop. Please.", ["stop"]),
    ("keep stopping by", []),
    ("nevertheless, call", []),
    ("you   should call and never forget", ["never", "you should"]),
    ("You Should", ["you should"]),
])
def test_lint_finds_whole_words_in_any_case(ask, found):
    notes = definitions.lint(PRACTICE, {"build": {"ask": ask}})

    assert sorted(note["word"] for note in notes) == found
    assert all(note["section"] == "build" and note["field"] == "ask" and "blame" in note["message"]
               for note in notes)


def test_lint_reads_nothing_when_nothing_is_written():
    assert definitions.lint(PRACTICE, {}) == []
    assert definitions.lint(LIBRARY["boundaries"], {"limit": {"what": "always"}}) == []


REFLECTION = LIBRARY["attachment_reflection"]


@pytest.mark.parametrize(("moves", "habits", "worksheets"), [
    ([], [], []),
    (["ask_for_reassurance"], ["soothe_then_ask", "heads_up_text"], ["reassurance_log"]),
    (["talk_it_through", "go_quiet"], ["autonomy_time", "pause_acknowledge", "daily_checkin"],
     ["boundaries", "feeling_words_practice"]),
    (["closeness_then_push_away"], ["feeling_words", "repair_ritual"], ["feeling_words_practice"]),
])
def test_moves_suggest_habits_and_worksheets(moves, habits, worksheets):
    chosen = definitions.suggestions(REFLECTION, {"unsure": {"moves": moves}})

    assert [habit for suggestion in chosen for habit in suggestion.habits] == habits
    assert [key for suggestion in chosen for key in suggestion.worksheets] == worksheets


def test_suggestions_never_name_a_style():
    every = definitions.suggestions(REFLECTION, {"unsure": {"moves": list(OPTIONS[(
        "attachment_reflection", "unsure", "moves")])}})

    assert len(every) == 4
    text = " ".join(suggestion.text for suggestion in every).lower()
    labels = ("anxious", "avoidant", "fearful", "secure", "style", "attachment")
    assert not any(word in text for word in labels)
