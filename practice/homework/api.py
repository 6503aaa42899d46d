"""The habits API the week page's script uses: the week, logging, changing and deleting a log.

Each write needs the page's CSRF token in the ``X-CSRFToken`` header, as every form does. A log
POST carries an idempotency key: sending the same one again (a double tap, a retry after a lost
answer) returns the first log with 200 instead of logging twice.
"""

import uuid

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort as api_abort
from marshmallow import Schema, ValidationError, fields

from practice import pages
from practice.auth.guards import role_required
from practice.extensions import db
from practice.homework import access, services, week
from practice.homework.schemas import LogSchema
from practice.openapi import SIGNED_IN, SIGNED_IN_WRITE, ApiBlueprint, guard

bp = ApiBlueprint("homework_api", __name__, url_prefix="/api/v1",
                  description="A partner's habits: this week, and logging them")


bp.before_request(lambda: guard("partner"))


class ProgressSchema(Schema):
    """Today and this period in plain counts, and the words for them."""

    target = fields.String(required=True)
    today = fields.Integer(required=True)
    period_count = fields.Integer(required=True)
    today_text = fields.String(required=True)
    period_text = fields.String(required=True)


class LogOutSchema(Schema):
    """One log as its reader may see it: feeling and note empty unless shared with them."""

    id = fields.UUID(required=True)
    day = fields.Date(required=True)
    times = fields.Integer(required=True)
    minutes = fields.Integer(allow_none=True)
    feeling = fields.String(required=True)
    note = fields.String(required=True)
    sharing = fields.String(required=True)
    editable = fields.Boolean(required=True)


class HabitWeekSchema(Schema):
    """One habit on the partner's week."""

    id = fields.UUID(required=True)
    title = fields.String(required=True)
    target = fields.String(required=True)
    status = fields.String(required=True)
    instructions = fields.String(required=True)
    log_fields = fields.List(fields.String(), required=True)
    progress = fields.Nested(ProgressSchema, required=True)
    other_progress = fields.Nested(ProgressSchema, allow_none=True)
    mine = fields.List(fields.Nested(LogOutSchema), required=True)
    theirs = fields.List(fields.Nested(LogOutSchema), required=True)


class WeekSchema(Schema):
    """The partner's week: their couple's day today, and each habit meant for them."""

    today = fields.Date(required=True)
    habits = fields.List(fields.Nested(HabitWeekSchema), required=True)


class LogInSchema(LogSchema):
    """A log as the week page's script sends it (the same fields as the form)."""


class LogChangeSchema(LogSchema):
    """A change to a log: only the fields sent are changed."""


def _refused(error: ValidationError):
    """Answer a service's refusal as the API answers bad input: 422 with per-field messages."""
    db.session.rollback()
    api_abort(422, messages=error.messages)


def _entry(partner_id, log, today) -> dict:
    """A log the partner wrote, as they read it (flask-smorest dumps it with LogOutSchema)."""
    return week.entry_fields(log, "partner", partner_id, today)


ERRORS = [(401, "Not signed in"), (403, "Not a partner"), (404, "No such habit or log for you")]


def _document_errors(*extra):
    """The error answers an operation documents."""
    return bp.document_errors(*ERRORS, *extra)


@bp.route("/week")
class Week(MethodView):
    """The partner's habits this week."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, WeekSchema)
    @_document_errors()
    def get(self):
        """Return each habit meant for the partner, with today's and this week's counts."""
        partner, couple = access.own_couple()
        data = week.partner_week(couple, partner.id)
        payload = WeekSchema().dump({"today": data["today"], "habits": [
            {**habit, "log_fields": list(habit["log_fields"])} for habit in data["habits"]]})
        return pages.read_json(payload, action="habits.week.view", object_type="couple",
                               object_id=couple.id, couple_id=couple.id)


@bp.route("/habits/<uuid:habit_id>/logs")
class HabitLogs(MethodView):
    """A habit's logs, by the signed-in partner."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(LogInSchema)
    @bp.response(201, LogOutSchema)
    @bp.alt_response(200, schema=LogOutSchema, description="Already logged with this idempotency key")
    @_document_errors((400, "The CSRF token is missing or stale"), (415, "The body is not JSON"),
                      (422, "A field is not valid"))
    def post(self, data, habit_id: uuid.UUID):
        """Log the habit for today or one of the last 7 days."""
        to = access.habit_to_log(current_user.id, habit_id)
        today = week.today_for(to.time_zone)
        try:
            log, new = services.log_habit(to.habit, to.partner_id, data, today, to.default_sharing)
        except ValidationError as error:
            _refused(error)
        if new:
            log, new = services.commit_log(log)
        return _entry(to.partner_id, log, today), 201 if new else 200


@bp.route("/logs/<uuid:log_id>")
class Log(MethodView):
    """One of the signed-in partner's own logs."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.arguments(LogChangeSchema(partial=True))
    @bp.response(200, LogOutSchema)
    @_document_errors((400, "The CSRF token is missing or stale"), (415, "The body is not JSON"),
                      (422, "A field is not valid"))
    def patch(self, data, log_id: uuid.UUID):
        """Change the given fields of a log from the last 7 days."""
        partner, couple = access.own_couple()
        log = access.own_log(partner, log_id)
        today = week.today_for(couple.time_zone)
        try:
            services.edit_log(log, couple.id, data, today, partial=True)
        except ValidationError as error:
            _refused(error)
        answer = _entry(partner.id, log, today)
        pages.commit_keeping_rows()
        return answer

    @role_required("partner")
    @bp.doc(security=SIGNED_IN_WRITE)
    @bp.response(204)
    @_document_errors((400, "The CSRF token is missing or stale"), (422, "Older than 7 days"))
    def delete(self, log_id: uuid.UUID):
        """Delete a log from the last 7 days."""
        partner, couple = access.own_couple()
        log = access.own_log(partner, log_id)
        try:
            services.delete_log(log, couple.id, week.today_for(couple.time_zone))
        except ValidationError as error:
            _refused(error)
        db.session.commit()
        return ""
