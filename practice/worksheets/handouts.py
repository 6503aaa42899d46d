"""Worksheet handouts: each worksheet blank for the session room, and an entry filled as its reader sees it.

A filled handout is built from :func:`practice.worksheets.entries.entry_view`, the same plain data
as the page, so a partner's PDF never carries the other partner's unshared answers and the
counselor's carries what was submitted (SECURITY.md Z4). ``flask --app practice worksheets pdf KEY
-o FILE`` writes a blank one.
"""

import uuid
from pathlib import Path

import click
from flask import Blueprint, Flask, abort
from flask_login import current_user
from flask_security import auth_required, roles_accepted

from practice import audit, pages, pdf, seams, words
from practice.auth.guards import role_required
from practice.couples import access as couples_access
from practice.couples.summaries import summarise
from practice.worksheets import access, definitions, entries, services
from practice.worksheets.cli import worksheets as worksheets_cli
from practice.worksheets.visibility import Reader

bp = Blueprint("worksheet_handouts", __name__)


def blank_data(worksheet) -> dict:
    """What a blank handout shows: the definition, the words to choose from, room to write."""
    return {"worksheet": worksheet, "words": words.words(), "view": None, "reader": "", "made_for": "",
            "habits": seams.habit_choices(None),
            "names": {"partner_a": "Partner A", "partner_b": "Partner B"}}


def filled_data(worksheet, view: dict, reader: str, couple, made_for: str) -> dict:
    """What a filled handout shows: the entry as its reader may see it."""
    return {"worksheet": worksheet, "words": words.words(), "view": view, "reader": reader,
            "made_for": made_for,
            "habits": seams.habit_choices(couple.id),
            "names": {"partner_a": couple.partners[0].first_name, "partner_b": couple.partners[1].first_name}}


@bp.get("/worksheets/<key>/blank.pdf")
@auth_required()
@roles_accepted("counselor", "partner")
def blank(key: str):
    """A blank handout of any worksheet, for the session room (no client data in it)."""
    worksheet = definitions.get(key) or abort(404)
    return pdf.download("worksheet.html", blank_data(worksheet), f"{key.replace('_', '-')}.pdf")


@bp.get("/couples/<uuid:couple_id>/worksheets/entries/<uuid:entry_id>.pdf")
@role_required("counselor")
def counselor_filled(couple_id: uuid.UUID, entry_id: uuid.UUID):
    """The counselor's copy of an entry: what each partner submitted, and the joint parts."""
    couple = summarise(couples_access.counselor_couple(couple_id), current_user.display_name)
    entry = access.couple_entry(couple.id, entry_id)
    worksheet = services.definition_of(entry.assignment)
    view = entries.entry_view(entry, entry.assignment, worksheet, couple, Reader("counselor"))
    made_for = f"{couple.label} (counselor's copy)"
    answer = pdf.download("worksheet.html", filled_data(worksheet, view, "counselor", couple, made_for),
                          f"{worksheet.key.replace('_', '-')}.pdf")
    audit.record("worksheet.pdf", obj=entry, object_type="worksheet_entry", couple_id=couple.id)
    pages.commit_keeping_rows()
    return answer


@bp.get("/portal/worksheets/<uuid:entry_id>.pdf")
@role_required("partner")
def partner_filled(entry_id: uuid.UUID):
    """A partner's copy: their own answers, what was shared with them, and the joint parts."""
    partner, couple = access.own_couple()
    entry = access.partner_entry(partner, entry_id)
    worksheet = services.definition_of(entry.assignment)
    view = entries.entry_view(entry, entry.assignment, worksheet, couple, Reader("partner", partner.id))
    made_for = f"{couple.partner(partner.id).name}'s copy"
    answer = pdf.download("worksheet.html", filled_data(worksheet, view, "partner", couple, made_for),
                          f"{worksheet.key.replace('_', '-')}.pdf")
    audit.record("worksheet.pdf", obj=entry, object_type="worksheet_entry", couple_id=couple.id)
    pages.commit_keeping_rows()
    return answer


@worksheets_cli.command("pdf")
@click.argument("key")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF.")
@click.option("--paper", default=None, help="A4 or Letter (by default the app's PDF_PAPER).")
def pdf_command(key: str, output: Path, paper: str | None):
    """Write a blank handout of the worksheet KEY as a tagged PDF."""
    worksheet = definitions.get(key)
    if worksheet is None:
        known = ", ".join(sorted(definitions.library()))
        raise click.UsageError(f'no worksheet "{key}"; choose one of {known}')
    output.write_bytes(pdf.render("worksheet.html", blank_data(worksheet), paper=paper))
    click.echo(f"{output}: {worksheet.title}, blank")


def init_app(app: Flask) -> None:
    """Add the handout downloads (the command joins ``flask worksheets`` when this module loads)."""
    app.register_blueprint(bp)
