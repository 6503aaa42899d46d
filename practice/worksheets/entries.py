"""Plain data for worksheet pages, the API and PDFs: an entry as its reader may see it, and the lists.

Nothing here hands a template a row. :func:`entry_view` is the one place that decides which answers
a reader gets (through practice.worksheets.visibility); answers a reader may not read are never
decrypted, so no page, JSON or PDF built from it can leak them.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from practice import seams, words
from practice.audit import AuditEvent
from practice.auth.models import User
from practice.clock import utcnow
from practice.crisis import mentions_crisis
from practice.extensions import db
from practice.worksheets import definitions, reassurance, services, visibility
from practice.worksheets.definitions import Field, Worksheet
from practice.worksheets.models import (
    JOINT,
    SafetyCheck,
    Visibility,
    WorksheetAssignment,
    WorksheetDefinition,
    WorksheetEntry,
    WorksheetResponse,
)
from practice.worksheets.visibility import Reader

#: An assignment's state as the counselor's list and the partner's list say it.
STATES = {"assigned": "Assigned", "in_progress": "In progress", "submitted": "Submitted",
          "reviewed": "Reviewed"}
#: A partner's own progress on an entry, for the lists.
PROGRESS = {"not_started": "Not started", "draft": "In progress", "submitted": "Submitted"}


def responses_of(entry_ids) -> dict[uuid.UUID, list[WorksheetResponse]]:
    """Every response of these entries, by entry id, in one statement."""
    found: dict = defaultdict(list)
    if entry_ids:
        for response in db.session.scalars(select(WorksheetResponse).where(
                WorksheetResponse.entry_id.in_(list(entry_ids)))):
            found[response.entry_id].append(response)
    return found


def partner_progress(worksheet: Worksheet, responses: list[WorksheetResponse], partner_id) -> str:
    """How far one partner is with their own sections: not started, a draft, or submitted."""
    mine = [r for r in responses if r.slot == str(partner_id)]
    if not mine:
        return "not_started"
    own = {s.key for s in worksheet.sections if s.scope == "per_partner" and s.filled_by == "author"}
    if own and all(r.visibility is not Visibility.private for r in mine if r.section_key in own) \
            and own <= {r.section_key for r in mine}:
        return "submitted"
    return "draft"


def entry_state(worksheet: Worksheet, entry: WorksheetEntry, responses, partner_ids) -> str:
    """An entry's state for the counselor: assigned, in progress, submitted (by all asked) or reviewed."""
    if entry.reviewed_at:
        return "reviewed"
    if not responses:
        return "assigned"
    writers = [entry.owner_id] if entry.owner_id else list(partner_ids)
    if writers and all(partner_progress(worksheet, responses, pid) == "submitted" for pid in writers):
        return "submitted"
    return "in_progress"


def answer_text(field: Field, answers: dict, names: dict[str, str]) -> str | list[str] | list[dict]:
    """An answer in the words a reader reads: option labels, feeling words, the partners' names."""
    value = answers.get(field.key)
    if value in (None, "", []):
        return ""
    own = answers.get(f"{field.key}_other", "")
    if field.type in ("choice", "multichoice", "checklist"):
        labels = {o.key: o.label for o in field.options}
        chosen = value if isinstance(value, list) else [value]
        shown = [own if key == "other" and own else names.get(key) or labels.get(key, key) for key in chosen]
        return shown if isinstance(value, list) else shown[0]
    if field.type in ("feeling_word", "need_word"):
        if value == "other":
            return own
        word = (words.words().feeling if field.type == "feeling_word" else words.words().need)(value)
        return word.text if word else value
    if field.type == "habit_ref":
        return own if value == "other" else names.get(f"habit:{value}", value)
    if field.type == "date":
        return _day(value)
    if field.type == "datetime":
        day, _, clock = value.partition("T")
        return f"{_day(day)}, {clock}"
    if field.type == "scale":
        return f"{value} of {field.scale.max}"
    if field.type == "minutes":
        return f"{value} min"
    return value if isinstance(value, list) else str(value)


def _day(value: str) -> str:
    """An ISO date as a person reads it: "25 November 2026"."""
    try:
        return f"{date.fromisoformat(value):%-d %B %Y}"
    except ValueError:
        return value


def shown_rows(section, answers: dict, names: dict[str, str]) -> list[dict]:
    """A section's answered fields as label and words, in the definition's order."""
    rows = []
    for field in section.fields:
        text = answer_text(field, answers, names)
        if text not in ("", []):
            rows.append({"key": field.key, "label": field.label, "type": field.type, "text": text})
    return rows


