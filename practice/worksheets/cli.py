"""``flask --app practice worksheets ...``: check worksheet definitions before they ship.

Other modules add their own commands to the same group::

    from practice.worksheets.cli import worksheets

    @worksheets.command("pdf")
    ...
"""

from collections.abc import Iterable
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from practice.worksheets.definitions import DefinitionError, Worksheet, load_file, load_folder

# What the commands print, in one place until Flask-Babel is wired.
SUMMARY = "{worksheets} {worksheets_word}, {sections} {sections_word}, {fields} {fields_word}"

worksheets = AppGroup("worksheets", help="Worksheet definitions (worksheets/*.yaml).")


def _counted(count: int, one: str, many: str) -> tuple[int, str]:
    """A count and the word that goes with it."""
    return count, one if count == 1 else many


def summary(loaded: Iterable[Worksheet]) -> str:
    """One line saying what the definitions hold: "8 worksheets, 31 sections, 85 fields"."""
    loaded = list(loaded)
    count, word = _counted(len(loaded), "worksheet", "worksheets")
    sections, sections_word = _counted(sum(len(each.sections) for each in loaded), "section", "sections")
    questions, fields_word = _counted(sum(each.field_count for each in loaded), "field", "fields")
    return SUMMARY.format(worksheets=count, worksheets_word=word, sections=sections,
                          sections_word=sections_word, fields=questions, fields_word=fields_word)


# No app context: the check reads files only, so it works on a file the running app does not use.
@worksheets.command("check", with_appcontext=False)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(file):
    """Check a worksheet file (every shipped one by default); exit 1 naming each problem."""
    try:
        loaded = [load_file(file)] if file else list(load_folder().values())
    except DefinitionError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    click.echo(summary(loaded))


def init_app(app: Flask) -> None:
    """Add ``worksheets`` to ``flask --app practice``."""
    app.cli.add_command(worksheets)
