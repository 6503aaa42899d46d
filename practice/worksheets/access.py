"""The only way to load a worksheet, an entry or a response: under a couple the signed-in user reaches.

A worksheet of another couple, another partner's reassurance log entry and a response that is not
the caller's all give 404, as for an id that does not exist, and the miss is audited.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from practice.couples import access as couples_access
from practice.couples.access import deny
from practice.extensions import db
from practice.worksheets.models import SafetyCheck, WorksheetAssignment, WorksheetEntry, WorksheetResponse

#: An entry read with its assignment, definition, safety answers and comments: one statement.
WITH_ASSIGNMENT = (contains_eager(WorksheetEntry.assignment), joinedload(WorksheetEntry.checks),
                   joinedload(WorksheetEntry.comments))


def couple_assignment(couple_id: uuid.UUID, assignment_id: uuid.UUID) -> WorksheetAssignment:
    """A worksheet given to a couple the caller already holds, or 404."""
    assignment = db.session.get(WorksheetAssignment, assignment_id)
    if assignment is None or assignment.couple_id != couple_id:
        deny("worksheet", assignment_id, couple_id=couple_id)
    return assignment


def couple_entry(couple_id: uuid.UUID, entry_id: uuid.UUID) -> WorksheetEntry:
    """An entry of a worksheet given to a couple the caller already holds (the counselor's), or 404."""
    entry = db.session.execute(
        select(WorksheetEntry).join(WorksheetAssignment).options(*WITH_ASSIGNMENT)
        .where(WorksheetEntry.id == entry_id, WorksheetAssignment.couple_id == couple_id)
    ).unique().scalar_one_or_none()
    if entry is None:
        deny("worksheet_entry", entry_id, couple_id=couple_id)
    return entry


def partner_entry(partner, entry_id: uuid.UUID) -> WorksheetEntry:
    """An entry of the partner's couple they may open: shared by the couple, or their own log entry."""
    entry = db.session.execute(
        select(WorksheetEntry).join(WorksheetAssignment).options(*WITH_ASSIGNMENT)
        .where(WorksheetEntry.id == entry_id, WorksheetAssignment.couple_id == partner.couple_id)
    ).unique().scalar_one_or_none()
    if entry is None or entry.owner_id not in (None, partner.id):
        deny("worksheet_entry", entry_id, couple_id=partner.couple_id)
    return entry


def partner_assignment(partner, assignment_id: uuid.UUID) -> WorksheetAssignment:
    """A worksheet given to the partner's couple, or 404."""
    assignment = db.session.get(WorksheetAssignment, assignment_id)
    if assignment is None or assignment.couple_id != partner.couple_id:
        deny("worksheet", assignment_id, couple_id=partner.couple_id)
    return assignment


def own_response(partner, entry: WorksheetEntry, response_id: uuid.UUID) -> WorksheetResponse:
    """One of the partner's own per-partner responses in an entry, or 404 (only its author shares it)."""
    response = db.session.get(WorksheetResponse, response_id)
    if response is None or response.entry_id != entry.id or response.partner_id != partner.id:
        deny("worksheet_response", response_id, couple_id=partner.couple_id)
    return response


def couple_safety_check(couple_id: uuid.UUID, check_id: uuid.UUID) -> SafetyCheck:
    """A safety answer of a couple the counselor holds, or 404."""
    check = db.session.get(SafetyCheck, check_id)
    if check is None or check.couple_id != couple_id:
        deny("safety_check", check_id, couple_id=couple_id)
    return check


#: The signed-in partner and their couple as plain data, or 404 when their couple is closed.
own_couple = couples_access.own_partner_and_couple