def _section(section) -> dict:
    """A section's words and fields, before anyone's answers are added."""
    return {"key": section.key, "title": section.title, "help": section.help, "example": section.example,
            "scope": section.scope, "filled_by": section.filled_by, "fields": section.fields,
            "open": True, "reason": "", "mine": None, "joint": None, "others": []}


def _mine(answers: dict, response, level: Visibility, other_name: str, rows=(), revealed=False) -> dict:
    """The reader's own answers to a section, with who reads them now and who could later.

    ``revealed``: a part shared "once both have answered" that both now have, so it reads as shared.
    """
    said = Visibility.couple if revealed else level
    return {"answers": answers, "rows": list(rows), "version": response.version if response else 0,
            "finished": bool(response and response.finished), "digest": services.digest(answers),
            "visibility": level.value, "editable": level is Visibility.private, "response_id": "",
            "readers_now": visibility.readers_now(said, other_name),
            "readers_later": visibility.readers_later(said, other_name)}


def entry_view(entry: WorksheetEntry, assignment: WorksheetAssignment, worksheet: Worksheet, couple,
               reader: Reader, only: str | None = None) -> dict:
    """An entry as ``reader`` may see it: each section's state, their answers, what is shared with them.

    A section nobody has saved yet shows its defaults (a check-in date a week ahead, the time now).
    ``only`` limits the sections (and what is decrypted) to one, for a save that needs its state.
    """
    rows = responses_of([entry.id])[entry.id]
    plain = {(r.section_key, r.slot): services.as_plain(r) for r in rows}
    stored = {(r.section_key, r.slot): r for r in rows}
    checks = entry.checks
    joined = [p for p in couple.partners if p.state == "joined"]
    # Parts done together wait for both safety answers, and stay closed after one that asks for care.
    answered = {check.partner_id for check in checks}
    held = any(check.concern for check in checks) or (
        worksheet.safety_check and not all(p.id in answered for p in joined))
    writers = joined if entry.owner_id is None else [p for p in couple.partners if p.id == entry.owner_id]
    names = {str(p.id): p.first_name for p in couple.partners}
    names.update({"partner_a": couple.partners[0].first_name, "partner_b": couple.partners[1].first_name})
    names.update({f"habit:{key}": title for key, title in seams.habit_choices(couple.id)})
    now = local_now(couple.time_zone)
    sections = []
    for section in worksheet.sections:
        if only is not None and section.key != only:
            continue
        shown = _section(section)
        fresh = definitions.default_answers(section, now.date(), now)
        if section.scope == "joint":
            state = visibility.joint_state(section, plain, [p.id for p in joined], held)
            shown["open"], shown["reason"] = state.open, state.reason
            shown["readers"] = visibility.JOINT_READERS
            key = (section.key, JOINT)
            if key in plain and (state.open or reader.counselor):
                content = services.unseal(stored[key])
                shown["joint"] = {
                    "answers": content["answers"], "version": plain[key].version,
                    "digest": services.digest(content["answers"]),
                    "rows": shown_rows(section, content["answers"], names),
                    "by": {f: names.get(pid, "") for f, pid in content["by"].items()},
                    "by_ids": content["by"], "at": content["at"]}
            elif state.open and not reader.counselor:
                shown["joint"] = {"answers": fresh, "version": 0, "rows": [], "by": {}, "by_ids": {},
                                  "at": {},
                                  "digest": services.digest(fresh)}
            sections.append(shown)
            continue
        for partner in writers:
            key = (section.key, str(partner.id))
            response = plain.get(key)
            if reader.partner_id == partner.id:
                other = next((p for p in couple.partners if p.id != partner.id), None)
                other_name = other.first_name if other else "your partner"
                if section.filled_by == "other_partner":
                    state = visibility.answering_state(worksheet, plain, other.id if other else None,
                                                       partner.id, other_name)
                    shown["open"], shown["reason"] = state.open or response is not None, state.reason
                if response is None:
                    shown["mine"] = _mine(fresh, None, Visibility.private, other_name)
                else:
                    answers = services.unseal(stored[key])["answers"]
                    theirs = plain.get((section.key, str(other.id))) if other else None
                    shown["mine"] = _mine(answers, response, response.visibility, other_name,
                                          shown_rows(section, answers, names),
                                          revealed=visibility.partner_reads(response, theirs))
                    shown["mine"]["response_id"] = str(stored[key].id)
            elif response is not None and visibility.may_read(response, reader, plain):
                answers = services.unseal(stored[key])["answers"]
                shown["others"].append({"name": partner.first_name, "partner_id": str(partner.id),
                                        "visibility": response.visibility.value,
                                        "submitted_at": response.submitted_at,
                                        "rows": shown_rows(section, answers, names)})
            elif reader.counselor:
                shown["others"].append({"name": partner.first_name, "partner_id": str(partner.id),
                                        "visibility": "private" if response else "", "rows": []})
        sections.append(shown)
    mine_check = next((c for c in checks if c.partner_id == reader.partner_id), None)
    first_names = {p.id: p.first_name for p in couple.partners}
    # The counselor alone hears of a safety answer that asks for care (CONTENT.md §4.3).
    concerns = [{"id": str(c.id), "name": first_names.get(c.partner_id, ""), "answered_at": c.answered_at,
                 "acknowledged_at": c.acknowledged_at,
                 "note": services.safety_note(c) if c.acknowledged_at else ""}
                for c in checks if c.concern] if reader.counselor else []
    return {
        "concerns": concerns,
        "entry_id": str(entry.id), "assignment_id": str(assignment.id), "key": worksheet.key,
        "title": worksheet.title, "intro": worksheet.intro, "version": worksheet.version,
        "est_minutes": worksheet.est_minutes, "note": assignment.note, "due_on": assignment.due_on,
        "closed": assignment.closed_at is not None, "reviewed": entry.reviewed_at is not None,
        "safety_needed": worksheet.safety_check and reader.partner_id is not None and mine_check is None,
        "safety_concern": bool(mine_check and mine_check.concern),
        "state": entry_state(worksheet, entry, rows, [p.id for p in writers]),
        "sections": sections,
    }


