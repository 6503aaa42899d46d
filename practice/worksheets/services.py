"""What counselors and partners do with worksheets: assign, fill, save, submit, share, review.

Every function records its audit event in the caller's transaction; the view commits once.
Answers are sealed with ``practice.crypto``, bound to their response's id.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from practice import audit, crypto, seams, words
from practice.clock import utcnow
from practice.extensions import db
from practice.worksheets import definitions, visibility
from practice.worksheets.definitions import Section, Worksheet
from practice.worksheets.models import (
    JOINT,
    SafetyCheck,
    Visibility,
    WorksheetAssignment,
    WorksheetComment,
    WorksheetDefinition,
    WorksheetEntry,
    WorksheetResponse,
)

#: A sentence started from a worksheet's frame ("I'm asking for ___ ...") and not finished yet.
BLANKS = "Fill in the blanks (___) in your own words."
#: Why a submitted part cannot be saved again.
SUBMITTED = "You have submitted this part, so it can no longer be changed."


# -- definitions ------------------------------------------------------------------------------


def snapshot(worksheet: Worksheet) -> WorksheetDefinition:
    """The stored copy of this version of a definition, made the first time it is assigned."""
    found = select(WorksheetDefinition).where(WorksheetDefinition.digest == worksheet.digest)
    row = db.session.scalar(found)
    if row is None:
        try:
            with db.session.begin_nested():  # two counselors giving it first at once: one row wins
                row = WorksheetDefinition(key=worksheet.key, version=worksheet.version,
                                          digest=worksheet.digest, body=worksheet.body)
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            row = db.session.scalar(found)
    return row


def definition_of(assignment: WorksheetAssignment) -> Worksheet:
    """The definition an assignment was given with (an older version stays as it was)."""
    return definitions.from_body(assignment.definition.body)


# -- assigning --------------------------------------------------------------------------------


def assign(couple_id: uuid.UUID, worksheet: Worksheet, data: dict) -> WorksheetAssignment:
    """Give the couple a worksheet with a due date and a note; a repeatable one stays open for entries."""
    assignment = WorksheetAssignment(
        couple_id=couple_id, definition_id=snapshot(worksheet).id, key=worksheet.key,
        due_on=data.get("due_on"), note=data.get("note", ""), repeatable=worksheet.kept_open)
    db.session.add(assignment)
    db.session.flush()
    if not assignment.repeatable:
        assignment.entries.append(WorksheetEntry())
        db.session.flush()
    audit.record("worksheet.assign", obj=assignment, couple_id=couple_id)
    return assignment


def close(assignment: WorksheetAssignment) -> None:
    """Take a worksheet back: nobody writes in it any more, and what was written stays readable."""
    assignment.closed_at = utcnow()
    audit.record("worksheet.close", obj=assignment, couple_id=assignment.couple_id)


def start_entry(assignment: WorksheetAssignment, partner_id: uuid.UUID) -> WorksheetEntry:
    """A new entry of a repeatable worksheet; a per-partner one (a reassurance log) is its author's."""
    worksheet = definition_of(assignment)
    owner = partner_id if worksheet.mode == "per_partner" else None
    entry = WorksheetEntry(assignment_id=assignment.id, owner_id=owner)
    db.session.add(entry)
    db.session.flush()
    audit.record("worksheet.entry.start", obj=entry, object_type="worksheet_entry",
                 couple_id=assignment.couple_id)
    return entry


# -- answers ----------------------------------------------------------------------------------


def _context(response: WorksheetResponse) -> str:
    """What a response's sealed answers are bound to: its own row."""
    return f"worksheet_response:{response.id}:answers"


def unseal(response: WorksheetResponse) -> dict:
    """A response's answers with who wrote each and when: ``{"answers", "by", "at"}``."""
    if not response.sealed:
        return {"answers": {}, "by": {}, "at": {}}
    return json.loads(crypto.decrypt(response.sealed, _context(response)))


def _seal(response: WorksheetResponse, content: dict) -> None:
    """Encrypt a response's answers into its row."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    response.sealed = crypto.encrypt(text, _context(response))


def as_plain(response: WorksheetResponse) -> visibility.Response:
    """A response's facts without its answers, for the visibility rules."""
    return visibility.Response(
        response.section_key, response.slot, response.partner_id, response.visibility, response.finished,
        response.version, response.updated_at, response.submitted_at, response.shared_at)


def answer_rules(section: Section, couple_id: uuid.UUID, *, submit: bool):
    """The schema a section's answers are checked by, with the words and habits it may name."""
    return definitions.answers_schema(section, words=words.words(), submit=submit,
                                      habit_choices=seams.habit_choices(couple_id))


@dataclass(frozen=True)
class Conflict:
    """A save made from an older version: the answers as they are now, for the page to merge."""

    version: int
    answers: dict
    by: dict
    at: dict


@dataclass(frozen=True)
class Saved:
    """A save that was kept: the new version and whether the section is finished."""

    response: WorksheetResponse
    version: int
    finished: bool


def slot_of(section: Section, partner_id: uuid.UUID) -> str:
    """Where a partner's answers to a section are kept: their own slot, or the couple's joint one."""
    return JOINT if section.scope == "joint" else str(partner_id)


