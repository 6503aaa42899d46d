"""The session notes API the draft's script uses: read a note, autosave it, get the between-sessions summary.

Only a note's author reaches it; any other note gives 404 before a body is read. Each write needs
the page's CSRF token in the ``X-CSRFToken`` header, as every form does. A save carries the version
the page loaded: one from an older version changes nothing and answers 409 with the words as they
are now; a signed note answers 409 to every save, so nothing can change it (SECURITY.md D1, D2).
"""

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from flask import g, jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import Schema, ValidationError, fields, validate

from practice import audit, pages
from practice.auth.guards import role_required
from practice.clock import utcnow
from practice.couples import access as couples_access
from practice.couples.summaries import summarise
from practice.extensions import db
from practice.notes import access, reading, services
from practice.notes.schemas import DetailsSchema, sections_schema
from practice.openapi import SIGNED_IN, SIGNED_IN_WRITE, ApiBlueprint, guard
from practice.seams import Viewer

bp = ApiBlueprint("notes_api", __name__, url_prefix="/api/v1/notes",
                  description="A counselor's own session notes: reading, autosaving a draft, the summary")


def _note_in_the_address() -> None:
    """The caller's own note, found before any body is read (anyone else's: 404)."""
    if request.view_args and "note_id" in request.view_args:
        note = access.authored_note(request.view_args["note_id"])
        couple = summarise(couples_access.counselor_couple(note.couple_id), current_user.display_name)
        g.session_note = (note, couple)


bp.before_request(lambda: guard("counselor", then=_note_in_the_address))


class NoteSectionSchema(Schema):
    """One section of a note."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    prompt = fields.String(required=True)
    text = fields.String(required=True)


class NoteAddendumSchema(Schema):
    """An addendum, as signed."""

    id = fields.String(required=True)
    body = fields.String(required=True)
    signed_at = fields.DateTime(required=True)
    content_hash = fields.String(required=True)
    intact = fields.Boolean(required=True)


class NoteSchema(Schema):
    """A session note, read by its author."""

    id = fields.String(required=True)
    format = fields.String(required=True)
    session_on = fields.Date(required=True)
    minutes = fields.Integer(allow_none=True, required=True)
    attended = fields.String(required=True)
    modality = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    signed_at = fields.DateTime(allow_none=True, required=True)
    content_hash = fields.String(required=True)
    intact = fields.Boolean(required=True)
    sections = fields.List(fields.Nested(NoteSectionSchema), required=True)
    addenda = fields.List(fields.Nested(NoteAddendumSchema), required=True)


class NoteSaveSchema(Schema):
    """An autosave: the session's details and every section's words, from ``version``."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    session_on = fields.Raw(required=True)
    minutes = fields.Raw(load_default=None)
    attended = fields.Raw(required=True)
    modality = fields.Raw(required=True)
    sections = fields.Dict(keys=fields.String(), required=True)


class NoteSavedSchema(Schema):
    """What a kept save answers."""

    version = fields.Integer(required=True)
    changed = fields.Boolean(required=True)
    saved_at = fields.DateTime(required=True)


class NoteConflictSchema(Schema):
    """A save that changed nothing: the draft is newer than the page, or the note is signed."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    version = fields.Integer(required=True)
    signed = fields.Boolean(required=True)
    sections = fields.Dict(required=True)


class NoteSummarySchema(Schema):
    """What happened between sessions, as text for the draft."""

    text = fields.String(required=True)


ERRORS = [(401, "Not signed in"), (403, "Not a counselor"), (404, "No such note of yours")]
WRITE_ERRORS = ((400, "The CSRF token is missing or stale"), (415, "The body is not JSON"),
                (422, "A detail or a section is not valid"))


def _today(couple) -> date:
    """The couple's day now."""
    return utcnow().astimezone(ZoneInfo(couple.time_zone)).date()


@bp.route("/<uuid:note_id>")
class Note(MethodView):
    """One of the signed-in counselor's notes."""

    @role_required("counselor")
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, NoteSchema)
    @bp.document_errors(*ERRORS)
    def get(self, note_id: uuid.UUID):
        """Return the note: details, sections, signature and addenda."""
        note, couple = g.session_note
        view = reading.note_view(note, couple, access.addenda_of([note.id])[note.id])
        return pages.read_json(NoteSchema().dump(view), action="note.api.view", object_type=services.NOTE,
                               object_id=note.id, couple_id=couple.id)

    @role_required("counselor")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(NoteSaveSchema)
    @bp.response(200, NoteSavedSchema)
    @bp.alt_response(409, schema=NoteConflictSchema, description="Nothing changed: a newer draft, or signed")
    @bp.document_errors(*ERRORS, *WRITE_ERRORS)
    def put(self, data, note_id: uuid.UUID):
        """Save the draft's details and words (an older version, or a signed note, changes nothing)."""
        note, couple = g.session_note
        if note.signed:
            return _conflict(note, couple, "This note is signed and can no longer change.")
        partners = {str(p.id): p.name for p in couple.partners}
        details = {key: data[key] for key in ("session_on", "minutes", "attended", "modality")
                   if data.get(key) not in (None, "")}
        try:
            loaded = DetailsSchema(partners=partners, today=_today(couple)).load(details)
            words = sections_schema([key for key, _ in note.titles]).load(data["sections"])
            changed = services.save_draft(note, data["version"], loaded, words)
        except ValidationError as error:
            db.session.rollback()
            api_abort(422, messages=error.messages)
        except services.StaleNote as stale:
            db.session.rollback()
            return _conflict(stale.note, couple, "This note was saved from another window after you "
                                                 "loaded it. Nothing was changed.")
        except services.NoteLocked:
            db.session.rollback()
            return _conflict(note, couple, "This note is signed and can no longer change.")
        db.session.commit()
        return {"version": note.version, "changed": changed, "saved_at": note.updated_at}


def _conflict(note, couple, message: str):
    """A 409 carrying the note's words as they are now (a read, audited)."""
    audit.record("note.api.view", obj=note, object_type=services.NOTE, couple_id=couple.id)
    sections = services.sections_of(note)
    db.session.commit()
    answer = jsonify(NoteConflictSchema().dump({
        "code": 409, "status": "Conflict", "message": message, "version": note.version,
        "signed": note.signed, "sections": sections}))
    answer.status_code = 409
    return answer


@bp.route("/<uuid:note_id>/summary")
class Summary(MethodView):
    """What happened since the couple's last signed note, to insert into the draft."""

    @role_required("counselor")
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, NoteSummarySchema)
    @bp.document_errors(*ERRORS)
    def get(self, note_id: uuid.UUID):
        """Return the between-sessions summary as text: each partner's habits and worksheets submitted."""
        note, couple = g.session_note
        viewer = Viewer(current_user.id, current_user.role, current_user.display_name)
        text = services.between_sessions(note, couple, viewer)
        return pages.read_json({"text": text}, action="note.summary.view", object_type=services.NOTE,
                               object_id=note.id, couple_id=couple.id)