@dataclass(frozen=True)
class Progress:
    """A response's facts a list needs: whose it is, which section, and whether it was submitted."""

    section_key: str
    slot: str
    visibility: Visibility


def _listing(couple_id):
    """The couple's worksheets, every entry, its responses' facts and the safety flag, in one statement."""
    flagged = select(SafetyCheck.id).where(
        SafetyCheck.couple_id == couple_id, SafetyCheck.concern.is_(True),
        SafetyCheck.acknowledged_at.is_(None)).exists()
    return db.session.execute(
        select(WorksheetAssignment, WorksheetEntry, WorksheetResponse.section_key, WorksheetResponse.slot,
               WorksheetResponse.visibility, flagged.label("flagged"))
        .outerjoin(WorksheetEntry, WorksheetEntry.assignment_id == WorksheetAssignment.id)
        .outerjoin(WorksheetResponse, WorksheetResponse.entry_id == WorksheetEntry.id)
        .where(WorksheetAssignment.couple_id == couple_id)
        .order_by(WorksheetAssignment.created_at.desc(), WorksheetEntry.started_at.desc())).unique().all()


def couple_list(couple, reader: Reader) -> tuple[list[dict], bool]:
    """A couple's worksheets, newest first, with their entries' states (a partner's: theirs only).

    Also whether a safety answer waits for the counselor (always False for a partner).
    """
    assignments: dict = {}
    entries: dict = defaultdict(dict)
    progress: dict = defaultdict(list)
    flag = False
    for assignment, entry, section_key, slot, level, flagged in _listing(couple.id):
        flag = flag or bool(flagged)
        assignments.setdefault(assignment.id, assignment)
        if entry is None or not (reader.counselor or entry.owner_id in (None, reader.partner_id)):
            continue
        entries[assignment.id].setdefault(entry.id, entry)
        if section_key is not None:
            progress[entry.id].append(Progress(section_key, slot, level))
    joined = [p.id for p in couple.partners if p.state == "joined"]
    today = _today_in(couple.time_zone)
    listed = []
    for assignment in assignments.values():
        worksheet = services.definition_of(assignment)
        shown = []
        for entry in entries[assignment.id].values():
            found = progress[entry.id]
            mine = {str(pid): PROGRESS[partner_progress(worksheet, found, pid)]
                    for pid in ([entry.owner_id] if entry.owner_id else joined)}
            shown.append({"id": str(entry.id), "started_at": _local(entry.started_at, couple.time_zone),
                          "state": entry_state(worksheet, entry, found, joined),
                          "mine": mine.get(str(reader.partner_id), ""),
                          "progress": mine if reader.counselor else {},
                          "owner": str(entry.owner_id) if entry.owner_id else ""})
        listed.append({"id": str(assignment.id), "key": assignment.key, "title": worksheet.title,
                       "version": worksheet.version, "due_on": assignment.due_on, "note": assignment.note,
                       "repeatable": assignment.repeatable, "closed": assignment.closed_at is not None,
                       "overdue": bool(assignment.due_on and assignment.due_on < today),
                       "est_minutes": worksheet.est_minutes, "entries": shown})
    return listed, flag and reader.counselor


