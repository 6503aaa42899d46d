"""Session note pages: the couple's notes, writing a draft, signing it, addenda, search, the admin's register.

Every action is a plain form post, so the pages work without JavaScript; with it, the draft
autosaves through the API (practice/notes/api.py). A form that does not validate comes back with
each message beside its field and everything typed kept (422); a save made from an older version
comes back with both texts side by side (409). Only a note's author ever reads its words.
"""

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from practice import audit, crypto, pages
from practice.auth import drafts, throttle
from practice.auth.guards import role_required
from practice.auth.models import User
from practice.clock import utcnow
from practice.couples import access as couples_access
from practice.couples.summaries import summarise
from practice.extensions import db, limiter
from practice.fields import form_errors, without_control_characters
from practice.notes import access, formats, reading, search, services
from practice.notes.models import BOTH, Modality, SessionNote
from practice.notes.schemas import MODALITIES, AddendumSchema, DetailsSchema, sections_schema
from practice.seams import Viewer

bp = Blueprint("notes", __name__)
register_bp = Blueprint("notes_register", __name__, url_prefix="/admin/notes")

#: A posted section's field name: ``section.<key>``.
SECTION = "section."
DETAILS = ("session_on", "minutes", "attended", "modality")
#: The note search, encrypted; "fresh_" keys end with the sign-in (practice.auth.sessions).
SEARCH = "fresh_note_search"
LOCKED = "This note is signed and can no longer change. Add an addendum below instead."
REFUSED = "That is not your password or a current code from your authenticator app."

#: Set on a request whose password or code was wrong: only those count against the limit.
REFUSED_MARK = "securebase.identity_refused"
TOO_MANY = "Too many wrong tries. Wait a few minutes, then sign again; your words are still here."


def _too_many_tries(limit):
    """Past the limit of wrong passwords or codes: the page again with every word kept, never a bare 429."""
    couple = _couple(request.view_args["couple_id"])
    note = access.own_note(couple.id, request.view_args["note_id"])
    kept = {key: value for key, value in request.form.items() if key != "secret"}
    field = "secret" if request.endpoint == "notes.save" else "addendum_secret"
    html, _ = _note_page(couple, note, form=kept, errors={field: TOO_MANY}, status=429)
    return current_app.response_class(html, status=429, mimetype="text/html")


def _signing_limit(**kwargs):
    """Wrong passwords or codes count against the account, as failed sign-ins do (auth/throttle.py)."""
    return limiter.limit(throttle.per_account_limit, key_func=throttle.account_key, methods=["POST"],
                         deduct_when=lambda response: request.environ.get(REFUSED_MARK, False),
                         scope="notes.sign:account", on_breach=_too_many_tries, **kwargs)


@bp.before_request
@role_required("counselor")
def _counselors_only():
    """Only counselors write notes; each view checks the couple and the note's author."""


@register_bp.before_request
@role_required("admin")
def _admins_only():
    """Only the practice admin sees the register."""


def _couple(couple_id: uuid.UUID):
    """The counselor's couple as plain data, or 404."""
    return summarise(couples_access.counselor_couple(couple_id), current_user.display_name)


def _today(couple) -> date:
    """The couple's day now, in their time zone."""
    return utcnow().astimezone(ZoneInfo(couple.time_zone)).date()


def _partners(couple) -> dict[str, str]:
    """The couple's partners by id, for "who came"."""
    return {str(p.id): p.name for p in couple.partners}


# -- the couple's notes ---------------------------------------------------------------------------


@bp.get("/couples/<uuid:couple_id>/notes", endpoint="list")
def couple_notes(couple_id: uuid.UUID):
    """The counselor's notes of a couple, newest first, with format, date and state."""
    couple = _couple(couple_id)
    notes = db.session.scalars(select(SessionNote).where(
        SessionNote.couple_id == couple.id, SessionNote.author_id == current_user.id)
        .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc())).all()
    rows = [_row(note, couple) for note in notes]
    return pages.read_page("notes/list.html", {"couple": couple, "notes": rows}, action="notes.list.view",
                           object_type="couple", object_id=couple.id, couple_id=couple.id)


