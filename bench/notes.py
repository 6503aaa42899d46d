"""Session notes for the bench: a caseload's weekly notes in a counselor's words, and the search timed.

The measured counselor writes 30 weekly notes for each of the first ``NOTED`` couples of their
caseload (S: 10 couples, 300 notes; L: 40 couples, 1,200 notes, the caseload DESIGN.md budgets the
search for). Every note goes through ``practice.notes.services`` as a counselor's would: started,
its draft saved, signed with the account's password (the bench's light argon2 makes that cheap),
a few with a signed addendum; the newest note of every fourth couple is still a draft. Each
couple's words are different, several paragraphs a note, in DAP, SOAP or BIRP. At L, the other 39
counselors have notes of their own holding the same search words, which a search must never find.

``SEARCH_WORDS`` is found in ``MATCHES`` notes at S and at L alike (one through its addendum, one
a draft), so the served page's answer is the same size at both; what grows is the notes decrypted.
``measure`` times ``practice.notes.search.search`` in-process, as DESIGN.md's budget counts it.
"""

import random
import statistics
import time
import uuid
from datetime import timedelta

from flask import g
from sqlalchemy import select

from practice.extensions import db

#: What the bench's counselor types: a word a handful of notes hold, and a name they all hold,
#: typed without its accent (the search folds accents: "jose" finds "José").
SEARCH_WORDS = "funeral jose"
#: Notes of the measured counselor that hold every word of ``SEARCH_WORDS``, at S and at L.
MATCHES = 5
#: Couples of the measured counselor with notes, by size; notes per couple, one a week.
NOTED = {"S": 10, "L": 40}
WEEKS = 30
#: At L, each other counselor's notes: couples with notes, notes each (a few hold the search words).
OTHERS = (2, 10)
#: In-process searches timed; the median is reported.
ROUNDS = 15
#: DESIGN.md: the search answers within this for 40 couples x 30 notes.
BUDGET_MS = 300

TOPICS = ("the dishes after dinner", "money and the credit card bill", "his mother's weekly visits",
          "her late shifts at the hospital", "screen time at the table", "the kids' bedtime routine",
          "weekend plans with friends", "a work trip she had not mentioned", "sex and feeling wanted",
          "who drives the school run", "the holidays with both families", "the dog's vet bills",
          "moving closer to her sister", "his new job and the longer commute", "the unfinished kitchen")
FEELINGS = ("hurt", "dismissed", "lonely", "overwhelmed", "relieved", "hopeful", "anxious", "embarrassed",
            "frustrated", "tender", "guarded", "tired")
MOVES = ("reflective listening", "a soft start-up", "the speaker-listener exercise", "a timeout and return",
         "mapping the pursue-withdraw cycle", "naming the underlying need", "a structured repair attempt",
         "slowing the exchange down", "an enactment facing each other", "validation before problem-solving")