def response_of(entry_id: uuid.UUID, section_key: str, slot: str,
                for_update: bool = False) -> WorksheetResponse | None:
    """The stored response of one section and author, if any; ``for_update`` locks it until commit."""
    query = select(WorksheetResponse).where(
        WorksheetResponse.entry_id == entry_id, WorksheetResponse.section_key == section_key,
        WorksheetResponse.slot == slot)
    return db.session.scalar(query.with_for_update() if for_update else query)


def digest(answers: dict) -> str:
    """A short fingerprint of a section's answers, so a page can say which answers it loaded."""
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def changed(section: Section, couple_id: uuid.UUID, raw: dict, loaded: str) -> bool:
    """Whether answers posted for a section differ from those the page loaded (``loaded`` is their digest)."""
    try:
        cleaned = answer_rules(section, couple_id, submit=False).load(raw)
    except ValidationError:
        return True
    return digest(cleaned) != loaded


def save_section(entry: WorksheetEntry, couple_id: uuid.UUID, section: Section, partner_id: uuid.UUID,
                 raw: dict, base_version: int, loaded: str = "") -> Saved | Conflict:
    """Keep a partner's answers to one section, if they were written on the newest version.

    ``base_version`` is the version the page loaded (0 for a section never saved). A save from an
    older one changes nothing and gets the answers as they are now. ``loaded`` is the
    :func:`digest` of the answers the page showed: answers nobody changed are not saved again, so a
    page posting every section never bumps (or conflicts on) the parts its author did not touch.
    Answers are checked by type only; what is required is checked on submit. Raises
    ``ValidationError`` with per-field messages.
    """
    cleaned = answer_rules(section, couple_id, submit=False).load(raw)
    slot = slot_of(section, partner_id)
    response = response_of(entry.id, section.key, slot, for_update=True)
    if loaded and response is not None and digest(cleaned) == loaded:
        return Saved(response, response.version, response.finished)
    if response is None:
        if base_version:
            return Conflict(0, {}, {}, {})
        response = WorksheetResponse(
            id=uuid.uuid4(), entry_id=entry.id, section_key=section.key, slot=slot,
            partner_id=None if slot == JOINT else partner_id)
        db.session.add(response)
        content = {"answers": {}, "by": {}, "at": {}}
    else:
        if response.visibility != Visibility.private and slot != JOINT:
            raise ValidationError({"_section": [SUBMITTED]})
        content = unseal(response)
        if content["answers"] == cleaned:
            # The same answers again (a retry after a lost answer): nothing to change, no conflict.
            return Saved(response, response.version, response.finished)
        if response.version != base_version:
            return _conflict(response)
    _write(content, cleaned, partner_id)
    _seal(response, content)
    response.finished = definitions.finished(section, content["answers"])
    response.updated_by_id = partner_id
    response.updated_at = utcnow()
    audit.record("worksheet.save", obj=response, object_type="worksheet_response", couple_id=couple_id)
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Someone saved the same section between our read and our write (SECURITY.md D1). On
        # PostgreSQL the row was read FOR UPDATE, so only a first save of the part can race here.
        db.session.rollback()
        return _conflict(response_of(entry.id, section.key, slot))
    return Saved(response, response.version, response.finished)


def _write(content: dict, cleaned: dict, partner_id: uuid.UUID) -> None:
    """Put a section's new answers in place, noting who changed each answer and when."""
    now = utcnow().isoformat(timespec="seconds")
    before = content["answers"]
    for key in set(before) | set(cleaned):
        if before.get(key) != cleaned.get(key):
            content["by"][key] = str(partner_id)
            content["at"][key] = now
    content["answers"] = cleaned
    for gone in set(content["by"]) - set(cleaned):
        content["by"].pop(gone)
        content["at"].pop(gone, None)


def _conflict(response: WorksheetResponse | None) -> Conflict:
    """The answers as they are now, for a save that came from an older version."""
    if response is None:
        return Conflict(0, {}, {}, {})
    db.session.refresh(response)
    content = unseal(response)
    return Conflict(response.version, content["answers"], content["by"], content["at"])