def _today_in(time_zone: str) -> date:
    """The couple's day now."""
    return local_now(time_zone).date()


def _local(moment: datetime, time_zone: str) -> datetime:
    """A stored moment (UTC) in the couple's wall-clock time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(ZoneInfo(time_zone))


def local_now(time_zone: str) -> datetime:
    """The couple's wall-clock time now, without a zone (how a datetime answer is written)."""
    return utcnow().astimezone(ZoneInfo(time_zone)).replace(tzinfo=None, microsecond=0)


def writable(shown: dict) -> bool:
    """Whether the reader may write a section of an entry view now: their own draft, or an open joint part."""
    if not shown["open"]:
        return False
    return bool(shown["mine"] and shown["mine"]["editable"]) or shown["joint"] is not None


def blank_view(worksheet: Worksheet, couple) -> dict:
    """A worksheet as a partner sees it before writing anything: the counselor's preview."""
    other = couple.partners[1].first_name
    now = local_now(couple.time_zone)
    sections = []
    for section in worksheet.sections:
        shown = _section(section)
        fresh = definitions.default_answers(section, now.date(), now)
        if section.scope == "joint":
            shown["readers"] = visibility.JOINT_READERS
            shown["joint"] = {"answers": fresh, "version": 0, "rows": [], "by": {}, "at": {}, "digest": ""}
        else:
            shown["mine"] = _mine(fresh, None, Visibility.private, other)
        sections.append(shown)
    return {"entry_id": "", "assignment_id": "", "key": worksheet.key, "title": worksheet.title,
            "intro": worksheet.intro, "version": worksheet.version, "est_minutes": worksheet.est_minutes,
            "note": "", "due_on": None, "closed": False, "reviewed": False, "safety_needed": False,
            "safety_concern": False, "state": "assigned", "sections": sections, "partner_name": other}


def comments_of(entry: WorksheetEntry, partner_id, couple) -> list[dict]:
    """An entry's comments, oldest first: all for the counselor, those to both or to them for a partner."""
    names = {p.id: p.first_name for p in couple.partners}
    return [{"text": services.comment_text(c), "at": c.created_at, "author": couple.counselor_name,
             "to": names.get(c.to_partner_id, "Both of you")}
            for c in entry.comments if partner_id is None or c.to_partner_id in (None, partner_id)]


def submitted_since(couple, since: date) -> list[tuple[str, str, date]]:
    """(worksheet title, partner's first name, the couple's day) for each entry a partner submitted
    parts of on or after ``since``, oldest first: what a session note's summary says."""
    found = db.session.execute(
        select(WorksheetDefinition.body, WorksheetResponse.partner_id, WorksheetResponse.entry_id,
               WorksheetResponse.submitted_at)
        .join(WorksheetEntry, WorksheetEntry.id == WorksheetResponse.entry_id)
        .join(WorksheetAssignment, WorksheetAssignment.id == WorksheetEntry.assignment_id)
        .join(WorksheetDefinition, WorksheetDefinition.id == WorksheetAssignment.definition_id)
        .where(WorksheetAssignment.couple_id == couple.id, WorksheetResponse.submitted_at.is_not(None))
        .order_by(WorksheetResponse.submitted_at))
    names = {p.id: p.first_name for p in couple.partners}
    zone = ZoneInfo(couple.time_zone)
    lines, seen = [], set()
    for body, partner_id, entry_id, submitted_at in found:
        day = (submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=ZoneInfo("UTC"))) \
            .astimezone(zone).date()
        if day < since or (entry_id, partner_id) in seen:
            continue
        seen.add((entry_id, partner_id))
        lines.append((body.get("title", "A worksheet"), names.get(partner_id, ""), day))
    return lines


