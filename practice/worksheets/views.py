"""Worksheet pages: the counselor assigns, previews and reviews; a partner fills, submits and shares.

Every action is a plain form post, so the pages work without JavaScript; with it, the fill page
autosaves through the API (practice/worksheets/api.py). A form that does not validate comes back
with each message beside its field and everything typed kept (422); a save made from an older
version comes back with both texts side by side to merge (409).
"""

import uuid
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from practice import pages, seams, words
from practice.auth import drafts
from practice.auth.guards import role_required
from practice.couples import access as couples_access
from practice.couples.summaries import summarise
from practice.crisis import crisis_lines, crisis_resources
from practice.extensions import db
from practice.fields import RequiredText, Text, form_errors
from practice.worksheets import access, definitions, entries, services, visibility
from practice.worksheets.models import Visibility
from practice.worksheets.visibility import Reader

counselor_bp = Blueprint("worksheets", __name__, url_prefix="/couples/<uuid:couple_id>/worksheets")
partner_bp = Blueprint("my_worksheets", __name__, url_prefix="/portal/worksheets")

NOTE_LENGTH = 2000
#: Why a part's new words were not saved: it closed, or was submitted, after the page was loaded.
CLOSED = ("This part can no longer be changed here (it was submitted, or it is closed for now). "
          "What you typed is below, to copy.")
#: What a partner is told after changing who reads a submitted part.
SHARED = {
    Visibility.couple: "Shared with {partner}.",
    Visibility.when_both: "{partner} will see this part once they have answered it too, "
                          "and you will see theirs.",
    Visibility.counselor: "{partner} can no longer read this part. What they already read stays read.",
}
#: What a posted form carries besides its fields.
NOT_FIELDS = ("csrf_token", "worksheet")
COMMENT_LENGTH = 5000


class AssignSchema(Schema):
    """The assign form: when it is due and the counselor's note."""

    due_on = fields.Date(load_default=None, error_messages={"invalid": "Use a date like 2026-12-24."})
    note = Text(max_length=NOTE_LENGTH, single_line=False, load_default="")


class CommentSchema(Schema):
    """A comment back on an entry, to both partners or one."""

    body = RequiredText(label="a comment", max_length=COMMENT_LENGTH)
    to = fields.String(load_default="both")


class AcknowledgeSchema(Schema):
    """The counselor's note acknowledging a safety answer."""

    note = RequiredText(label="what you will do, for the record", max_length=COMMENT_LENGTH)


def _filled(form) -> dict:
    """A form with its empty fields left out, so defaults apply."""
    return {key: value for key, value in form.items() if value != "" and key not in NOT_FIELDS}


@counselor_bp.before_request
@role_required("counselor")
def _counselors_only():
    """Only counselors assign and review worksheets; the couple itself is checked by each view."""


@partner_bp.before_request
@role_required("partner")
def _partners_only():
    """Only partners fill worksheets."""


# -- the counselor ------------------------------------------------------------------------------


def _couple(couple_id: uuid.UUID, changing: bool = False):
    """The counselor's couple as plain data, or 404; an archived couple is not given new work."""
    row = couples_access.counselor_couple(couple_id)
    couple = summarise(row, current_user.display_name)
    if changing and couple.archived:
        flash(f"{couple.label} is archived. Restore them to give them worksheets.", "info")
        abort(redirect(url_for("couples.show", couple_id=couple.id), 303))
    return couple


@counselor_bp.route("/new", methods=["GET", "POST"])
def assign(couple_id: uuid.UUID):
    """Choose a worksheet, then give it to the couple with a due date and a note."""
    couple = _couple(couple_id, changing=True)
    key = request.values.get("worksheet")
    if not key:
        data = {"couple": couple, "worksheets": list(definitions.library().values())}
        return pages.read_page("worksheets/choose.html", data, action="worksheet.assign.view",
                               object_type="couple", object_id=couple.id, couple_id=couple.id)
    worksheet = definitions.get(key) or abort(404)
    form, errors, status = {"due_on": _default_due(worksheet, couple)}, {}, 200
    if request.method == "POST":
        try:
            services.assign(couple.id, worksheet, AssignSchema().load(_filled(request.form)))
        except ValidationError as error:
            db.session.rollback()
            form, errors, status = request.form, form_errors(error), 422
        else:
            db.session.commit()
            flash(f"{worksheet.title} given to {couple.label}.", "success")
            return redirect(url_for("couples.show", couple_id=couple.id, _anchor="panel-worksheets"))
    data = {"couple": couple, "worksheet": worksheet, "form": form, "errors": errors}
    return pages.read_page("worksheets/assign.html", data, action="worksheet.assign.view",
                           object_type="couple", object_id=couple.id, couple_id=couple.id, status=status)