def submit(entry: WorksheetEntry, couple_id: uuid.UUID, worksheet: Worksheet, partner_id: uuid.UUID,
           choices: dict[str, Visibility]) -> list[WorksheetResponse]:
    """Send a partner's draft sections to the counselor, each shared as the partner chose.

    Their own sections are sent together, every one finished; a reply to the other partner's part
    (``filled_by: other_partner``) goes once it is written, with them or on its own later. A
    missing answer raises ``ValidationError`` as ``{section_key: {field_key: [message]}}`` so each
    message goes next to its field.
    """
    rows = {r.section_key: r for r in db.session.scalars(select(WorksheetResponse).where(
        WorksheetResponse.entry_id == entry.id, WorksheetResponse.slot == str(partner_id)))}
    own = [s for s in worksheet.sections if s.scope == "per_partner" and s.filled_by == "author"]
    sent = bool(own) and all(s.key in rows and rows[s.key].visibility is not Visibility.private for s in own)
    drafts = {key for key, row in rows.items() if row.visibility is Visibility.private}
    checked = [s for s in worksheet.sections if s.scope == "per_partner" and (
        (s.filled_by == "author" and not sent) or s.key in drafts)]
    if not checked:
        raise ValidationError({"_entry": {"_section": ["There is nothing left to submit."]}})
    problems: dict = {}
    for section in checked:
        answers = unseal(rows[section.key])["answers"] if section.key in rows else {}
        try:
            answer_rules(section, couple_id, submit=True).load(answers)
        except ValidationError as error:
            problems[section.key] = error.messages
        blanks = {key: [BLANKS] for key, value in answers.items()
                  if isinstance(value, str) and "___" in value}
        if blanks:
            problems.setdefault(section.key, {}).update(blanks)
    if problems:
        raise ValidationError(problems)
    submitted = []
    now = utcnow()
    for key, row in rows.items():
        if row.visibility is Visibility.private:
            row.visibility = choices.get(key, Visibility.counselor)
            row.submitted_at = now
            row.shared_at = now if row.visibility is not Visibility.counselor else None
            submitted.append(row)
    audit.record("worksheet.submit", obj=entry, object_type="worksheet_entry", couple_id=couple_id)
    for row in submitted:
        if row.visibility is not Visibility.counselor:
            audit.record("worksheet.share", obj=row, object_type="worksheet_response", couple_id=couple_id)
    return submitted


def share(response: WorksheetResponse, couple_id: uuid.UUID, to: Visibility) -> None:
    """Change who reads a submitted section: share it with the partner, or withdraw it going forward."""
    if response.visibility is Visibility.private:
        raise ValidationError({"visibility": ["Submit this part before you share it."]})
    if to is Visibility.private:
        raise ValidationError({"visibility": ["A submitted part stays with your counselor."]})
    if to == response.visibility:
        return
    withdrawing = to is Visibility.counselor
    response.visibility = to
    response.shared_at = None if withdrawing else utcnow()
    audit.record("worksheet.withdraw" if withdrawing else "worksheet.share", obj=response,
                 object_type="worksheet_response", couple_id=couple_id)


# -- safety, comments, review -----------------------------------------------------------------


def answer_safety(entry: WorksheetEntry, couple_id: uuid.UUID, partner_id: uuid.UUID,
                  concern: bool) -> SafetyCheck:
    """Keep a partner's private answer to the safety question, once per entry.

    A later "yes" turns an earlier "no" into a concern (someone may only feel safe saying it later);
    a later "no" never clears a "yes": only the counselor's acknowledgement does.
    """
    found = select(SafetyCheck).where(SafetyCheck.entry_id == entry.id, SafetyCheck.partner_id == partner_id)
    check = db.session.scalar(found)
    if check is None:
        try:
            with db.session.begin_nested():  # the same answer sent twice at once: the first is kept
                check = SafetyCheck(entry_id=entry.id, partner_id=partner_id, couple_id=couple_id,
                                    concern=concern)
                db.session.add(check)
                db.session.flush()
        except IntegrityError:
            check = db.session.scalar(found)
    if concern and not check.concern:
        check.concern, check.acknowledged_at, check.answered_at = True, None, utcnow()
    db.session.flush()
    audit.record("worksheet.safety", obj=check, object_type="safety_check", couple_id=couple_id)
    return check


def acknowledge(check: SafetyCheck, counselor, note: str) -> None:
    """The counselor has read a safety answer and written what they will do; the flag goes."""
    check.acknowledged_at = utcnow()
    check.acknowledged_by_id = counselor.id
    check.note_sealed = crypto.encrypt(note, f"safety_check:{check.id}:note")
    audit.record("worksheet.safety.acknowledge", obj=check, object_type="safety_check",
                 couple_id=check.couple_id)


def comment(entry: WorksheetEntry, couple_id: uuid.UUID, counselor, to_partner_id: uuid.UUID | None,
            body: str) -> WorksheetComment:
    """The counselor's words back on an entry, to the couple or to one partner."""
    note = WorksheetComment(id=uuid.uuid4(), entry_id=entry.id, author_id=counselor.id,
                            to_partner_id=to_partner_id, sealed="")
    note.sealed = crypto.encrypt(body, f"worksheet_comment:{note.id}:body")
    db.session.add(note)
    audit.record("worksheet.comment", obj=note, object_type="worksheet_comment", couple_id=couple_id)
    return note


def comment_text(note: WorksheetComment) -> str:
    """A comment's words."""
    return crypto.decrypt(note.sealed, f"worksheet_comment:{note.id}:body")


def mark_reviewed(entry: WorksheetEntry, couple_id: uuid.UUID, counselor) -> None:
    """Mark an entry as reviewed by the counselor."""
    entry.reviewed_at = utcnow()
    entry.reviewed_by_id = counselor.id
    audit.record("worksheet.review", obj=entry, object_type="worksheet_entry", couple_id=couple_id)



def safety_note(check: SafetyCheck) -> str:
    """The counselor's acknowledgement note on a safety answer."""
    return crypto.decrypt(check.note_sealed, f"safety_check:{check.id}:note") if check.note_sealed else ""
