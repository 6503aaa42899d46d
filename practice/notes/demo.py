"""Session notes for the demo practice: signed notes, an addendum and a draft, in a counselor's words."""

from datetime import date, timedelta

from practice.extensions import db
from practice.notes import formats, services
from practice.notes.models import BOTH, Modality

#: (days ago, format, minutes, modality, {section: words}) of each signed note, oldest first.
SIGNED = (
    (21, "dap", 60, Modality.in_person, {
        "data": "First joint session. Both described a pattern of arguments about chores that end "
                "with one partner leaving the room. Each rated the relationship 6/10 and named "
                "wanting to feel like a team again.",
        "assessment": "Pursue-withdraw cycle: one partner raises concerns sharply when overwhelmed, the "
                      "other goes quiet. Both are motivated; no safety concerns raised when each was "
                      "asked alone.",
        "plan": "Daily 10-minute check-in. Introduce the repair conversation next session. Next session in "
                "one week."}),
    (14, "soap", 50, Modality.video, {
        "subjective": "They did the check-in on 5 of 7 days and said it 'took the edge off'. One argument "
                      "about weekend plans.",
        "objective": "Both engaged; more eye contact than last week. Each could name the other's point of "
                     "view when asked.",
        "assessment": "Early gains in reliability. The weekend argument followed the same cycle, but they "
                      "stopped it sooner.",
        "plan": "Give the repair after conflict worksheet, each partner on their own first. Add small "
                "bids for connection, 3 to 5 a day."}),
    (7, "birp", 50, Modality.in_person, {
        "behaviour": "Went through the repair worksheet together. Each owned their part of Sunday's "
                    "argument without prompting.",
        "intervention": "Slowed the exchange down; had each reflect the other's do-over before responding. "
                        "Practised the timeout signal in session.",
        "response": "Both said the do-over felt possible. Agreed to dishes together after dinner, phones in "
                    "the other room.",
        "plan": "Continue the check-in and bids. Boundaries worksheet next. Next session in one week."}),
)
ADDENDUM = ("Correction to the plan: the boundaries worksheet was given on the day of this session, not "
            "the following week.")
DRAFT = {"data": "Check-in kept on most days. Both brought the boundaries worksheet.",
         "assessment": "", "plan": ""}


def seed_notes(couple, counselor, today: date, secret: str) -> None:
    """Give a joined couple three signed notes (one with an addendum) and this week's draft."""
    for days_ago, key, minutes, modality, words in SIGNED:
        note = services.start(couple.id, counselor, formats.formats()[key], {
            "session_on": today - timedelta(days=days_ago), "minutes": minutes, "attended": BOTH,
            "modality": modality})
        db.session.flush()
        services.save_draft(note, note.version, sections=words)
        services.sign(note, counselor, secret)
    services.add_addendum(note, counselor, ADDENDUM, secret)
    draft = services.start(couple.id, counselor, formats.formats()["dap"], {
        "session_on": today, "minutes": 50, "attended": BOTH, "modality": Modality.in_person})
    db.session.flush()
    services.save_draft(draft, draft.version, sections=DRAFT)
