"""``flask --app practice habits check [FILE]``: check a habit catalogue before it ships."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from practice.homework.catalogue import OTHER, Catalogue, CatalogueError, load_catalogue

# What the commands print, in one place until Flask-Babel is wired. "other" is in each list, counted in none.
SUMMARY = ("{habits} habits, {suggested} suggested; "
           "{feelings} feeling words in {families} families; {needs} need words")

habits = AppGroup("habits", help="The habit catalogue (worksheets/habits.yaml and worksheets/feelings.yaml).")


def summary(loaded: Catalogue) -> str:
    """One line saying what a catalogue holds: "10 habits, 6 suggested; 28 feeling words in 6 ..."."""
    families = [family for family in loaded.feelings if family.key != OTHER]
    return SUMMARY.format(habits=len(loaded.habits), suggested=len(loaded.suggested()),
                          feelings=len(loaded.feeling_keys - {OTHER}), families=len(families),
                          needs=len(loaded.need_keys - {OTHER}))


# No app context: the check reads files only, so it works on a file the running app does not use.
@habits.command("check", with_appcontext=False)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--feelings", type=click.Path(dir_okay=False, path_type=Path),
              help="A feelings file to check instead of the shipped worksheets/feelings.yaml.")
def check(file, feelings):
    """Check a habits file (the shipped one by default) and the feeling words; exit 1 naming each problem."""
    try:
        loaded = load_catalogue(file, feelings)
    except CatalogueError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    click.echo(summary(loaded))


def init_app(app: Flask) -> None:
    """Add ``habits`` to ``flask --app practice``."""
    app.cli.add_command(habits)