#: Sentences by kind of section; {a} and {b} are the partners' first names.
WHAT = (
    "{a} opened by describing an argument about {topic} that ended with {b} leaving the room.",
    "{b} said the week had been {feeling} and that the check-in happened on {n} of 7 days.",
    "Both arrived on time; {a} sat closer to {b} than in earlier sessions.",
    "{b} brought up {topic} and said it has been building since the spring.",
    "{a} reported feeling {feeling} when {b} checks the phone during conversations about {topic}.",
    "They described one good evening: a walk after dinner without talking about {topic}.",
    "{b} said it was hard to come today; work had been {feeling} all week.",
    "{a} read out a note from the worksheet and {b} listened without interrupting.",
    "The argument about {topic} came back midway through the session and was louder than last week.",
    "{b} named wanting to feel like a team again; {a} nodded and added that she misses laughing together.",
    "Each rated the relationship {n}/10 at the start of the session.",
    "{a} said she felt {feeling} after Sunday, when plans about {topic} changed without a conversation.",
)
READING = (
    "The pursue-withdraw cycle is clear: {a} raises concerns sharply when {feeling}, {b} goes quiet.",
    "Progress is steady; they stopped the argument about {topic} sooner than in earlier weeks.",
    "{b} is more able to stay in the conversation when {a} starts softly.",
    "No safety concerns were raised when each partner was asked alone.",
    "Underneath the conflict about {topic} is a fear of not mattering to the other.",
    "{a}'s criticism softened after {b} acknowledged his part; the repair attempt landed.",
    "Engagement is good and both are motivated; the homework is being done on most days.",
    "Affect was {feeling} for most of the hour; {b} was flat until the end.",
    "Their goals are unchanged: fewer escalations and more time together without screens.",
    "Both partners used {move} without prompting, which is new.",
)
NEXT = (
    "Continue the daily check-in; add {move} when {topic} comes up.",
    "Give the repair after conflict worksheet, each partner on their own first.",
    "Next session in one week; focus on {topic} and how each of them asks for a break.",
    "Practise {move} twice before the next session and note how it went.",
    "Small bids for connection, three to five a day; {a} to track them in the app.",
    "Revisit the boundaries worksheet; {b} agreed to bring his answers next time.",
    "Review the timeout signal; agree where each goes and when they come back.",
    "Referral for individual support for {b} discussed; he will think about it.",
)
#: The sentence that makes a note match ``SEARCH_WORDS``.
FUNERAL = "José's grandmother's funeral is on Saturday; {a} offered to drive and he accepted."
ADDENDA = (
    "Correction: the session was {minutes} minutes, not 50; the plan is unchanged.",
    "Addendum: {a} phoned the next day to say the homework had been done after all.",
    "Clarification to the assessment: the {feeling} tone was about work, not about {b}.",
)
#: Which of the measured counselor's notes hold the search words: (couple, week), week 0 the newest.
#: Couple 0's newest note is a draft and couple 2's match is in an addendum.
MATCHED = ((0, 0), (1, 3), (2, 11), (3, 20), (4, WEEKS - 1))


def seed(app, size: str, counselor_email: str, password: str, measured_couple: uuid.UUID) -> dict:
    """Write every counselor's notes, ``measured_couple``'s first of all; what the bench needs to know
    about them, with the time taken."""
    from practice.auth.models import User
    from practice.couples.models import Couple

    began = time.perf_counter()
    users = db.session.scalars(select(User).where(User.email.like("counselor%@bench.example"))).all()
    counts = {"notes": 0, "drafts": 0, "addenda": 0, "other_notes": 0}
    for user in users:
        measured = user.email == counselor_email
        couples = sorted(db.session.scalars(select(Couple).where(Couple.counselor_id == user.id)),
                         key=lambda couple: (couple.id != measured_couple, couple.created_at))
        many, weeks = (NOTED[size], WEEKS) if measured else OTHERS
        for m, couple in enumerate(couples[:many]):
            made = _couple_notes(app, user, couple, m, weeks, password, measured)
            if measured:
                for key in ("notes", "drafts", "addenda"):
                    counts[key] += made[key]
            else:
                counts["other_notes"] += made["notes"]
    return {**counts, "words": SEARCH_WORDS, "matches": MATCHES,
            "seconds": round(time.perf_counter() - began, 1)}


