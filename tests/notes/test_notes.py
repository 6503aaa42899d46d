"""Session notes: writing a draft, signing it for good, addenda, search, and who may read a note.

SECURITY.md D6 (sections read as ciphertext in raw SQL; tampering raises), Z2 (no partner page,
API answer or PDF carries a note's words), Z3 (another counselor gets the same 404 as for a note
that does not exist, search included); issue 10: a signed note changes through no route, API call,
command or form.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text, update

from practice import crypto
from practice.audit import AuditEvent
from practice.extensions import db
from practice.notes import formats, services
from practice.notes.models import Modality, NoteAddendum, SessionNote, SignedNoteChanged
from tests.conftest import PASSWORD, csrf_from, totp_code

#: A day that is past wherever the couple lives (the machine's today may be their tomorrow).
YESTERDAY = date.today() - timedelta(days=1)
SECRET_WORDS = "Maya named the pursue-withdraw cycle; Jordan agreed to a timeout signal"


def start_note(app, couple, author, fmt="dap", **details) -> SessionNote:
    """A draft note of ``couple`` by ``author``, committed."""
    with app.test_request_context():
        note = services.start(couple.id, author, formats.formats()[fmt], {
            "session_on": details.get("session_on", YESTERDAY), "minutes": 50,
            "attended": "both", "modality": Modality.in_person})
    db.session.commit()
    return note


def written(app, couple, author, words=SECRET_WORDS, sign=False) -> SessionNote:
    """A note with words in its first section, signed when asked."""
    note = start_note(app, couple, author)
    with app.test_request_context():
        services.save_draft(note, note.version, sections={note.titles[0][0]: words})
        if sign:
            services.sign(note, author, PASSWORD)
    db.session.commit()
    return note


def page_of(couple, note=None) -> str:
    """A note's page, or the couple's notes."""
    base = f"/couples/{couple.id}/notes"
    return f"{base}/{note.id}" if note else base


def draft_form(client, url, **changes) -> dict:
    """The draft's form as the page has it, with ``changes``."""
    html = client.get(url).get_data(as_text=True)
    import re

    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    form = {"csrf_token": csrf_from(html), "version": version, "session_on": YESTERDAY.isoformat(),
            "minutes": "50", "attended": "both", "modality": "video", "section.data": "",
            "section.assessment": "", "section.plan": ""}
    form.update(changes)
    return form


@pytest.fixture
def x(client, auth, world):
    """Counselor X signed in."""
    auth.login(world["X"])
    return client


def test_a_counselor_starts_a_note_writes_it_and_it_saves(app, x, world):
    couple = world["couple1"]
    page = x.get(f"/couples/{couple.id}/notes/new")
    assert page.status_code == 200 and "DAP" in page.get_data(as_text=True)
    made = x.post(f"/couples/{couple.id}/notes/new", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "format": "soap",
        "session_on": YESTERDAY.isoformat(), "minutes": "55", "attended": str(couple.partners[1].id),
        "modality": "phone"})
    assert made.status_code == 303
    note = db.session.scalars(select(SessionNote)).one()
    assert note.format == "soap" and note.attended == str(couple.partners[1].id)
    url = page_of(couple, note)
    html = x.get(url).get_data(as_text=True)
    assert "Subjective" in html and "Bea One alone" in html or "alone" in html
    saved = x.post(url, data=draft_form(x, url, **{"section.subjective": "Ана said: «we tried»",
                                                   "modality": "phone"}))
    assert saved.status_code == 303
    assert "Ана said: «we tried»" in x.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert services.sections_of(db.session.get(SessionNote, note.id))["subjective"] == "Ана said: «we tried»"


def test_bad_details_come_back_beside_their_fields_with_every_word_kept(app, x, world):
    couple = world["couple1"]
    note = start_note(app, couple, world["X"])
    url = page_of(couple, note)
    tomorrow = (date.today() + timedelta(days=3)).isoformat()
    bad = x.post(url, data=draft_form(x, url, session_on=tomorrow, minutes="9999",
                                      **{"section.data": "Words I must not lose"}))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "use today or earlier" in html and "from 1 to 600" in html
    assert "Words I must not lose" in html
    nul = x.post(url, data=draft_form(x, url, **{"section.plan": "a\x00b", "section.data": "kept too"}))
    assert nul.status_code == 422 and "kept too" in nul.get_data(as_text=True)


