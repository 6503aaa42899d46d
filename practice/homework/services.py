"""What counselors and partners do with habits: assign, pause, resume, change, end; log, edit, delete.

Every function records its audit event in the caller's transaction; the view commits once.
A log's feeling word and note are sealed with ``practice.crypto``, bound to the log's id.
"""

import uuid
from datetime import date, timedelta

from marshmallow import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from practice import audit, crypto, pages
from practice.couples.models import Partner
from practice.extensions import db
from practice.homework import feed
from practice.homework.catalogue import catalogue
from practice.homework.frequency import Frequency
from practice.homework.models import (
    DEFAULT_FEED_TIME,
    HabitAssignment,
    HabitChange,
    HabitLog,
    HabitSettings,
    HabitStatus,
    Sharing,
)

#: How many days back a partner may log, edit or delete an entry.
EDITABLE_DAYS = 7


def habit_title(assignment: HabitAssignment) -> str:
    """The habit's title: the catalogue's for a catalogue habit, the counselor's own otherwise."""
    if assignment.catalogue_key:
        habit = catalogue().get(assignment.catalogue_key)
        if habit is not None:
            return habit.title
    return assignment.title


def assign_habit(couple, counselor, data: dict, today: date) -> HabitAssignment:
    """Assign a catalogue habit or the counselor's own to the couple (or one partner)."""
    key = data.get("catalogue_key") or None
    if key and _active_with_key(couple.id, key, today):
        raise ValidationError({"catalogue_key": [
            "This habit is already assigned to this couple. Change its target or end it first."]})
    assignment = HabitAssignment(
        couple_id=couple.id, catalogue_key=key, title="" if key else data["title"],
        partner_id=data.get("partner_id"), log_fields=",".join(data["log_fields"]),
        starts_on=data.get("starts_on") or today, ends_on=data.get("ends_on"),
        instructions=data.get("instructions", ""))
    assignment.frequency = data["frequency"]
    db.session.add(assignment)
    db.session.flush()
    _change(assignment, counselor, "assigned", assignment.starts_on, assignment.frequency.target())
    audit.record("habit.assign", obj=assignment, couple_id=couple.id)
    return assignment


def _active_with_key(couple_id: uuid.UUID, key: str, today: date) -> bool:
    """Whether the couple already holds this catalogue habit, not ended (by hand or by its end date)."""
    return db.session.scalar(select(HabitAssignment.id).where(
        HabitAssignment.couple_id == couple_id, HabitAssignment.catalogue_key == key,
        HabitAssignment.status != HabitStatus.ended,
        or_(HabitAssignment.ends_on.is_(None), HabitAssignment.ends_on >= today)).limit(1)) is not None


def _change(assignment: HabitAssignment, by, what: str, on: date, detail: str = "") -> HabitChange:
    """Keep one change in the habit's history."""
    change = HabitChange(assignment=assignment, by_id=by.id, what=what, effective_on=on, detail=detail)
    db.session.add(change)
    return change


def pause_habit(assignment: HabitAssignment, counselor, today: date) -> None:
    """Pause an active habit from today: paused days never count for or against anyone."""
    if assignment.status is not HabitStatus.active:
        raise ValidationError({"status": ["Only an active habit can be paused."]})
    assignment.status = HabitStatus.paused
    _change(assignment, counselor, "paused", today)
    audit.record("habit.pause", obj=assignment, couple_id=assignment.couple_id)


def resume_habit(assignment: HabitAssignment, counselor, today: date) -> None:
    """Resume a paused habit from today."""
    if assignment.status is not HabitStatus.paused:
        raise ValidationError({"status": ["Only a paused habit can be resumed."]})
    assignment.status = HabitStatus.active
    _change(assignment, counselor, "resumed", today)
    audit.record("habit.resume", obj=assignment, couple_id=assignment.couple_id)


def change_habit(assignment: HabitAssignment, counselor, data: dict, today: date) -> None:
    """Change a habit's target, end date or instructions, keeping what it was in the history."""
    if assignment.status is HabitStatus.ended:
        raise ValidationError({"status": ["An ended habit cannot be changed; assign it again instead."]})
    if data.get("ends_on") and data["ends_on"] < assignment.starts_on:
        start = f"{assignment.starts_on:%-d %B %Y}"
        raise ValidationError({"ends_on": [f"The end date comes after the start ({start})."]})
    frequency: Frequency = data["frequency"]
    if frequency != assignment.frequency:
        assignment.frequency = frequency
        _change(assignment, counselor, "target", today, frequency.target())
    if data.get("ends_on") != assignment.ends_on:
        assignment.ends_on = data.get("ends_on")
        _change(assignment, counselor, "end date", today,
                assignment.ends_on.isoformat() if assignment.ends_on else "no end date")
    if data.get("instructions", "") != assignment.instructions:
        assignment.instructions = data.get("instructions", "")
        _change(assignment, counselor, "instructions", today)
    audit.record("habit.change", obj=assignment, couple_id=assignment.couple_id)