def flagged_couples(couple_ids) -> set:
    """Which of these couples have a safety answer that asks for care and is not acknowledged yet."""
    return set(db.session.scalars(select(SafetyCheck.couple_id).where(
        SafetyCheck.couple_id.in_(list(couple_ids)), SafetyCheck.concern.is_(True),
        SafetyCheck.acknowledged_at.is_(None)).distinct()))


#: How many of a partner's latest reassurance log entries the prompts read.
PROMPT_ENTRIES = 20


def reassurance_prompt(assignment: WorksheetAssignment, worksheet: Worksheet, partner_id, time_zone: str):
    """The reassurance log's gentle prompt for its author, from their latest entries (CONTENT.md §3)."""
    relief = worksheet.field("after", "relief")
    if relief is None or worksheet.field("event", "trigger") is None:
        return None
    ranks = {option.key: rank for rank, option in enumerate(relief.options)}
    latest = select(WorksheetEntry.id).where(
        WorksheetEntry.assignment_id == assignment.id, WorksheetEntry.owner_id == partner_id,
    ).order_by(WorksheetEntry.started_at.desc()).limit(PROMPT_ENTRIES)
    found: dict = defaultdict(dict)
    for response in db.session.scalars(select(WorksheetResponse).where(
            WorksheetResponse.entry_id.in_(latest), WorksheetResponse.slot == str(partner_id),
            WorksheetResponse.section_key.in_(("event", "after")))):
        found[response.entry_id][response.section_key] = services.unseal(response)["answers"]
    logged = []
    for parts in found.values():
        event, after = parts.get("event", {}), parts.get("after", {})
        try:
            at = datetime.fromisoformat(event["at"])
        except (KeyError, TypeError, ValueError):
            continue
        logged.append(reassurance.Logged(at, event.get("trigger"), ranks.get(after.get("relief"))))
    return reassurance.prompt(logged, local_now(time_zone))


def crisis_words_in(answers_by_section: dict) -> bool:
    """Whether the reader's own answers name self-harm or violence (the crisis lines then show to them)."""
    texts = [value for answers in answers_by_section.values() for value in answers.values()
             if isinstance(value, str)]
    return mentions_crisis(texts)


#: The reads of a worksheet a partner is told about: who opened it, reviewed it or downloaded it.
READ_ACTIONS = ("worksheet.view", "worksheet.review.view", "worksheet.pdf", "worksheet.api.view")


def views_of(couple, partner_id) -> list[dict]:
    """Who has read this partner's answers, newest first: the counselor once they were submitted,
    the other partner once they were shared with them (and only then)."""
    rows = db.session.execute(
        select(WorksheetResponse.entry_id, WorksheetResponse.submitted_at, WorksheetResponse.shared_at,
               WorksheetResponse.visibility, WorksheetAssignment.definition_id)
        .join(WorksheetEntry, WorksheetEntry.id == WorksheetResponse.entry_id)
        .join(WorksheetAssignment, WorksheetAssignment.id == WorksheetEntry.assignment_id)
        .where(WorksheetResponse.partner_id == partner_id, WorksheetResponse.submitted_at.is_not(None)))
    submitted, shared, versions = {}, {}, {}
    for entry_id, submitted_at, shared_at, level, definition_id in rows:
        key = str(entry_id)
        submitted[key] = min(submitted_at, submitted.get(key, submitted_at))
        if shared_at and level is Visibility.couple:
            shared[key] = min(shared_at, shared.get(key, shared_at))
        versions[key] = definition_id
    if not submitted:
        return []
    titles = {row.id: row.body.get("title", "A worksheet") for row in db.session.scalars(
        select(WorksheetDefinition).where(WorksheetDefinition.id.in_(set(versions.values()))))}
    own_user = next((p.user_id for p in couple.partners if p.id == partner_id), None)
    partners = {p.user_id: p.first_name for p in couple.partners if p.user_id}
    events = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_id, User.name)
        .join(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.couple_id == couple.id, AuditEvent.action.in_(READ_ACTIONS),
               AuditEvent.object_id.in_(list(submitted)), AuditEvent.actor_id != own_user)
        .order_by(AuditEvent.seq.desc()).limit(200))
    seen = []
    for at, action, object_id, actor_id, name in events:
        partner = partners.get(actor_id)
        since = shared.get(object_id) if partner else submitted[object_id]
        if since is None or at < since:
            continue
        seen.append({"at": at, "who": partner or name or "Your counselor",
                     "what": titles.get(versions[object_id], "A worksheet"),
                     "how": "downloaded it" if action == "worksheet.pdf" else "read it"})
    return seen