def test_a_save_from_an_older_version_changes_nothing_and_shows_both_texts(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"], words="From the other window")
    url = page_of(couple, note)
    form = draft_form(x, url, **{"section.data": "From this window"})
    form["version"] = "1"
    stale = x.post(url, data=form)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "From the other window" in html and "From this window" in html
    db.session.expire_all()
    assert services.sections_of(db.session.get(SessionNote, note.id))["data"] == "From the other window"


def test_signing_needs_the_password_or_a_code_and_locks_the_note(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"])
    url = page_of(couple, note)
    seq = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    wrong = x.post(url, data=draft_form(x, url, action="sign", secret="not my password",
                                        **{"section.data": "Typed just before signing"}))
    assert wrong.status_code == 422
    assert "not your password" in wrong.get_data(as_text=True)
    assert "Typed just before signing" in wrong.get_data(as_text=True)
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.seq > seq,
                                                          AuditEvent.action == "note.sign.refused")).all()
    assert [event.outcome for event in refused] == ["denied"]
    db.session.expire_all()
    assert not db.session.get(SessionNote, note.id).signed
    form = draft_form(x, url, action="sign", **{"section.data": "Final words"})
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31)):  # not the sign-in's code again
        signed = x.post(url, data={**form, "secret": totp_code(world["X"])})
        html = x.get(url).get_data(as_text=True)
    assert signed.status_code == 303
    db.session.expire_all()
    note = db.session.get(SessionNote, note.id)
    assert note.signed and note.signed_at and len(note.content_hash) == 64
    assert note.content_hash in html and "Final words" in html and "<textarea" in html  # addendum box only
    assert 'name="section.data"' not in html


def test_an_empty_note_cannot_be_signed(app, x, world):
    couple = world["couple1"]
    note = start_note(app, couple, world["X"])
    url = page_of(couple, note)
    answer = x.post(url, data=draft_form(x, url, action="sign", secret=PASSWORD))
    assert answer.status_code == 422 and "Write something" in answer.get_data(as_text=True)