def end_habit(assignment: HabitAssignment, counselor, today: date) -> None:
    """End a habit today: it leaves the partners' week and its history stays."""
    if assignment.status is HabitStatus.ended:
        raise ValidationError({"status": ["This habit has already ended."]})
    assignment.status = HabitStatus.ended
    if assignment.ends_on is None or assignment.ends_on > today:
        assignment.ends_on = today
    _change(assignment, counselor, "ended", today)
    audit.record("habit.end", obj=assignment, couple_id=assignment.couple_id)


def paused_periods(assignment: HabitAssignment) -> list[tuple[date, date | None]]:
    """The days the habit was paused, as (from, until) pairs; until is None while still paused."""
    periods, began = [], None
    for change in assignment.changes:
        if change.what == "paused":
            began = change.effective_on
        elif change.what == "resumed" and began is not None:
            periods.append((began, change.effective_on - timedelta(days=1)))
            began = None
    if began is not None:
        periods.append((began, None))
    return periods


def settings_of(partner_id: uuid.UUID) -> HabitSettings:
    """The partner's habit settings; the defaults (not yet saved) until they first change them."""
    found = db.session.get(HabitSettings, partner_id)
    if found is None:
        found = HabitSettings(partner_id=partner_id, default_sharing=Sharing.private, discreet_titles=True,
                              feed_time=DEFAULT_FEED_TIME)
    return found


def change_default_sharing(partner, couple_id, sharing: Sharing) -> None:
    """Set who reads the partner's feelings and notes unless they choose otherwise for one entry."""
    settings = settings_of(partner.id)
    settings.default_sharing = sharing
    db.session.add(settings)
    audit.record("habit.settings.change", object_type="partner", object_id=str(partner.id),
                 couple_id=couple_id)


def start_feed(partner, couple_id) -> str:
    """Give the partner a new calendar feed link (an old one stops working); returns its token."""
    token, digest = feed.new_token()
    settings = settings_of(partner.id)
    settings.feed_token_hash = digest
    db.session.add(settings)
    audit.record("habit.feed.start", object_type="partner", object_id=str(partner.id), couple_id=couple_id)
    return token


def stop_feed(partner, couple_id) -> None:
    """Turn the partner's calendar feed off: its link stops working."""
    settings = settings_of(partner.id)
    settings.feed_token_hash = None
    db.session.add(settings)
    audit.record("habit.feed.stop", object_type="partner", object_id=str(partner.id), couple_id=couple_id)


def change_feed(partner, couple_id, at, discreet: bool) -> None:
    """Set when habits appear on the partner's calendar, and whether their titles are neutral."""
    settings = settings_of(partner.id)
    settings.feed_time, settings.discreet_titles = at, discreet
    db.session.add(settings)
    audit.record("habit.feed.change", object_type="partner", object_id=str(partner.id), couple_id=couple_id)


def stop_feeds_of(user, **kwargs) -> None:
    """Every session of ``user`` ended: their calendar feed dies with them (SECURITY.md A7)."""
    stopped = db.session.execute(
        update(HabitSettings).where(HabitSettings.feed_token_hash.is_not(None), HabitSettings.partner_id.in_(
            select(Partner.id).where(Partner.user_id == user.id)))
        .values(feed_token_hash=None).returning(HabitSettings.partner_id)).scalars().all()
    for partner_id in stopped:
        couple_id = db.session.scalar(select(Partner.couple_id).where(Partner.id == partner_id))
        audit.record("habit.feed.stop", object_type="partner", object_id=str(partner_id), couple_id=couple_id)


def log_habit(assignment: HabitAssignment, partner_id, data: dict, today: date,
              default_sharing: Sharing | None = None) -> tuple[HabitLog, bool]:
    """Log a habit for one of the last 7 days; a repeated idempotency key returns the first log.

    Returns the log and whether it is new. ``default_sharing`` is the partner's own default when
    the caller has read it already (else it is read here).
    """
    key = data.get("idempotency_key") or uuid.uuid4().hex
    earlier = db.session.scalar(select(HabitLog).where(HabitLog.partner_id == partner_id,
                                                       HabitLog.idempotency_key == key))
    if earlier is not None:
        return earlier, False
    if assignment.status is not HabitStatus.active:
        raise ValidationError({"habit": [f"Your counselor has {assignment.status.value} this habit, "
                                         "so it is not logged for now."]})
    day = data.get("day") or today
    _check_day(day, today, assignment)
    log = HabitLog(id=uuid.uuid4(), assignment_id=assignment.id, partner_id=partner_id, day=day,
                   idempotency_key=key)
    if default_sharing is None and not data.get("sharing"):
        default_sharing = settings_of(partner_id).default_sharing
    fill_log(log, data, default_sharing=default_sharing or Sharing.private)
    db.session.add(log)
    audit.record("habit.log", object_type="habit_log", object_id=log.id, couple_id=assignment.couple_id)
    return log, True


