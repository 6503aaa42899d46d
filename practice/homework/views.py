"""Habit pages: the counselor assigns and manages habits, a partner logs them (thin: services do the work).

Every action is a plain form post, so the pages work without JavaScript. A form that does not
validate is shown again with the message beside the field and everything typed kept (422).
"""

import uuid
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from flask_login import current_user
from marshmallow import ValidationError

from practice import audit, crypto, pages, pdf
from practice.auth import drafts
from practice.auth.guards import role_required
from practice.couples import access as couples_access
from practice.couples.schemas import form_to_nested
from practice.couples.summaries import summarise
from practice.extensions import db
from practice.fields import form_errors
from practice.homework import access, feed, services, week
from practice.homework.catalogue import catalogue
from practice.homework.frequency import KINDS
from practice.homework.models import Sharing
from practice.homework.schemas import LOG_FIELDS, AssignSchema, ChangeSchema, LogSchema

counselor_bp = Blueprint("habits", __name__, url_prefix="/couples/<uuid:couple_id>/habits")
partner_bp = Blueprint("homework", __name__, url_prefix="/portal")
#: The calendar feed: no sign-in, the secret token in its address is the key.
calendar_bp = Blueprint("calendar", __name__)
#: The feed link just made, shown on the settings page until this sign-in ends ("fresh_" keys do).
FRESH_FEED = "fresh_calendar_link"
#: When the feed may put habits on the calendar, on the hour.
FEED_HOURS = [(f"{hour:02d}:00", f"{hour:02d}:00") for hour in range(6, 23)]

KIND_CHOICES = (("per_day", "A day"), ("per_week", "A week"), ("per_month", "A month"),
                ("every_n_weeks", "Once every few weeks"), ("as_needed", "As needed (counts only)"))
assert tuple(kind for kind, _ in KIND_CHOICES) == KINDS  # noqa: S101 (a new kind needs its words here)


@counselor_bp.before_request
@role_required("counselor")
def _counselors_only():
    """Only counselors manage habits; the couple itself is checked by each view."""


@partner_bp.before_request
@role_required("partner")
def _partners_only():
    """Only partners log habits."""


# -- the counselor -------------------------------------------------------------------------------


def _couple(couple_id: uuid.UUID, changing: bool = False):
    """The counselor's couple as a record and as plain data, or 404; an archived one is not changed."""
    row = couples_access.counselor_couple(couple_id)
    couple = summarise(row, current_user.display_name)
    if changing and couple.archived:
        flash(f"{couple.label} is archived. Restore them to change their habits.", "info")
        abort(redirect(url_for("couples.show", couple_id=couple.id), 303))
    return row, couple


@counselor_bp.route("/new", methods=["GET", "POST"])
def assign(couple_id: uuid.UUID):
    """Choose a habit from the catalogue (or write one), then set its target and who it is for."""
    row, couple = _couple(couple_id, changing=True)
    if request.method == "POST":
        form = form_to_nested(_filled(request.form))
        form["log_fields"] = request.form.getlist("log_fields")
        try:
            data = _assignment(AssignSchema().load(form), couple)
            habit = services.assign_habit(couple, current_user, data, week.today_for(couple.time_zone))
        except ValidationError as error:
            db.session.rollback()
            return _assign_form(couple, request.form.get("catalogue_key", ""), request.form,
                                form_errors(error), status=422)
        db.session.commit()
        flash(f"{services.habit_title(habit)} assigned.", "success")
        return redirect(url_for("couples.show", couple_id=couple.id, _anchor="panel-habits"))
    key = request.args.get("habit")
    if key is None:
        data = {"couple": couple, "suggested": catalogue().suggested(),
                "more": [h for h in catalogue().habits if not h.suggested]}
        return pages.read_page("homework/choose.html", data, action="habit.assign.view",
                               object_type="couple", object_id=couple.id, couple_id=couple.id)
    if key and catalogue().get(key) is None:
        abort(404)
    return _assign_form(couple, key, drafts.take(request.path) or _defaults(key), {})


