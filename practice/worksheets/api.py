"""The worksheets API the fill page's script uses: read an entry, autosave a section, submit, share.

Each write needs the page's CSRF token in the ``X-CSRFToken`` header, as every form does. A save
carries the version the page loaded: a save from an older version changes nothing and answers 409
with the answers as they are now, so the page can offer to merge (SECURITY.md D1, D2).
"""

import uuid

from flask import abort, g, jsonify, request
from flask.views import MethodView
from flask_smorest import abort as api_abort
from marshmallow import Schema, ValidationError, fields, validate

from practice import audit, pages
from practice.auth.guards import role_required
from practice.extensions import db
from practice.openapi import SIGNED_IN, SIGNED_IN_WRITE, ApiBlueprint, guard
from practice.worksheets import access, entries, services
from practice.worksheets.models import Visibility
from practice.worksheets.visibility import Reader

bp = ApiBlueprint("worksheets_api", __name__, url_prefix="/api/v1/worksheets",
                  description="A partner's worksheets: reading an entry, autosaving, submitting and sharing")

SHARED = [Visibility.counselor.value, Visibility.couple.value, Visibility.when_both.value]


def _entry_in_the_address() -> None:
    """The partner's own couple's entry, found before any body is read (another couple's: 404)."""
    if request.view_args and "entry_id" in request.view_args:
        partner, couple = access.own_couple()
        entry = access.partner_entry(partner, request.view_args["entry_id"])
        g.worksheet_entry = (partner, couple, entry, services.definition_of(entry.assignment))


bp.before_request(lambda: guard("partner", then=_entry_in_the_address))


class RowSchema(Schema):
    """One answered field as its reader reads it."""

    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True)
    text = fields.Raw(required=True)


class MineSchema(Schema):
    """The reader's own answers to a section."""

    answers = fields.Dict(required=True)
    version = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    visibility = fields.String(required=True)
    editable = fields.Boolean(required=True)
    response_id = fields.String(required=True)
    readers_now = fields.String(required=True)
    readers_later = fields.String(required=True)


class JointSchema(Schema):
    """A joint section's answers, each with who wrote it and when."""

    answers = fields.Dict(required=True)
    version = fields.Integer(required=True)
    by = fields.Dict(required=True)
    at = fields.Dict(required=True)


class SharedSchema(Schema):
    """What the other partner shared of a section."""

    name = fields.String(required=True)
    rows = fields.List(fields.Nested(RowSchema), required=True)


class SectionSchema(Schema):
    """One section of an entry, as the reader may see it."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    scope = fields.String(required=True)
    filled_by = fields.String(required=True)
    open = fields.Boolean(required=True)
    reason = fields.String(required=True)
    mine = fields.Nested(MineSchema, allow_none=True)
    joint = fields.Nested(JointSchema, allow_none=True)
    others = fields.List(fields.Nested(SharedSchema), required=True)


class EntrySchema(Schema):
    """An entry of a worksheet as the signed-in partner may see it."""

    entry_id = fields.String(required=True)
    key = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    closed = fields.Boolean(required=True)
    safety_needed = fields.Boolean(required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class SaveSchema(Schema):
    """An autosave: the section's answers and the version they were written on (0 for a new section)."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    answers = fields.Dict(keys=fields.String(), required=True)


class SavedSchema(Schema):
    """What a kept save answers: the section's new version."""

    version = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    crisis = fields.Boolean(required=True, metadata={"description": "The answers name self-harm or violence: "
                                                     "show the crisis lines to their author"})


class ConflictSchema(Schema):
    """A save from an older version: nothing changed; the answers as they are now, to merge."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    version = fields.Integer(required=True)
    answers = fields.Dict(required=True)
    by = fields.Dict(required=True)


class SubmitSchema(Schema):
    """Submit: who reads each of the partner's own sections (the counselor at least)."""

    sharing = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(SHARED)),
                          load_default=dict)


class ShareSchema(Schema):
    """Share a submitted section with the partner, or withdraw it back to the counselor only."""

    to = fields.String(required=True, validate=validate.OneOf(SHARED))


ERRORS = [(401, "Not signed in"), (403, "Not a partner"), (404, "No such worksheet entry for you")]


def _document_errors(*extra):
    """The error answers an operation documents."""
    return bp.document_errors(*ERRORS, *extra)


WRITE_ERRORS = ((400, "The CSRF token is missing or stale"), (415, "The body is not JSON"),
                (422, "An answer is not valid"))


def _entry():
    """The partner, their couple, the entry and its definition, found before the body was read."""
    return g.worksheet_entry


def _view(partner, couple, entry, worksheet) -> dict:
    """The entry as the partner may see it."""
    return entries.entry_view(entry, entry.assignment, worksheet, couple, Reader("partner", partner.id))