def _row(note: SessionNote, couple) -> dict:
    """A note as one line of a list."""
    fmt = formats.formats().get(note.format)
    return {"id": note.id, "couple_id": note.couple_id, "session_on": note.session_on,
            "format_title": fmt.title if fmt else note.format.upper(), "signed": note.signed,
            "signed_at": note.signed_at, "updated_at": note.updated_at,
            "modality_text": MODALITIES[Modality(note.modality)],
            "attended_text": reading.attended_text(note, couple)}


@bp.route("/couples/<uuid:couple_id>/notes/new", methods=["GET", "POST"])
def new(couple_id: uuid.UUID):
    """Start a note: its format and the session's details."""
    couple = _couple(couple_id)
    today = _today(couple)
    form, errors, status = {"session_on": today.isoformat(), "attended": BOTH, "minutes": "50",
                            "modality": Modality.in_person.value, "format": "dap"}, {}, 200
    kept = drafts.take(request.path) if request.method == "GET" else None
    if kept:
        flash("Here is what you were typing when you were signed out. Check it, then start.", "info")
        form = {**form, **kept}
    if request.method == "POST":
        form = request.form
        chosen = formats.formats().get(form.get("format", ""))
        try:
            details = DetailsSchema(partners=_partners(couple), today=today).load(_details_of(form))
            if chosen is None:
                raise ValidationError({"format": ["Choose a format."]})
        except ValidationError as error:
            errors, status = form_errors(error), 422
            if chosen is None:
                errors.setdefault("format", "Choose a format.")
        else:
            note = services.start(couple.id, current_user, chosen, details)
            db.session.commit()
            return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id), 303)
    data = {"couple": couple, "form": form, "errors": errors, "formats": formats.formats(),
            "modalities": MODALITIES, "today": today}
    return pages.read_page("notes/new.html", data, action="note.new.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id, status=status)


def _details_of(form) -> dict:
    """The posted session details, empty ones left out so the schema says what is missing."""
    return {name: form[name] for name in DETAILS if form.get(name, "") != ""}


def _sections_of(form, note: SessionNote) -> dict:
    """The posted words of each of the note's sections, by key."""
    keys = [key for key, _ in note.titles]
    # A browser posts line breaks as CRLF; the script's autosave sends LF: one spelling is stored.
    return {key: form[SECTION + key].replace("\r\n", "\n") for key in keys if SECTION + key in form}


# -- one note ------------------------------------------------------------------------------------


@bp.get("/couples/<uuid:couple_id>/notes/<uuid:note_id>")
def show(couple_id: uuid.UUID, note_id: uuid.UUID):
    """A draft to write (with what was typed when the session ended, if anything), or a signed note."""
    couple = _couple(couple_id)
    note = access.own_note(couple.id, note_id)
    kept = drafts.take(request.path + "/addenda" if note.signed else request.path)
    if kept:
        flash("Here is what you were typing when you were signed out. Check it, then save.", "info")
    return _note_page(couple, note, form=kept or {}, errors={})


def _note_page(couple, note: SessionNote, *, form, errors, status: int = 200, conflict=None):
    """The note's page: the editor for a draft, the signed note with its addenda otherwise."""
    addenda = access.addenda_of([note.id])[note.id]
    view = reading.note_view(note, couple, addenda, history=True)
    data = {"couple": couple, "note": view, "form": form, "errors": errors, "conflict": conflict,
            "modalities": MODALITIES, "section_field": SECTION, "today": _today(couple)}
    template = "notes/signed.html" if note.signed else "notes/edit.html"
    return pages.read_page(template, data, action="note.view", object_type=services.NOTE,
                           object_id=note.id, couple_id=couple.id, status=status)


@bp.post("/couples/<uuid:couple_id>/notes/<uuid:note_id>")
@_signing_limit(exempt_when=lambda: request.form.get("action") != "sign")
def save(couple_id: uuid.UUID, note_id: uuid.UUID):
    """Save the draft (and insert the between-sessions summary, or sign it, when asked)."""
    couple = _couple(couple_id)
    note = access.own_note(couple.id, note_id)
    form = request.form
    if note.signed:
        return _locked(couple, note, form)
    action = form.get("action", "save")
    try:
        details = DetailsSchema(partners=_partners(couple), today=_today(couple)).load(_details_of(form))
        words = sections_schema([key for key, _ in note.titles]).load(_sections_of(form, note))
        version = int(form.get("version", ""))
    except ValidationError as error:
        errors = form_errors(error)
        return _note_page(couple, note, form=form, errors={SECTION + k if k in dict(note.titles) else k: v
                                                           for k, v in errors.items()}, status=422)
    except ValueError:
        return _note_page(couple, note, form=form, errors={"version": "Reload the page and try again."},
                          status=422)
    if action == "summary":
        words = _with_summary(note, couple, words)
    try:
        services.save_draft(note, version, details, words)
    except services.StaleNote as stale:
        db.session.rollback()
        # The words as posted, to be saved over the newer version only once the counselor chooses to.
        return _note_page(couple, stale.note, form={**form.to_dict(), "version": str(stale.note.version)},
                          errors={}, status=409, conflict=services.sections_of(stale.note))
    except services.NoteLocked:
        db.session.rollback()
        return _locked(couple, note, form)
    db.session.commit()
    if action == "sign":
        return _sign(couple, note, form)
    flash("Summary inserted." if action == "summary" else "Draft saved.", "success")
    return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id, _anchor=(
        "section-" + note.titles[0][0]) if action == "summary" else None), 303)