def _couple_notes(app, user, couple, m: int, weeks: int, password: str, measured: bool) -> dict:
    """One couple's weekly notes by ``user``, newest last; how many notes, drafts and addenda."""
    from practice.homework.week import today_for
    from practice.notes import formats, services
    from practice.notes.models import BOTH, Modality

    luck = random.Random(f"{user.email}/{m}")  # noqa: S311 (words for a bench, not secrets)
    names = {"a": couple.partners[0].name.split()[0].rstrip("0123456789"),
             "b": couple.partners[1].name.split()[0].rstrip("0123456789")}
    today = today_for(couple.time_zone)
    made = {"notes": 0, "drafts": 0, "addenda": 0}
    with app.test_request_context():
        g._login_user = user  # noqa: SLF001 (the counselor writes: their audit events name them)
        for week in reversed(range(weeks)):
            key = luck.choices(("dap", "soap", "birp"), weights=(6, 3, 2))[0]
            note_format = formats.formats()[key]
            attended = BOTH if luck.random() < 0.9 else str(luck.choice(couple.partners).id)
            note = services.start(couple.id, user, note_format, {
                "session_on": today - timedelta(days=7 * week + 1), "minutes": luck.choice((50, 50, 60, 75)),
                "attended": attended, "modality": luck.choice(list(Modality))})
            db.session.flush()
            matched = measured and (m, week) in MATCHED or not measured and week % 5 == 2
            in_addendum = matched and measured and m == MATCHED[2][0]
            draft = measured and week == 0 and m % 4 == 0
            sections = _words(luck, note_format, names, matched and not in_addendum, draft)
            services.save_draft(note, note.version, sections=sections)
            made["notes"] += 1
            if draft:
                made["drafts"] += 1
                continue
            services.sign(note, user, password)
            if in_addendum or luck.random() < 0.1:
                body = (FUNERAL if in_addendum else luck.choice(ADDENDA)).format(
                    **names, minutes=note.minutes, feeling=luck.choice(FEELINGS))
                services.add_addendum(note, user, body, password)
                made["addenda"] += 1
        db.session.commit()
    return made


def _words(luck: random.Random, note_format, names: dict, matched: bool, draft: bool) -> dict:
    """A note's sections: two or three paragraphs of a few sentences each (a draft's last ones empty)."""
    kinds = {"data": WHAT, "subjective": WHAT, "behaviour": WHAT, "objective": READING,
             "assessment": READING, "intervention": READING, "response": READING, "plan": NEXT}
    sections = {}
    for number, section in enumerate(note_format.sections):
        if draft and number:
            sections[section.key] = ""
            continue
        bank = kinds.get(section.key, WHAT)
        paragraphs = []
        for _ in range(luck.randint(1, 3) if bank is NEXT else luck.randint(2, 3)):
            sentences = [_sentence(luck, bank, names) for _ in range(luck.randint(2, 4))]
            paragraphs.append(" ".join(sentences))
        sections[section.key] = "\n\n".join(paragraphs)
    if matched:
        first = note_format.sections[0].key
        sections[first] += "\n\n" + FUNERAL.format(**names)
    return sections


def _sentence(luck: random.Random, bank: tuple, names: dict) -> str:
    """One sentence of ``bank`` with the couple's names and a topic, feeling and method filled in."""
    return luck.choice(bank).format(**names, topic=luck.choice(TOPICS), feeling=luck.choice(FEELINGS),
                                    move=luck.choice(MOVES), n=luck.randint(2, 7))


def measure(app, counselor_email: str) -> dict:
    """Median milliseconds of ``ROUNDS`` in-process searches by the measured counselor, each from a
    fresh session (as a request starts), with how many notes it read and found."""
    from practice.auth.models import User
    from practice.notes import search

    times = []
    with app.app_context():
        author = db.session.scalar(select(User.id).where(User.email == counselor_email))
        for _ in range(ROUNDS + 1):  # the first one warms the imports, caches and key derivations
            db.session.remove()
            began = time.perf_counter()
            found = search.search(author, SEARCH_WORDS)
            times.append((time.perf_counter() - began) * 1000)
        db.session.remove()
    if found["total"] != MATCHES:
        raise SystemExit(f"the note search found {found['total']} notes, not {MATCHES}: not measuring it")
    times = times[1:]
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "rounds": ROUNDS, "notes_searched": found["searched"], "found": found["total"],
            "budget_ms": BUDGET_MS}


def check_page(html: str) -> None:
    """Stop unless the served search page names the ``MATCHES`` notes found."""
    if f"{MATCHES} notes found" not in html:
        raise SystemExit(f"the note search page did not find {MATCHES} notes: not measuring it")
