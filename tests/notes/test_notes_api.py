"""The notes API the draft's script autosaves through: versions, conflicts, refusals (D1, I9, Z3).

A save carries the version the page loaded; an older one changes nothing and gets 409 with the
words as they are now; a signed note answers 409 to every save; bad details are 422 per field.
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from practice.auth.drafts import FormDraft
from practice.extensions import db
from practice.notes import services
from practice.notes.models import SessionNote
from tests.conftest import csrf_from
from tests.notes.test_notes import YESTERDAY, start_note, written


@pytest.fixture
def x(client, auth, world):
    """Counselor X signed in, with a JSON writer carrying the page's CSRF token."""
    auth.login(world["X"])
    token = auth.csrf("/account")
    client.put_json = lambda url, body: client.put(url, json=body, headers={"X-CSRFToken": token})
    return client


def body(version, **sections) -> dict:
    """An autosave of a DAP note."""
    return {"version": version, "session_on": YESTERDAY.isoformat(), "minutes": 50, "attended": "both",
            "modality": "video", "sections": sections}


def test_an_autosave_keeps_the_words_and_counts_the_version(app, x, world):
    note = start_note(app, world["couple1"], world["X"])
    url = f"/api/v1/notes/{note.id}"
    first = x.put_json(url, body(note.version, data="Анна and José O'Brien\u202e spoke"))
    assert first.status_code == 200 and first.get_json()["changed"] is True
    version = first.get_json()["version"]
    same = x.put_json(url, body(version, data="Анна and José O'Brien\u202e spoke"))
    assert same.get_json() == {**same.get_json(), "version": version, "changed": False}
    read = x.get(url).get_json()
    assert read["sections"][0]["text"] == "Анна and José O'Brien\u202e spoke" and read["status"] == "draft"


def test_an_older_version_changes_nothing_and_gets_the_current_words(app, x, world):
    note = start_note(app, world["couple1"], world["X"])
    url, loaded = f"/api/v1/notes/{note.id}", note.version
    x.put_json(url, body(loaded, data="Newest words"))
    stale = x.put_json(url, body(loaded, data="Older words"))
    assert stale.status_code == 409
    assert stale.get_json()["sections"]["data"] == "Newest words" and stale.get_json()["signed"] is False
    assert x.get(url).get_json()["sections"][0]["text"] == "Newest words"


def test_bad_details_and_sections_are_422_per_field_and_nothing_is_saved(app, x, world):
    note = start_note(app, world["couple1"], world["X"])
    url = f"/api/v1/notes/{note.id}"
    bad = x.put_json(url, {**body(note.version, data="kept?"), "minutes": 0, "attended": "someone",
                           "session_on": "tomorrow"})
    assert bad.status_code == 422
    assert {"minutes", "attended", "session_on"} <= set(bad.get_json()["errors"])
    unknown = x.put_json(url, body(note.version, nonsense="x"))
    assert unknown.status_code == 422 and "nonsense" in unknown.get_json()["errors"]
    nul = x.put_json(url, body(note.version, data="a\x00b"))
    assert nul.status_code == 422
    too_long = x.put_json(url, body(note.version, data="x" * 20_001))
    assert too_long.status_code == 422
    injected = x.put_json(url, {**body(note.version, data="x"), "status": "signed", "author_id": "x"})
    assert injected.status_code == 422  # Z6: fields that are not the body's are refused
    db.session.expire_all()
    assert services.sections_of(db.session.get(SessionNote, note.id)) == {}


def test_a_signed_note_answers_409_to_every_save(app, x, world):
    note = written(app, world["couple1"], world["X"], sign=True)
    answer = x.put_json(f"/api/v1/notes/{note.id}", body(note.version, data="Changed"))
    assert answer.status_code == 409 and answer.get_json()["signed"] is True
    db.session.expire_all()
    assert services.sections_of(db.session.get(SessionNote, note.id))["data"] != "Changed"


def test_partners_and_the_admin_are_refused_and_strangers_told_to_sign_in(app, world, new_client, client):
    note = written(app, world["couple1"], world["X"])
    url = f"/api/v1/notes/{note.id}"
    assert client.get(url).status_code == 401
    for who in ("P1A", "P1B", "admin"):
        browser = new_client()
        browser.auth.login(world[who])
        answer = browser.get(url)
        assert answer.status_code == 403 and "Words" not in answer.get_data(as_text=True)


def test_two_windows_saving_the_same_version_at_once_keep_one_and_409_the_other(app, x, world,
                                                                                 monkeypatch):
    """D1 with two real threads reaching the draft at once: one save is kept, the other gets 409.

    On PostgreSQL the note is read FOR UPDATE, so the second waits, then finds the newer version; on
    SQLite both read the same version and the second write matches no row.
    """
    note = start_note(app, world["couple1"], world["X"])
    url, loaded = f"/api/v1/notes/{note.id}", note.version
    both_there = threading.Barrier(2, timeout=20)
    read = services._locked_for_writing

    def read_together(row):
        both_there.wait()  # both requests are about to read the draft they will save
        return read(row)

    monkeypatch.setattr(services, "_locked_for_writing", read_together)
    answers = {}

    def save(words):
        answers[words] = x.put_json(url, body(loaded, data=words))

    threads = [threading.Thread(target=save, args=(words,)) for words in ("Window one", "Window two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(answer.status_code for answer in answers.values()) == [200, 409]
    loser = next(answer for answer in answers.values() if answer.status_code == 409).get_json()
    db.session.expire_all()
    kept = services.sections_of(db.session.get(SessionNote, note.id))["data"]
    assert loser["sections"]["data"] == kept and kept in answers


def test_what_was_typed_when_the_session_idled_out_comes_back_in_the_draft(app, client, auth, world):
    auth.login(world["X"])
    note = start_note(app, world["couple1"], world["X"])
    url = f"/couples/{world['couple1'].id}/notes/{note.id}"
    page = client.get(url).get_data(as_text=True)
    with time_machine.travel(timedelta(minutes=16)):
        posted = client.post(url, data={
            "csrf_token": csrf_from(page), "version": str(note.version), "session_on": YESTERDAY.isoformat(),
            "minutes": "50", "attended": "both", "modality": "video",
            "section.data": "Words written while the session ran out", "action": "sign",
            "secret": "my password"})
        assert posted.status_code == 302 and "/login" in posted.headers["Location"]
        kept = db.session.scalar(select(FormDraft).where(FormDraft.user_id == world["X"].id))
        assert kept is not None and "my password" not in kept.body
        auth.login(world["X"])
        again = client.get(url).get_data(as_text=True)
    assert "Words written while the session ran out" in again and "Here is what you were typing" in again
    assert "my password" not in again