def _defaults(key: str) -> dict:
    """The form for a catalogue habit, filled with its usual target and what it logs."""
    habit = catalogue().get(key) if key else None
    if habit is None:
        return {"frequency.kind": "per_day", "frequency.min": "1", "log_fields": ["done", "note"]}
    f = habit.frequency
    return {"frequency.kind": f.kind, "frequency.min": f.min or "", "frequency.max": f.max or "",
            "frequency.n": f.n or "", "frequency.minutes": f.minutes or "", "log_fields": list(habit.log)}


def _assign_form(couple, key: str, form, errors: dict, status: int = 200):
    """The assign form for a catalogue habit (or the counselor's own when ``key`` is empty)."""
    chosen = form.getlist("log_fields") if hasattr(form, "getlist") else form.get("log_fields", [])
    chosen = [chosen] if isinstance(chosen, str) else chosen  # a draft keeps one ticked box as text
    data = {"couple": couple, "habit": catalogue().get(key) if key else None, "key": key, "form": form,
            "errors": errors, "kinds": KIND_CHOICES, "log_fields": LOG_FIELDS, "chosen": chosen}
    return pages.read_page("homework/assign.html", data, action="habit.assign.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id, status=status)


def _assignment(data: dict, couple) -> dict:
    """The loaded form with "who it is for" turned into a partner of this couple (or both)."""
    whom = data.pop("for_whom", "both")
    if whom != "both":
        partner = next((p for p in couple.partners if str(p.id) == whom), None)
        if partner is None:
            raise ValidationError({"for_whom": ["Choose both partners or one of them."]})
        data["partner_id"] = partner.id
    if not data["log_fields"]:
        data["log_fields"] = ["done"]
    return data


@counselor_bp.get("/<uuid:habit_id>")
def show(couple_id: uuid.UUID, habit_id: uuid.UUID):
    """One habit: what it asks, its history, and the partners' logs as shared with the counselor."""
    row, couple = _couple(couple_id)
    habit = access.couple_habit(couple.id, habit_id)
    draft = drafts.take(request.path)
    if draft:
        flash("Here is what you were typing before you were signed out. Check it and save.", "info")
    return _habit_page(couple, habit, draft or _change_form(habit), {})


def _change_form(habit) -> dict:
    """The change form filled with the habit as it is."""
    f = habit.frequency
    return {"frequency.kind": f.kind, "frequency.min": f.min or "", "frequency.max": f.max or "",
            "frequency.n": f.n or "", "frequency.minutes": f.minutes or "",
            "ends_on": habit.ends_on.isoformat() if habit.ends_on else "", "instructions": habit.instructions}


def _habit_page(couple, habit, form, errors: dict, status: int = 200):
    """The habit's page, audited as a view of the couple's habit."""
    data = {**week.habit_page(couple, habit), "couple": couple, "form": form, "errors": errors,
            "kinds": KIND_CHOICES}
    return pages.read_page("homework/habit.html", data, action="habit.view", object_type="habit",
                           object_id=habit.id, couple_id=couple.id, status=status)


@counselor_bp.post("/<uuid:habit_id>")
def change(couple_id: uuid.UUID, habit_id: uuid.UUID):
    """Change a habit's target, end date or instructions."""
    row, couple = _couple(couple_id, changing=True)
    habit = access.couple_habit(couple.id, habit_id)
    form = form_to_nested(_filled(request.form))
    try:
        today = week.today_for(couple.time_zone)
        services.change_habit(habit, current_user, ChangeSchema().load(form), today)
    except ValidationError as error:
        db.session.rollback()
        habit = access.couple_habit(couple.id, habit_id)
        return _habit_page(couple, habit, request.form, form_errors(error), status=422)
    db.session.commit()
    flash("Changes saved.", "success")
    return redirect(url_for("habits.show", couple_id=couple.id, habit_id=habit.id))


def _lifecycle(couple_id: uuid.UUID, habit_id: uuid.UUID, action, done: str):
    """Pause, resume or end a habit, then show it again with what happened."""
    row, couple = _couple(couple_id, changing=True)
    habit = access.couple_habit(couple.id, habit_id)
    try:
        action(habit, current_user, week.today_for(couple.time_zone))
    except ValidationError as error:
        db.session.rollback()
        flash(" ".join(form_errors(error).values()), "error")
        return redirect(url_for("habits.show", couple_id=couple.id, habit_id=habit_id))
    db.session.commit()
    flash(done.format(title=services.habit_title(habit)), "success")
    return redirect(url_for("habits.show", couple_id=couple.id, habit_id=habit.id))


@counselor_bp.post("/<uuid:habit_id>/pause")
def pause(couple_id: uuid.UUID, habit_id: uuid.UUID):
    """Pause a habit from today: paused days count neither for nor against anyone."""
    return _lifecycle(couple_id, habit_id, services.pause_habit,
                      "{title} is paused. Paused days are not counted.")


@counselor_bp.post("/<uuid:habit_id>/resume")
def resume(couple_id: uuid.UUID, habit_id: uuid.UUID):
    """Resume a paused habit from today."""
    return _lifecycle(couple_id, habit_id, services.resume_habit, "{title} is running again from today.")


@counselor_bp.post("/<uuid:habit_id>/end")
def end(couple_id: uuid.UUID, habit_id: uuid.UUID):
    """End a habit today; its history stays."""
    return _lifecycle(couple_id, habit_id, services.end_habit, "{title} has ended. Its history stays here.")


# -- the partner -----------------------------------------------------------------------------------


@partner_bp.get("/week")
def week_page():
    """This week: each habit with today's and this week's counts, logged in one tap."""
    partner, couple = access.own_couple()
    return _week(partner, couple, {}, None)


def _week(partner, couple, form: dict, failed, errors: dict | None = None, status: int = 200):
    """The week page; ``failed`` is the habit whose log did not save, shown with its errors and text."""
    settings = services.settings_of(partner.id)
    data = {**week.partner_week(couple, partner.id), "couple": couple, "form": form, "failed": failed,
            "errors": errors or {}, "feelings": catalogue().feelings, "sharing": week.SHARING_CHOICES,
            "default_sharing": settings.default_sharing.value, "new_key": lambda: uuid.uuid4().hex}
    return pages.read_page("homework/week.html", data, action="habits.week.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id, status=status)


@partner_bp.post("/habits/<uuid:habit_id>/log")
def log(habit_id: uuid.UUID):
    """Log a habit (done, +1 or minutes, with an optional feeling and note)."""
    to = access.habit_to_log(current_user.id, habit_id)
    try:
        entry, new = services.log_habit(to.habit, to.partner_id, LogSchema().load(_filled(request.form)),
                                        week.today_for(to.time_zone), to.default_sharing)
    except ValidationError as error:
        db.session.rollback()
        partner, couple = access.own_couple()
        return _week(partner, couple, request.form, str(habit_id), form_errors(error), status=422)
    title = services.habit_title(to.habit)
    if new:
        entry, new = services.commit_log(entry)
    if new:
        flash(f"Logged: {title}.", "success")
    return redirect(url_for("homework.week_page", _anchor=f"habit-{habit_id}"), 303)


@partner_bp.get("/habits/<uuid:habit_id>/log")
def log_again(habit_id: uuid.UUID):
    """The week page, with what the partner was typing for this habit when their session ended.

    After an idle sign-out the sign-in page comes back here (the log form's own address): the
    draft the idle warning kept for it is put back in that habit's form.
    """
    partner, couple = access.own_couple()
    access.partner_habit(partner, habit_id)
    draft = drafts.take(request.path)
    if draft:
        flash("Here is what you were typing before you were signed out. Check it and log it.", "info")
    return _week(partner, couple, draft or {}, str(habit_id) if draft else None)


def _filled(form) -> dict:
    """The fields of a plain form that were filled in: an empty field means "not given"."""
    return {key: value for key, value in form.items() if value.strip() != "" and key != "csrf_token"}


@partner_bp.route("/logs/<uuid:log_id>", methods=["GET", "POST"])
def edit_log(log_id: uuid.UUID):
    """Change one of your own logs from the last 7 days."""
    partner, couple = access.own_couple()
    entry = access.own_log(partner, log_id)
    habit = access.partner_habit(partner, entry.assignment_id)
    today = week.today_for(couple.time_zone)
    errors = {}
    if request.method == "POST":
        try:
            services.edit_log(entry, couple.id, LogSchema().load(_filled(request.form)), today)
        except ValidationError as error:
            db.session.rollback()
            errors = form_errors(error)
        else:
            db.session.commit()
            flash("Your entry is changed.", "success")
            return redirect(url_for("homework.week_page", _anchor=f"habit-{habit.id}"), 303)
    draft = None if errors or request.method == "POST" else drafts.take(request.path)
    if draft:
        flash("Here is what you were typing before you were signed out. Check it and save.", "info")
    form = request.form if errors else draft or {
        "count": entry.count, "minutes": entry.minutes or "", "feeling": services.opened(entry, "feeling"),
        "note": services.opened(entry, "note"), "sharing": entry.sharing.value, "day": entry.day.isoformat()}
    # An entry keeps its day: the day is chosen when logging, and a wrong one is deleted and logged again.
    data = {"couple": couple, "habit": week.describe(habit), "entry": {"id": entry.id, "day": entry.day},
            "form": form, "errors": errors, "feelings": catalogue().feelings, "sharing": week.SHARING_CHOICES,
            "days": []}
    return pages.read_page("homework/log_edit.html", data, action="habit.log.view", object_type="habit_log",
                           object_id=entry.id, couple_id=couple.id, status=422 if errors else 200)


@partner_bp.post("/logs/<uuid:log_id>/delete")
def delete_log(log_id: uuid.UUID):
    """Delete one of your own logs from the last 7 days."""
    partner, couple = access.own_couple()
    entry = access.own_log(partner, log_id)
    habit_id = entry.assignment_id
    try:
        services.delete_log(entry, couple.id, week.today_for(couple.time_zone))
    except ValidationError as error:
        db.session.rollback()
        flash(" ".join(form_errors(error).values()), "error")
    else:
        db.session.commit()
        flash("Your entry is deleted.", "success")
    return redirect(url_for("homework.week_page", _anchor=f"habit-{habit_id}"), 303)


@partner_bp.route("/habits/settings", methods=["GET", "POST"])
def settings():
    """Who sees your habit feelings and notes unless you choose otherwise for one entry."""
    partner, couple = access.own_couple()
    mine = services.settings_of(partner.id)
    errors = {}
    if request.method == "POST":
        try:
            chosen = Sharing(request.form.get("default_sharing", ""))
            services.change_default_sharing(partner, couple.id, chosen)
        except ValueError:
            errors["default_sharing"] = "Choose who may read your feelings and notes."
        else:
            db.session.commit()
            flash("Saved. New entries start with this choice; you can change it on any entry.", "success")
            return redirect(url_for("homework.settings"), 303)
        db.session.rollback()
    form = request.form if errors else {"default_sharing": mine.default_sharing.value}
    data = {"couple": couple, "form": form, "errors": errors, "sharing": week.SHARING_CHOICES,
            "feed": {"on": mine.feed_token_hash is not None, "link": _fresh_feed_link(),
                     "at": mine.feed_time.strftime("%H:%M"), "discreet": mine.discreet_titles,
                     "hours": FEED_HOURS}}
    return pages.read_page("homework/settings.html", data, action="habit.settings.view",
                           object_type="partner", object_id=partner.id, couple_id=couple.id,
                           status=422 if errors else 200)


def _fresh_feed_link() -> str:
    """The calendar link made in this sign-in, if any (kept sealed in the session)."""
    try:
        return crypto.decrypt(session.get(FRESH_FEED, ""), context=f"calendar-link:{current_user.id}")
    except crypto.DecryptionError:
        return ""


@partner_bp.post("/habits/calendar")
def calendar():
    """Start, renew or stop the partner's calendar feed, or change when and how it shows habits."""
    partner, couple = access.own_couple()
    action = request.form.get("action", "")
    if action == "start":
        token = services.start_feed(partner, couple.id)
        # Sealed: the cookie is signed, not secret, and this link needs no two-factor.
        session[FRESH_FEED] = crypto.encrypt(url_for("calendar.feed_file", token=token, _external=True),
                                             context=f"calendar-link:{current_user.id}")
        flash("Your calendar link is ready. Add it to your calendar app; it works until you stop it.",
              "success")
    elif action == "stop":
        services.stop_feed(partner, couple.id)
        session.pop(FRESH_FEED, None)
        flash("Your calendar link is turned off. Calendars that used it stop getting updates.", "success")
    elif action == "options" and request.form.get("at", "") in dict(FEED_HOURS):
        at = datetime.strptime(request.form["at"], "%H:%M").time()
        services.change_feed(partner, couple.id, at, discreet=request.form.get("discreet") == "1")
        flash("Saved.", "success")
    else:
        abort(422)
    db.session.commit()
    return redirect(url_for("homework.settings", _anchor="calendar"), 303)


@calendar_bp.get("/calendar/<token>.ics")
def feed_file(token: str):
    """The partner's habits as a calendar: rhythms and times only, never a note or a feeling."""
    found = week.feed_for(feed.token_hash(token))
    if found is None:
        abort(404)
    settings, partner, couple, habits = found
    body = feed.build(habits, couple.time_zone, settings.feed_time, settings.discreet_titles)
    audit.record("habit.feed.read", object_type="partner", object_id=str(partner.id), couple_id=couple.id)
    db.session.commit()
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="practice.ics"'})


# -- handouts -------------------------------------------------------------------------------------

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _handout(template: str, couple, label: str, reader: str, habits: list[dict], filename: str, action: str,
             object_type: str, object_id, heading: str = "Your habit planner"):
    """A planner or log sheet as a PDF download, audited; a render that runs too long is a calm 503."""
    data = {"couple_label": label, "counselor": couple.counselor_name, "reader": reader,
            "heading": heading, "habits": [{**h, "boxes": week.boxes(h)} for h in habits], "days": DAYS,
            "made_on": week.today_for(couple.time_zone)}
    answer = pdf.download(template, data, filename)
    audit.record(action, object_type=object_type, object_id=str(object_id), couple_id=couple.id)
    pages.commit_keeping_rows()
    return answer


def _partner_handout(template: str, filename: str, action: str):
    """A handout made for the signed-in partner: only what is meant for them."""
    partner, couple = access.own_couple()
    # The couple is named by its partners: the caseload label is the counselor's own.
    label = " & ".join(p.first_name for p in couple.partners)
    reader = couple.partner(partner.id).name
    return _handout(template, couple, label, reader, week.planner(couple, partner.id), filename, action,
                    "partner", partner.id)


@partner_bp.get("/planner.pdf")
def planner_pdf():
    """The partner's own habit planner: what each habit looks like, how often, why it helps."""
    return _partner_handout("habit_planner.html", "habit-planner.pdf", "habit.planner.pdf")


@partner_bp.get("/log-sheet.pdf")
def log_sheet_pdf():
    """A printable week of the partner's habits with tick boxes."""
    return _partner_handout("habit_log_sheet.html", "habit-log-sheet.pdf", "habit.log_sheet.pdf")


@counselor_bp.get("/planner.pdf")
def couple_planner_pdf(couple_id: uuid.UUID):
    """The counselor's copy of the couple's planner: every habit, for whom, and each partner's weeks."""
    row, couple = _couple(couple_id)
    return _handout("habit_planner.html", couple, couple.label, f"{couple.label} (counselor's copy)",
                    week.planner(couple), "habit-planner.pdf", "habit.planner.pdf", "couple", couple.id,
                    heading="Habit planner")