def _default_due(worksheet, couple) -> str:
    """A week from today in the couple's days, or nothing for a worksheet kept open."""
    if worksheet.kept_open:
        return ""
    return (_today(couple) + timedelta(days=7)).isoformat()


def _today(couple) -> date:
    """The couple's day now, in their time zone."""
    return entries.local_now(couple.time_zone).date()


@counselor_bp.get("/preview/<key>")
def preview(couple_id: uuid.UUID, key: str):
    """A worksheet exactly as the partners will see it, with nothing saved."""
    couple = _couple(couple_id)
    worksheet = definitions.get(key) or abort(404)
    data = {"couple": couple, "worksheet": worksheet, "view": entries.blank_view(worksheet, couple),
            "preview": True, "errors": {}, "form": {}, "choices": visibility.CHOICES, "comments": [],
            "lint": [],
            "sentence": None, "suggested": (), "crisis": False, "conflicts": {}, **_choices(couple)}
    return pages.read_page("worksheets/fill.html", data, action="worksheet.preview", object_type="couple",
                           object_id=couple.id, couple_id=couple.id)


@counselor_bp.get("/entries/<uuid:entry_id>")
def review(couple_id: uuid.UUID, entry_id: uuid.UUID):
    """Both partners side by side, as far as the counselor may read, with comments and the reviewed mark."""
    couple = _couple(couple_id)
    entry = access.couple_entry(couple.id, entry_id)
    return _review_page(couple, entry, {}, {})


def _review_page(couple, entry, form, errors, status: int = 200):
    """The review page, audited as a counselor's view of the entry's answers."""
    assignment = entry.assignment
    worksheet = services.definition_of(assignment)
    view = entries.entry_view(entry, assignment, worksheet, couple, Reader("counselor"))
    data = {"couple": couple, "view": view, "worksheet": worksheet, "form": form, "errors": errors,
            "comments": entries.comments_of(entry, None, couple),
            "checks": view["concerns"], "states": entries.STATES}
    return pages.read_page("worksheets/review.html", data, action="worksheet.review.view", status=status,
                           object_type="worksheet_entry", object_id=entry.id, couple_id=couple.id)


@counselor_bp.post("/entries/<uuid:entry_id>/comments")
def add_comment(couple_id: uuid.UUID, entry_id: uuid.UUID):
    """Write a comment back to the couple, or to one partner."""
    couple = _couple(couple_id, changing=True)
    entry = access.couple_entry(couple.id, entry_id)
    try:
        data = CommentSchema().load(_filled(request.form))
        to = None if data["to"] == "both" else next(
            (p.id for p in couple.partners if str(p.id) == data["to"]), "bad")
        if to == "bad":
            raise ValidationError({"to": ["Choose both partners or one of them."]})
        if entry.owner_id:
            to = entry.owner_id  # one partner's own log entry: only its author reads comments on it
        services.comment(entry, couple.id, current_user, to, data["body"])
    except ValidationError as error:
        db.session.rollback()
        return _review_page(couple, entry, request.form, form_errors(error), status=422)
    db.session.commit()
    flash("Comment sent.", "success")
    return redirect(url_for("worksheets.review", couple_id=couple.id, entry_id=entry.id, _anchor="comments"))