def test_a_signed_note_changes_through_no_route_api_call_form_or_orm(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    before = (note.sealed, note.version, note.content_hash)
    url = page_of(couple, note)
    token = csrf_from(x.get(url).get_data(as_text=True))
    edit = {"csrf_token": token, "version": str(note.version), "session_on": YESTERDAY.isoformat(),
            "attended": "both", "modality": "video", "section.data": "Rewritten"}
    assert x.post(url, data=edit).status_code == 409
    assert x.post(url, data={**edit, "action": "sign", "secret": PASSWORD}).status_code == 409
    assert x.post(f"{url}/discard", data={"csrf_token": token}).status_code == 303
    api = x.put(f"/api/v1/notes/{note.id}", headers={"X-CSRFToken": token}, json={
        "version": note.version, "session_on": YESTERDAY.isoformat(), "attended": "both",
        "modality": "video", "sections": {"data": "Rewritten"}})
    assert api.status_code == 409 and api.get_json()["signed"] is True
    db.session.expire_all()
    kept = db.session.get(SessionNote, note.id)
    assert (kept.sealed, kept.version, kept.content_hash) == before
    assert services.sections_of(kept)["data"] == SECRET_WORDS
    with app.test_request_context():
        kept.minutes = 1
        with pytest.raises(SignedNoteChanged):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(SignedNoteChanged):
            db.session.delete(db.session.get(SessionNote, note.id))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(services.NoteLocked):
            services.save_draft(db.session.get(SessionNote, note.id), note.version, sections={"data": "x"})
        db.session.rollback()


def test_an_addendum_is_signed_the_same_way_and_never_changes(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    url = page_of(couple, note)
    token = csrf_from(x.get(url).get_data(as_text=True))
    wrong = x.post(f"{url}/addenda", data={"csrf_token": token, "body": "Correction: 45 minutes",
                                           "secret": "nope"})
    assert wrong.status_code == 422 and "Correction: 45 minutes" in wrong.get_data(as_text=True)
    blank = x.post(f"{url}/addenda", data={"csrf_token": token, "body": "  ", "secret": PASSWORD})
    assert blank.status_code == 422 and "Write the addendum" in blank.get_data(as_text=True)
    added = x.post(f"{url}/addenda", data={"csrf_token": token, "body": "Correction: 45 minutes",
                                           "secret": PASSWORD})
    assert added.status_code == 303
    addendum = db.session.scalars(select(NoteAddendum)).one()
    html = x.get(url).get_data(as_text=True)
    assert "Correction: 45 minutes" in html and addendum.content_hash in html
    assert "Addendum signed" in html and "Signed" in html  # the history
    with app.test_request_context():
        addendum.sealed = crypto.encrypt("changed", services.addendum_context(addendum))
        with pytest.raises(SignedNoteChanged):
            db.session.flush()
        db.session.rollback()


def test_the_history_shows_saves_signing_and_addenda_to_the_author(app, x, world):
    couple = world["couple1"]
    note = start_note(app, couple, world["X"])
    url = page_of(couple, note)
    for words in ("one", "two", "three"):
        x.post(url, data=draft_form(x, url, **{"section.data": words}))
    html = x.get(url).get_data(as_text=True)
    assert "Started" in html and "Draft saved 3 times" in html


def test_the_words_are_ciphertext_in_raw_sql_and_tampering_raises(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    rows = db.session.execute(text("SELECT * FROM session_note")).all()
    assert SECRET_WORDS not in repr(rows) and "pursue" not in repr(rows)
    sealed = note.sealed
    tampered = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    db.session.execute(update(SessionNote).where(SessionNote.id == note.id).values(sealed=tampered))
    db.session.commit()
    db.session.expire_all()
    with app.test_request_context(), pytest.raises(crypto.DecryptionError):
        services.sections_of(db.session.get(SessionNote, note.id))
    # A ciphertext moved to another row does not decrypt there: it is bound to its own row.
    other = written(app, couple, world["X"], words="other")
    with app.test_request_context(), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(other.sealed, services.note_context(note))


def test_the_summary_says_nothing_happened_rather_than_failing(app, x, world):
    couple = world["couple1"]
    note = start_note(app, couple, world["X"])
    url = page_of(couple, note)
    answer = x.post(url, data=draft_form(x, url, action="summary", **{"section.data": "My opening"}))
    assert answer.status_code == 303
    html = x.get(url).get_data(as_text=True)
    assert "My opening" in html and "Between sessions (since" in html and "nothing was logged" in html
    token = csrf_from(html)
    api = x.get(f"/api/v1/notes/{note.id}/summary", headers={"X-CSRFToken": token})
    assert api.status_code == 200 and "Between sessions" in api.get_json()["text"]


def test_the_summary_carries_what_the_couple_did(app, x, world):
    from practice.homework import services as habits
    from practice.homework.frequency import Frequency
    from practice.worksheets import definitions
    from practice.worksheets import services as sheets

    couple = world["couple1"]
    with app.test_request_context():
        habit = habits.assign_habit(couple, world["X"], {
            "catalogue_key": "connection_bids", "frequency": Frequency("per_day", 3, 5),
            "log_fields": ["count"]}, date.today() - timedelta(days=3))
        habits.log_habit(habit, couple.partners[0].id, {"count": 3}, date.today() - timedelta(days=1))
        log = sheets.assign(couple.id, definitions.get("reassurance_log"), {})
        db.session.flush()
    db.session.commit()
    note = start_note(app, couple, world["X"], session_on=YESTERDAY)
    text_ = x.get(f"/api/v1/notes/{note.id}/summary").get_json()["text"]
    assert "Small bids" in text_ or "bids" in text_.lower()
    assert log


def test_search_finds_words_in_the_counselors_own_notes_only(app, x, world, new_client):
    couple1, couple2 = world["couple1"], world["couple2"]
    mine = written(app, couple1, world["X"], words="Talked about José's mother and the holidays")
    written(app, couple2, world["Y"], words="José's mother, in Y's note")
    page = x.get("/notes/")
    assert page.status_code == 200
    found = x.post("/notes/", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "q": "jose MOTHER"})
    assert found.status_code == 303 and "jose" not in found.headers["Location"].lower()
    html = x.get(found.headers["Location"]).get_data(as_text=True)
    assert f"/notes/{mine.id}" in html and "1 note found" in html and "in Y&#39;s note" not in html
    none = x.post("/notes/", data={"csrf_token": csrf_from(html), "q": "holidays nowhere"})
    assert "No note holds" in x.get(none.headers["Location"]).get_data(as_text=True)
    y = new_client()
    y.auth.login(world["Y"])
    y_page = y.get("/notes/?search=1").get_data(as_text=True)
    assert "holidays" not in y_page


def test_another_counselor_gets_the_same_404_as_for_no_note(app, x, world, new_client):
    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    y = new_client()
    y.auth.login(world["Y"])
    import uuid

    for url in (page_of(couple, note), f"/api/v1/notes/{note.id}", f"/api/v1/notes/{note.id}/summary",
                f"{page_of(couple, note)}.pdf"):
        theirs = y.get(url)
        missing = y.get(url.replace(str(note.id), str(uuid.uuid4())))
        assert theirs.status_code == missing.status_code == 404, url
        assert SECRET_WORDS not in theirs.get_data(as_text=True)


def test_no_partner_page_api_answer_or_pdf_carries_a_note(app, x, world, new_client):
    """Z2, with the words in a signed note, a draft and an addendum of the partners' own couple."""
    from tests.test_pdf import text_of

    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    written(app, couple, world["X"], words="Draft words about the cycle")
    with app.test_request_context():
        services.add_addendum(db.session.get(SessionNote, note.id), world["X"], "Addendum words", PASSWORD)
    db.session.commit()
    secrets = (SECRET_WORDS, "Draft words", "Addendum words", note.content_hash, "psychotherapy")
    for who in ("P1A", "P1B"):
        partner = new_client()
        partner.auth.login(world[who])
        for url in ("/portal/", "/portal/week", "/portal/worksheets", "/portal/worksheets/viewed", "/account",
                    "/api/v1/me", "/api/v1/couple", "/api/v1/week"):
            answer = partner.get(url)
            assert answer.status_code == 200, (who, url)
            body = answer.get_data(as_text=True)
            assert not [s for s in secrets if s in body] and "/notes" not in body, (who, url)
        planner = partner.get("/portal/planner.pdf")
        assert planner.status_code == 200
        assert not [s for s in secrets if s in text_of(planner.get_data())], who


def test_the_admin_sees_that_notes_exist_never_what_they_say(app, x, world, new_client):
    couple = world["couple1"]
    written(app, couple, world["X"], sign=True)
    written(app, couple, world["X"], words="A draft's words")
    admin = new_client()
    admin.auth.login(world["admin"])
    html = admin.get("/admin/notes").get_data(as_text=True)
    assert "Counselor X" in html and "Signed" in html and "Draft" in html
    assert SECRET_WORDS not in html and "A draft&#39;s words" not in html and couple.label not in html
    couple_pages = [admin.get(page_of(couple)), admin.get(f"/api/v1/notes/{couple.id}")]
    assert [answer.status_code for answer in couple_pages] == [403, 403]


def test_a_draft_is_discarded_and_a_signed_note_is_not(app, x, world):
    couple = world["couple1"]
    draft = written(app, couple, world["X"])
    url, draft_id = page_of(couple, draft), draft.id
    token = csrf_from(x.get(url).get_data(as_text=True))
    assert x.post(f"{url}/discard", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SessionNote.id).where(SessionNote.id == draft_id)) is None
    assert x.get(url).status_code == 404


def test_the_couple_page_lists_the_notes_without_their_words(app, x, world):
    couple = world["couple1"]
    written(app, couple, world["X"], sign=True)
    written(app, couple, world["X"])
    html = x.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "Session notes" in html and "1 draft not signed yet" in html
    assert SECRET_WORDS not in html
    listing = x.get(page_of(couple)).get_data(as_text=True)
    assert listing.count("Signed") >= 1 and "Draft" in listing and SECRET_WORDS not in listing


def test_words_saved_into_a_note_signed_meanwhile_come_back_in_the_addendum_box(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"])
    url = page_of(couple, note)
    form = draft_form(x, url, **{"section.data": "Typed in the window left open"})
    with app.test_request_context():
        services.sign(db.session.get(SessionNote, note.id), world["X"], PASSWORD)
    db.session.commit()
    late = x.post(url, data=form)
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Typed in the window left open" in html and "addendum box" in html


def test_past_the_limit_of_wrong_codes_saving_still_works_and_signing_keeps_the_words(app, x, world):
    couple = world["couple1"]
    note = written(app, couple, world["X"])
    url = page_of(couple, note)
    for _ in range(5):
        wrong = draft_form(x, url, action="sign", secret="wrong", **{"section.data": "Words"})
        assert x.post(url, data=wrong).status_code == 422
    limited = x.post(url, data=draft_form(x, url, action="sign", secret=PASSWORD,
                                          **{"section.data": "Words at the limit"}))
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "Too many wrong tries" in html and "Words at the limit" in html
    saved = x.post(url, data=draft_form(x, url, **{"section.data": "A plain save goes through"}))
    assert saved.status_code == 303
    db.session.expire_all()
    assert not db.session.get(SessionNote, note.id).signed


def test_an_addendum_typed_as_the_session_idled_out_comes_back(app, client, auth, world):
    auth.login(world["X"])
    couple = world["couple1"]
    note = written(app, couple, world["X"], sign=True)
    url = page_of(couple, note)
    token = csrf_from(client.get(url).get_data(as_text=True))
    with time_machine.travel(timedelta(minutes=16)):
        posted = client.post(f"{url}/addenda", data={"csrf_token": token, "body": "Late addendum words",
                                                     "secret": "my password"})
        assert posted.status_code == 302 and "/login" in posted.headers["Location"]
        auth.login(world["X"])
        back = client.get(f"{url}/addenda")
        assert back.status_code == 303 and back.headers["Location"].endswith(url)
        html = client.get(url).get_data(as_text=True)
    assert "Late addendum words" in html and "my password" not in html


def test_clear_forgets_the_search(app, x, world):
    written(app, world["couple1"], world["X"], words="holidays")
    page = x.get("/notes/").get_data(as_text=True)
    x.post("/notes/", data={"csrf_token": csrf_from(page), "q": "holidays"})
    found = x.get("/notes/?search=1").get_data(as_text=True)
    assert "1 note found" in found
    cleared = x.post("/notes/", data={"csrf_token": csrf_from(found), "q": "holidays", "clear": "1"})
    assert cleared.headers["Location"].endswith("/notes/")
    assert "note found" not in x.get("/notes/?search=1").get_data(as_text=True)


def test_the_summary_of_a_note_written_late_covers_the_week_before_its_session(app, x, world):
    couple = world["couple1"]
    written(app, couple, world["X"], sign=True)  # yesterday's, signed
    late = start_note(app, couple, world["X"], session_on=YESTERDAY - timedelta(days=20))
    text_ = x.get(f"/api/v1/notes/{late.id}/summary").get_json()["text"]
    since = YESTERDAY - timedelta(days=27)
    assert f"since {since.day} {since:%B %Y}" in text_


def test_a_refused_form_keeps_the_version_it_was_written_from(app, x, world):
    """D2: a 422 must not move the page to the newest version, or the next save overwrites it."""
    couple = world["couple1"]
    note = written(app, couple, world["X"], words="First")
    url = page_of(couple, note)
    loaded = draft_form(x, url, **{"section.data": "Mine"})
    with app.test_request_context():
        services.save_draft(db.session.get(SessionNote, note.id), int(loaded["version"]),
                            sections={"data": "Saved from the other window"})
    db.session.commit()
    refused = x.post(url, data={**loaded, "minutes": "0"})
    assert refused.status_code == 422
    assert f'name="version" value="{loaded["version"]}"' in refused.get_data(as_text=True)
    again = x.post(url, data=loaded)
    assert again.status_code == 409 and "Saved from the other window" in again.get_data(as_text=True)


def test_line_breaks_posted_by_a_form_are_stored_as_the_script_stores_them(app, x, world):
    couple = world["couple1"]
    note = start_note(app, couple, world["X"])
    url = page_of(couple, note)
    x.post(url, data=draft_form(x, url, **{"section.data": "one\r\ntwo"}))
    db.session.expire_all()
    assert services.sections_of(db.session.get(SessionNote, note.id))["data"] == "one\ntwo"


@pytest.mark.parametrize(("typed", "written_", "found"), [
    ("jose", "José came alone", True), ("JOSÉ", "jose came alone", True), ("анна", "АННА пришла", True),
    ("o'brien", "Mr O'Brien called", True), ("obrien", "Mr O'Brien called", False),
    ("cafe", "the cafe\u0301 on Main", True), ("holiday mother", "Mother's holiday plans", True),
    ("holiday father", "Mother's holiday plans", False),
])
def test_search_sets_case_and_accents_aside_and_needs_every_word(app, world, typed, written_, found):
    from practice.notes import search

    note = written(app, world["couple1"], world["X"], words=written_)
    with app.test_request_context():
        result = search.search(world["X"].id, typed)
    assert ([n["id"] for n in result["notes"]] == [note.id]) is found