def _locked(couple, note: SessionNote, form):
    """A save that reached a note signed meanwhile: the signed note, the posted words in the addendum box."""
    words = "\n\n".join(value.strip() for key, value in form.items()
                         if key.startswith(SECTION) and value.strip())
    flash(LOCKED + (" What you typed is in the addendum box, not saved." if words else ""), "info")
    return _note_page(couple, note, form={"body": words}, errors={}, status=409)


def _with_summary(note: SessionNote, couple, words: dict) -> dict:
    """The words with the between-sessions summary added to the end of the first section."""
    first = note.titles[0][0]
    summary = services.between_sessions(note, couple, _viewer())
    text = words.get(first, "").rstrip()
    audit.record("note.summary", obj=note, object_type=services.NOTE, couple_id=couple.id)
    return {**words, first: f"{text}\n\n{summary}" if text else summary}


def _viewer() -> Viewer:
    """The signed-in counselor as the seams see them."""
    return Viewer(current_user.id, current_user.role, current_user.display_name)


def _sign(couple, note: SessionNote, form):
    """Sign the saved draft with the password or code typed beside the button."""
    try:
        services.sign(note, current_user, form.get("secret", ""))
    except services.NotConfirmed:
        db.session.commit()  # the refused attempt's audit event
        request.environ[REFUSED_MARK] = True
        kept = {key: value for key, value in form.items() if key not in ("secret", "version")}
        return _note_page(couple, db.session.get(SessionNote, note.id), form=kept,
                          errors={"secret": REFUSED}, status=422)
    except (services.StaleNote, services.NoteLocked):
        db.session.rollback()
        flash("This note changed in another window while you signed it. Check it, then sign again.", "info")
        return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id), 303)
    except services.NothingToSign:
        db.session.rollback()
        return _note_page(couple, note, form={}, errors={"secret": "Write something in the note before "
                                                                    "signing it."}, status=422)
    db.session.commit()
    flash("Signed. The note is locked; you can add signed addenda to it.", "success")
    return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id), 303)


@bp.get("/couples/<uuid:couple_id>/notes/<uuid:note_id>/addenda")
@bp.get("/couples/<uuid:couple_id>/notes/<uuid:note_id>/discard")
def back_to_note(couple_id: uuid.UUID, note_id: uuid.UUID):
    """Where signing in again sends a form that was posted as the session ended: its note."""
    note = access.own_note(_couple(couple_id).id, note_id)
    return redirect(url_for("notes.show", couple_id=note.couple_id, note_id=note.id), 303)


