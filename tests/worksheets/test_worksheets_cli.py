"""``flask worksheets check``: the shipped definitions pass, a broken copy is named line by line."""

import click
from flask import Flask

from practice.worksheets import cli
from practice.worksheets.definitions import WORKSHEETS

SHIPPED_SUMMARY = "8 worksheets, 31 sections, 85 fields\n"
#: The sentence field of boundaries.yaml's third section, and the same with a type that does not exist.
TXT = ("        type: longtext\n        label: How I'll say it",
       "        type: txt\n        label: How I'll say it")


def edited(tmp_path, name, old, new):
    """A copy of a shipped file with one passage changed; fails if the passage is no longer there."""
    text = (WORKSHEETS / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}: update this test"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def bare_app() -> Flask:
    """An app with nothing but the worksheets commands: the check needs no database."""
    app = Flask(__name__)
    cli.init_app(app)
    return app


def test_check_passes_the_shipped_worksheets_with_a_summary():
    result = bare_app().test_cli_runner().invoke(args=["worksheets", "check"])

    assert result.exit_code == 0, result.output
    assert result.stdout == SHIPPED_SUMMARY
    assert result.stderr == ""


def test_check_passes_one_file():
    result = bare_app().test_cli_runner().invoke(args=["worksheets", "check",
                                                       str(WORKSHEETS / "boundaries.yaml")])

    assert result.exit_code == 0, result.output
    assert result.stdout == "1 worksheet, 8 sections, 19 fields\n"


def test_check_refuses_a_broken_file_naming_file_and_place(tmp_path):
    path = edited(tmp_path, "boundaries.yaml", *TXT)

    result = bare_app().test_cli_runner().invoke(args=["worksheets", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr == f'{path}: sections[2].fields[0].type: unknown type "txt"\n'
    assert result.stdout == ""


def test_check_prints_every_problem_on_its_own_line(tmp_path):
    path = edited(tmp_path, "reassurance_log.yaml", "est_minutes: 3", "est_minutes: three")
    path.write_text(path.read_text(encoding="utf-8").replace('in: ["yes"]', "in: [yes]", 1), encoding="utf-8")

    result = bare_app().test_cli_runner().invoke(args=["worksheets", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: est_minutes: must be a whole number",
        f"{path}: sections[2].fields[1].show_if.in[0]: is true or false to YAML: put it in quotes, "
        'like "yes" or "no"',
    ]


def test_check_names_a_missing_file(tmp_path):
    result = bare_app().test_cli_runner().invoke(args=["worksheets", "check", str(tmp_path / "walls.yaml")])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'walls.yaml'}: cannot be read: ")


def test_other_modules_can_add_commands_to_the_group():
    group = cli.worksheets

    assert isinstance(group, click.Group) and group.name == "worksheets"
    assert "check" in group.commands
    assert bare_app().cli.commands["worksheets"] is group


def test_check_runs_in_the_practice_app(app, tmp_path):
    cli.init_app(app)
    runner = app.test_cli_runner()
    path = edited(tmp_path, "boundaries.yaml", *TXT)

    assert runner.invoke(args=["worksheets", "check"]).stdout == SHIPPED_SUMMARY
    broken = runner.invoke(args=["worksheets", "check", str(path)])
    assert broken.exit_code == 1
    assert 'unknown type "txt"' in broken.stderr