def commit_log(log: HabitLog) -> tuple[HabitLog, bool]:
    """Commit a new log; if the same idempotency key won a race (two taps at once), the first one.

    The happy path costs nothing extra: the unique key refuses the second insert at commit, this
    transaction (the log and its audit event) rolls back, and the log that was committed is returned.
    """
    partner_id, key = log.partner_id, log.idempotency_key
    try:
        pages.commit_keeping_rows()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(select(HabitLog).where(HabitLog.partner_id == partner_id,
                                                           HabitLog.idempotency_key == key))
        if earlier is None:
            raise
        return earlier, False
    return log, True


def edit_log(log: HabitLog, couple_id, data: dict, today: date, partial: bool = False) -> None:
    """Change one of the partner's own logs from the last 7 days (only the given fields if ``partial``)."""
    _check_editable(log, today)
    if data.get("day") and data["day"] != log.day:
        raise ValidationError({"day": ["An entry keeps its day. Delete it and log the other day instead."]})
    if partial:
        data = {"done": log.done, "count": log.count, "minutes": log.minutes, "sharing": log.sharing,
                "feeling": opened(log, "feeling"), "note": opened(log, "note"), **data}
    fill_log(log, data, default_sharing=log.sharing)
    audit.record("habit.log.edit", obj=log, couple_id=couple_id)


def delete_log(log: HabitLog, couple_id, today: date) -> None:
    """Delete one of the partner's own logs from the last 7 days."""
    _check_editable(log, today)
    db.session.delete(log)
    audit.record("habit.log.delete", object_type="habit_log", object_id=log.id, couple_id=couple_id)


def _check_day(day: date, today: date, assignment: HabitAssignment) -> None:
    """Refuse a day outside the last 7 days or outside the habit's dates."""
    if day > today:
        raise ValidationError({"day": ["That day has not come yet."]})
    if day <= today - timedelta(days=EDITABLE_DAYS):
        raise ValidationError({"day": [f"You can log for the last {EDITABLE_DAYS} days, today included."]})
    if day < assignment.starts_on or (assignment.ends_on and day > assignment.ends_on):
        raise ValidationError({"day": ["This habit was not assigned on that day."]})


def _check_editable(log: HabitLog, today: date) -> None:
    """Refuse a change to a log older than 7 days."""
    if log.day <= today - timedelta(days=EDITABLE_DAYS):
        raise ValidationError({"day": [f"Entries can be changed for {EDITABLE_DAYS} days."]})


def fill_log(log: HabitLog, data: dict, default_sharing: Sharing) -> None:
    """Set a log's counts and seal its feeling word and note."""
    log.done = data.get("done", True)
    count = data.get("count")
    log.count = count if count is not None else (1 if log.done else 0)
    log.minutes = data.get("minutes")
    log.feeling_sealed = _seal(data.get("feeling") or "", log.id, "feeling")
    log.note_sealed = _seal(data.get("note") or "", log.id, "note")
    log.sharing = data.get("sharing") or default_sharing


def _seal(text: str, log_id, field: str) -> str:
    """Encrypt a log's private field, bound to the log and the field; empty stays empty."""
    return crypto.encrypt(text, context=f"habit-log:{log_id}:{field}") if text else ""


def opened(log: HabitLog, field: str) -> str:
    """A log's feeling word or note in plain text (for whoever may see it: the caller decides)."""
    sealed = log.feeling_sealed if field == "feeling" else log.note_sealed
    return crypto.decrypt(sealed, context=f"habit-log:{log.id}:{field}") if sealed else ""


def visible_private_fields(log_sharing: Sharing, author_id, viewer_role: str, viewer_partner_id) -> bool:
    """Whether the viewer may read a log's feeling and note: its author, or whom it was shared with."""
    if viewer_partner_id is not None and viewer_partner_id == author_id:
        return True
    if viewer_role == "counselor":
        return log_sharing in (Sharing.counselor, Sharing.couple)
    return log_sharing is Sharing.couple