@bp.post("/couples/<uuid:couple_id>/notes/<uuid:note_id>/addenda")
@_signing_limit()
def add_addendum(couple_id: uuid.UUID, note_id: uuid.UUID):
    """Add signed words to a signed note."""
    couple = _couple(couple_id)
    note = access.own_note(couple.id, note_id)
    if not note.signed:
        flash("A draft is not added to: change it, then sign it.", "info")
        return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id), 303)
    try:
        data = AddendumSchema().load({key: request.form.get(key, "") for key in ("body", "secret")})
        services.add_addendum(note, current_user, data["body"], data["secret"])
    except ValidationError as error:
        return _note_page(couple, note, form=request.form, errors=form_errors(error), status=422)
    except services.NotConfirmed:
        db.session.commit()
        request.environ[REFUSED_MARK] = True
        return _note_page(couple, note, form={"body": request.form.get("body", "")},
                          errors={"addendum_secret": REFUSED}, status=422)
    db.session.commit()
    flash("Addendum signed and added.", "success")
    return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id, _anchor="addenda"), 303)


@bp.post("/couples/<uuid:couple_id>/notes/<uuid:note_id>/discard")
def discard(couple_id: uuid.UUID, note_id: uuid.UUID):
    """Delete a draft; a signed note is kept for good."""
    couple = _couple(couple_id)
    note = access.own_note(couple.id, note_id)
    try:
        services.discard(note)
        db.session.flush()
    except (services.NoteLocked, StaleDataError):
        db.session.rollback()
        flash(LOCKED, "info")
        return redirect(url_for("notes.show", couple_id=couple.id, note_id=note.id), 303)
    db.session.commit()
    flash("Draft discarded.", "success")
    return redirect(url_for("notes.list", couple_id=couple.id), 303)


# -- search ---------------------------------------------------------------------------------------


@bp.route("/notes/", methods=["GET", "POST"], endpoint="search")
def search_page():
    """Search the counselor's own notes by words; the words are posted, never put in the address."""
    if request.method == "POST":
        typed = "" if request.form.get("clear") else request.form.get("q", "")
        words = without_control_characters(typed).strip()[:200]
        _keep_search(words)
        return redirect(url_for("notes.search", search="1" if words else None), 303)
    words = _kept_search() if request.args.get("search") == "1" else _keep_search("")
    found = search.search(current_user.id, words) if words else None
    # Each couple whose notes the results show has the read in its own trail.
    for couple_id in dict.fromkeys(note["couple_id"] for note in (found or {}).get("notes", [])):
        audit.record("notes.search.read", object_type="couple", object_id=couple_id, couple_id=couple_id)
    return pages.read_page("notes/search.html", {"q": words, "found": found}, action="notes.search",
                           object_type="user", object_id=current_user.id)



def _keep_search(words: str) -> str:
    """Keep the search for this sign-in, encrypted; an empty one forgets it."""
    if words:
        session[SEARCH] = crypto.encrypt(words, context=f"note-search:{current_user.id}")
    else:
        session.pop(SEARCH, None)
    return words


def _kept_search() -> str:
    """The search this sign-in made last, or nothing."""
    try:
        return crypto.decrypt(session.get(SEARCH, ""), context=f"note-search:{current_user.id}")
    except crypto.DecryptionError:
        return ""


# -- the admin's register --------------------------------------------------------------------------


@register_bp.get("")
def register():
    """That each note exists (date, author, signed or not), never what it says nor whose it is."""
    rows = db.session.execute(
        select(SessionNote.session_on, SessionNote.status, SessionNote.signed_at, SessionNote.created_at,
               User.name, User.email)
        .join(User, User.id == SessionNote.author_id)
        .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc()).limit(500)).all()
    return pages.read_page("notes/register.html", {"rows": rows}, action="notes.register.view")