@bp.route("/entries/<uuid:entry_id>")
class Entry(MethodView):
    """One worksheet entry of the signed-in partner's couple."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, EntrySchema)
    @_document_errors()
    def get(self, entry_id: uuid.UUID):
        """Return the entry: each section's state, the partner's answers and what was shared with them."""
        partner, couple, entry, worksheet = _entry()
        payload = EntrySchema().dump(_view(partner, couple, entry, worksheet))
        return pages.read_json(payload, action="worksheet.api.view", object_type="worksheet_entry",
                               object_id=entry.id, couple_id=couple.id)


@bp.route("/entries/<uuid:entry_id>/sections/<section_key>")
class Section(MethodView):
    """One section's answers, by the signed-in partner (theirs, or the couple's joint ones)."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(SaveSchema)
    @bp.response(200, SavedSchema)
    @bp.alt_response(409, schema=ConflictSchema, description="Saved from an older version: nothing changed")
    @_document_errors(*WRITE_ERRORS)
    def put(self, data, entry_id: uuid.UUID, section_key: str):
        """Save a section's answers (checked by type; what is required is checked on submit)."""
        partner, couple, entry, worksheet = _entry()
        if worksheet.section(section_key) is None:
            abort(404)
        view = entries.entry_view(entry, entry.assignment, worksheet, couple, Reader("partner", partner.id),
                                  only=section_key)
        shown = view["sections"][0]
        if entry.assignment.closed_at or view["safety_needed"] or not shown["open"] or (
                shown["mine"] is None and shown["joint"] is None):
            api_abort(422, messages={"_section": ["This part cannot be written now."]})
        try:
            result = services.save_section(entry, couple.id, worksheet.section(section_key), partner.id,
                                           data["answers"], data["version"])
        except ValidationError as error:
            db.session.rollback()
            api_abort(422, messages=error.messages)
        if isinstance(result, services.Conflict):
            db.session.rollback()
            # The answer carries the part as it is now (perhaps the partner's words): a read, audited.
            audit.record("worksheet.api.view", obj=entry, object_type="worksheet_entry", couple_id=couple.id)
            db.session.commit()
            answer = jsonify(ConflictSchema().dump({
                "code": 409, "status": "Conflict", "version": result.version, "answers": result.answers,
                "by": result.by,
                "message": "Someone saved this part after you loaded it. Nothing was changed."}))
            answer.status_code = 409
            return answer
        db.session.commit()
        return {"version": result.version, "finished": result.finished,
                "crisis": entries.crisis_words_in({section_key: data["answers"]})}


@bp.route("/entries/<uuid:entry_id>/submit")
class Submit(MethodView):
    """Submit the signed-in partner's own sections to the counselor."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(SubmitSchema)
    @bp.response(200, EntrySchema)
    @_document_errors(*WRITE_ERRORS)
    def post(self, data, entry_id: uuid.UUID):
        """Submit every one of the partner's own sections, each shared as chosen; all must be finished."""
        partner, couple, entry, worksheet = _entry()
        if entry.assignment.closed_at:
            api_abort(422, messages={"_entry": ["Your counselor has closed this worksheet."]})
        choices = {key: Visibility(value) for key, value in data["sharing"].items()}
        try:
            services.submit(entry, couple.id, worksheet, partner.id, choices)
        except ValidationError as error:
            db.session.rollback()
            api_abort(422, messages=error.messages)
        payload = EntrySchema().dump(_view(partner, couple, entry, worksheet))
        audit.record("worksheet.api.view", obj=entry, object_type="worksheet_entry", couple_id=couple.id)
        db.session.commit()
        return payload


@bp.route("/entries/<uuid:entry_id>/sections/<section_key>/sharing")
class Sharing(MethodView):
    """Who reads one of the signed-in partner's submitted sections."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(ShareSchema)
    @bp.response(200, MineSchema)
    @_document_errors(*WRITE_ERRORS)
    def put(self, data, entry_id: uuid.UUID, section_key: str):
        """Share a submitted section with the partner, or withdraw it going forward."""
        partner, couple, entry, worksheet = _entry()
        if worksheet.section(section_key) is None:
            abort(404)
        response = services.response_of(entry.id, section_key, str(partner.id))
        if response is None:
            abort(404)
        try:
            services.share(response, couple.id, Visibility(data["to"]))
        except ValidationError as error:
            db.session.rollback()
            api_abort(422, messages=error.messages)
        db.session.commit()
        sections = _view(partner, couple, entry, worksheet)["sections"]
        shown = next(s for s in sections if s["key"] == section_key)
        return shown["mine"]