@counselor_bp.post("/entries/<uuid:entry_id>/reviewed")
def reviewed(couple_id: uuid.UUID, entry_id: uuid.UUID):
    """Mark an entry as reviewed."""
    couple = _couple(couple_id, changing=True)
    entry = access.couple_entry(couple.id, entry_id)
    services.mark_reviewed(entry, couple.id, current_user)
    db.session.commit()
    flash("Marked as reviewed.", "success")
    return redirect(url_for("worksheets.review", couple_id=couple.id, entry_id=entry.id))


@counselor_bp.post("/<uuid:assignment_id>/close")
def close(couple_id: uuid.UUID, assignment_id: uuid.UUID):
    """Take a worksheet back; what was written stays readable."""
    couple = _couple(couple_id, changing=True)
    assignment = access.couple_assignment(couple.id, assignment_id)
    services.close(assignment)
    db.session.commit()
    flash("Worksheet closed. What the partners wrote stays here.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id, _anchor="panel-worksheets"))


@counselor_bp.post("/safety/<uuid:check_id>/acknowledge")
def acknowledge(couple_id: uuid.UUID, check_id: uuid.UUID):
    """Acknowledge a partner's safety answer with a note; the flag goes from the caseload and couple page."""
    couple = _couple(couple_id)
    check = access.couple_safety_check(couple.id, check_id)
    try:
        services.acknowledge(check, current_user, AcknowledgeSchema().load(_filled(request.form))["note"])
    except ValidationError as error:
        db.session.rollback()
        entry = access.couple_entry(couple.id, check.entry_id)
        return _review_page(couple, entry, request.form, form_errors(error), status=422)
    db.session.commit()
    flash("Acknowledged. Your note is kept with the answer.", "success")
    return redirect(url_for("worksheets.review", couple_id=couple.id, entry_id=check.entry_id))


# -- the partner --------------------------------------------------------------------------------


@partner_bp.get("")
def mine():
    """The partner's worksheets: what to fill, what is done, and the reassurance log's entries."""
    partner, couple = access.own_couple()
    reader = Reader("partner", partner.id)
    data = {"couple": couple, "worksheets": entries.couple_list(couple, reader)[0]}
    return pages.read_page("worksheets/mine.html", data, action="worksheets.list.view",
                           object_type="couple", object_id=couple.id, couple_id=couple.id)


@partner_bp.post("/assignments/<uuid:assignment_id>/entries")
def new_entry(assignment_id: uuid.UUID):
    """Start a new entry of a worksheet kept open (a reassurance log entry)."""
    partner, couple = access.own_couple()
    assignment = access.partner_assignment(partner, assignment_id)
    if not assignment.repeatable or assignment.closed_at:
        abort(404)
    entry = services.start_entry(assignment, partner.id)
    db.session.commit()
    return redirect(url_for("my_worksheets.fill", entry_id=entry.id))


@partner_bp.get("/<uuid:entry_id>")
def fill(entry_id: uuid.UUID):
    """The worksheet to fill: one section a screen on a phone, all of it on a desktop."""
    partner, couple = access.own_couple()
    entry = access.partner_entry(partner, entry_id)
    draft = drafts.take(request.path)
    if draft:
        flash("Here is what you were typing when you were signed out. Check it, then save.", "info")
    return _fill_page(partner, couple, entry, _as_form(draft), {})


def _as_form(draft: dict | None) -> MultiDict:
    """A kept draft as the posted form it was (ticked boxes are kept as lists)."""
    return MultiDict([(key, value) for key, values in (draft or {}).items()
                      for value in (values if isinstance(values, list) else [values])])


def _fill_page(partner, couple, entry, form, errors, *, conflicts=None, status: int = 200):
    """The fill page, audited as the partner's view of the entry."""
    assignment = entry.assignment
    worksheet = services.definition_of(assignment)
    view = entries.entry_view(entry, assignment, worksheet, couple, Reader("partner", partner.id))
    view["partner_name"] = couple.other_than(partner.id).first_name
    answers = {s["key"]: (s["mine"] or s["joint"] or {}).get("answers", {}) for s in view["sections"]}
    # Only the reader's own words can show them the crisis lines, never what their partner wrote.
    own_words = {s["key"]: s["mine"]["answers"] for s in view["sections"] if s["mine"]}
    own_words.update({s["key"]: {f: v for f, v in s["joint"]["answers"].items()
                                 if s["joint"]["by_ids"].get(f) == str(partner.id)}
                      for s in view["sections"] if s["joint"]})
    data = {"couple": couple, "worksheet": worksheet, "view": view, "form": form, "errors": errors,
            "preview": False, "conflicts": _conflict_rows(worksheet, conflicts or {}, couple),
            "choices": visibility.CHOICES,
            "lint": definitions.lint(worksheet, answers),
            "sentence": definitions.preview(worksheet, answers, _words()),
            "suggested": definitions.suggestions(worksheet, answers),
            "comments": entries.comments_of(entry, partner.id, couple),
            "crisis": entries.crisis_words_in(own_words), **_support(),
            "prompt": entries.reassurance_prompt(assignment, worksheet, partner.id, couple.time_zone)
            if entry.owner_id == partner.id else None,
            **_choices(couple, partner.id, worksheet)}
    return pages.read_page("worksheets/fill.html", data, action="worksheet.view", status=status,
                           object_type="worksheet_entry", object_id=entry.id, couple_id=couple.id)


def _conflict_rows(worksheet, conflicts: dict, couple) -> dict:
    """Each conflicting part's newer answers as label and words, the way the page shows answers."""
    names = {"partner_a": couple.partners[0].first_name, "partner_b": couple.partners[1].first_name}
    names.update({str(p.id): p.first_name for p in couple.partners})
    return {key: {"rows": entries.shown_rows(worksheet.section(key), conflict.answers, names),
                  "scope": worksheet.section(key).scope}
            for key, conflict in conflicts.items()}


def _support() -> dict:
    """The crisis and abuse lines, shown inline to a partner whose words or answer ask for them."""
    resources = crisis_resources(current_app)
    return {"crisis_lines": crisis_lines(resources), "emergency": resources.get("emergency_number", "")}


def _choices(couple, partner_id=None, worksheet=None) -> dict:
    """What the fields offer: the feeling and need words, the habits, a monthly review's habit rows."""
    today = _today(couple)
    reviews = worksheet is not None and any(
        field.type == "habit_review" for section in worksheet.sections for field in section.fields)
    rows = seams.habit_review(couple.id, partner_id, today - timedelta(days=30), today) if reviews else []
    return {"words": _words(), "habits": seams.habit_choices(couple.id), "review_rows": rows,
            "names": {"partner_a": couple.partners[0].first_name, "partner_b": couple.partners[1].first_name}}


def _words():
    """The feeling and need words."""
    return words.words()


@partner_bp.post("/<uuid:entry_id>")
def save(entry_id: uuid.UUID):
    """Save every part the partner may write on this page; with ``go=submit``, then submit their own parts.

    Each part is saved from the version the page loaded; a part whose answers nobody changed is
    left alone, so posting the whole page never overwrites the partner's newer joint answers.
    """
    partner, couple = access.own_couple()
    entry = access.partner_entry(partner, entry_id)
    worksheet = services.definition_of(entry.assignment)
    if entry.assignment.closed_at:
        flash("Your counselor has closed this worksheet, so it can no longer be changed.", "info")
        return redirect(url_for("my_worksheets.fill", entry_id=entry.id))
    view = entries.entry_view(entry, entry.assignment, worksheet, couple, Reader("partner", partner.id))
    errors, conflicts = {}, {}
    for shown in view["sections"]:
        key = shown["key"]
        if f"{key}-_version" not in request.form:
            continue
        section = worksheet.section(key)
        raw = definitions.form_answers(section, request.form)
        if view["safety_needed"] or not entries.writable(shown):
            # The part closed (or was submitted) since the page was loaded: keep the words, say so.
            if services.changed(section, couple.id, raw, request.form.get(f"{key}-_loaded", "")):
                errors[f"{key}-_section"] = CLOSED
            continue
        try:
            result = services.save_section(
                entry, couple.id, section, partner.id, raw, _number(request.form.get(f"{key}-_version")),
                request.form.get(f"{key}-_loaded", ""))
        except ValidationError as error:
            errors.update(_field_errors(key, error.messages))
            continue
        if isinstance(result, services.Conflict):
            conflicts[key] = result
    if errors or conflicts:
        # Nothing is kept: the page comes back with everything typed, and the newer words to merge.
        db.session.rollback()
        return _fill_page(partner, couple, access.partner_entry(partner, entry_id), request.form, errors,
                          conflicts=conflicts, status=422 if errors else 409)
    go = request.form.get("go", "")
    if go == "submit":
        return _submit(partner, couple, entry, worksheet)
    db.session.commit()
    flash("Saved. Only you can read your own parts until you submit them.", "success")
    return redirect(url_for("my_worksheets.fill", entry_id=entry.id, _anchor=f"s-{go}" if go else None))


def _number(value) -> int:
    """A version counter from the page; anything that is not one counts as a page that loaded nothing."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _field_errors(section_key: str, messages: dict) -> dict:
    """A section's messages keyed by the form's field names, each one sentence."""
    return {f"{section_key}-{field}": " ".join(found) if isinstance(found, list) else
            " ".join(str(m) for m in (found.values() if isinstance(found, dict) else [found]))
            for field, found in messages.items()}


def _submit(partner, couple, entry, worksheet):
    """Submit the partner's own parts, each shared as chosen on the page; every needed answer first."""
    choices = {}
    for section in worksheet.sections:
        chosen = request.form.get(f"share-{section.key}", Visibility.counselor.value)
        if chosen in (Visibility.counselor, Visibility.couple, Visibility.when_both):
            choices[section.key] = Visibility(chosen)
    try:
        services.submit(entry, couple.id, worksheet, partner.id, choices)
    except ValidationError as error:
        db.session.commit()  # what was typed is saved as a draft; only the submit waits
        errors = {}
        for key, found in error.messages.items():
            errors.update(_field_errors(key, found))
        flash("A few answers are still needed before you submit. Each one is marked below.", "error")
        return _fill_page(partner, couple, entry, request.form, errors, status=422)
    db.session.commit()
    flash("Submitted. Your counselor can read your parts now.", "success")
    return redirect(url_for("my_worksheets.fill", entry_id=entry.id))


@partner_bp.post("/<uuid:entry_id>/responses/<uuid:response_id>/share")
def share(entry_id: uuid.UUID, response_id: uuid.UUID):
    """Share a submitted section with the partner, or withdraw it going forward."""
    partner, couple = access.own_couple()
    entry = access.partner_entry(partner, entry_id)
    response = access.own_response(partner, entry, response_id)
    try:
        to = Visibility(request.form.get("to", ""))
        services.share(response, couple.id, to)
    except (ValueError, ValidationError):
        db.session.rollback()
        flash("Choose who can read this part.", "error")
        return redirect(url_for("my_worksheets.fill", entry_id=entry.id))
    db.session.commit()
    other = couple.other_than(partner.id).first_name
    flash(SHARED[to].format(partner=other), "success")
    return redirect(url_for("my_worksheets.fill", entry_id=entry.id, _anchor=f"s-{response.section_key}"))


@partner_bp.post("/<uuid:entry_id>/safety")
def safety(entry_id: uuid.UUID):
    """The private safety question before the worksheet: the answer goes to the counselor only."""
    partner, couple = access.own_couple()
    entry = access.partner_entry(partner, entry_id)
    if not services.definition_of(entry.assignment).safety_check:
        abort(404)
    answer = request.form.get("afraid")
    if answer not in ("yes", "no"):
        return _fill_page(partner, couple, entry, {}, {"afraid": "Choose yes or no."}, status=422)
    services.answer_safety(entry, couple.id, partner.id, answer == "yes")
    db.session.commit()
    return redirect(url_for("my_worksheets.fill", entry_id=entry.id))


@partner_bp.get("/viewed")
def viewed():
    """Who has read the partner's answers, and when."""
    partner, couple = access.own_couple()
    data = {"couple": couple, "views": entries.views_of(couple, partner.id)}
    return pages.read_page("worksheets/viewed.html", data, action="worksheets.views.view",
                           object_type="couple", object_id=couple.id, couple_id=couple.id)
