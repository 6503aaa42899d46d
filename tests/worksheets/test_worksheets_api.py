"""The worksheets API the fill page's script uses: read, autosave, conflicts, submit and share.

SECURITY.md D1 (two partners save the same joint part from the same version: one is kept, the
other gets 409 with the current text), D2 (a save that fails keeps nothing half-written), Z4 (the
JSON never carries the other partner's unshared answers) and I9 (bad input is a 422 per field).
"""

import threading

import pytest
from sqlalchemy import select

from practice.extensions import db
from practice.worksheets import services
from practice.worksheets.models import WorksheetResponse
from tests.worksheets.test_worksheets import entry_of, give

WAIT = 20


@pytest.fixture
def sheet(client, auth, world, new_client):
    """Couple 1 has the repair worksheet; Pat and Bea answered the safety question and are signed in."""
    auth.login(world["X"])
    assert give(client, world["couple1"], "repair_after_conflict").status_code == 302
    entry = entry_of(world["couple1"], "repair_after_conflict")
    people = {}
    for name, user in (("pat", world["P1A"]), ("bea", world["P1B"])):
        browser = new_client()
        browser.auth.login(user)
        token = browser.auth.csrf("/account")
        browser.put_json = lambda url, body, browser=browser, token=token: browser.put(
            url, json=body, headers={"X-CSRFToken": token})
        browser.post_json = lambda url, body, browser=browser, token=token: browser.post(
            url, json=body, headers={"X-CSRFToken": token})
        people[name] = browser
    for partner in world["couple1"].partners:
        services.answer_safety(entry, world["couple1"].id, partner.id, False)
    db.session.commit()
    return {**people, "entry": entry, "url": f"/api/v1/worksheets/entries/{entry.id}"}


def test_an_autosave_keeps_the_answers_and_counts_the_version(sheet):
    pat, url = sheet["pat"], sheet["url"]
    first = pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "I cut you off."}})
    assert first.status_code == 200 and first.get_json() == {"version": 1, "finished": True, "crisis": False}
    twice = {"version": 1, "answers": {"my_part": "I cut you off, twice."}}
    again = pat.put_json(f"{url}/sections/own", twice)
    assert again.get_json()["version"] == 2
    mine = next(s for s in pat.get(url).get_json()["sections"] if s["key"] == "own")["mine"]
    assert mine["answers"] == {"my_part": "I cut you off, twice."} and mine["visibility"] == "private"


def test_an_older_version_changes_nothing_and_gets_the_current_text(sheet):
    pat, url = sheet["pat"], sheet["url"]
    pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "Newest words"}})
    stale = pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "Older words"}})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["version"] == 1 and body["answers"] == {"my_part": "Newest words"}
    mine = next(s for s in pat.get(url).get_json()["sections"] if s["key"] == "own")["mine"]
    assert mine["answers"] == {"my_part": "Newest words"}


def test_a_bad_answer_is_a_422_naming_the_field_and_nothing_is_saved(sheet):
    pat, url = sheet["pat"], sheet["url"]
    bad = pat.put_json(f"{url}/sections/ready", {"version": 0, "answers": {"calm": 11, "go": "maybe"}})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"calm", "go"}
    saved = select(WorksheetResponse.id).where(WorksheetResponse.section_key == "ready")
    assert db.session.scalar(saved) is None
    nul = pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "a\x00b"}})
    assert nul.status_code == 422


def test_the_other_partners_draft_never_reaches_the_json(sheet):
    pat, bea, url = sheet["pat"], sheet["bea"], sheet["url"]
    pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "Pat's private words"}})
    assert "Pat's private words" not in bea.get(url).get_data(as_text=True)


def test_submit_refuses_missing_answers_then_sharing_reaches_the_partner(sheet):
    pat, bea, url = sheet["pat"], sheet["bea"], sheet["url"]
    pat.put_json(f"{url}/sections/own", {"version": 0, "answers": {"my_part": "Pat's words"}})
    refused = pat.post_json(f"{url}/submit", {"sharing": {}})
    assert refused.status_code == 422
    assert "camera" in str(refused.get_json()["errors"]) and "moment" in str(refused.get_json()["errors"])
    answers = {"ready": {"calm": 6, "go": "yes"},
               "moment": {"when": "2026-11-28", "camera": "Voices rose."},
               "impact": {"effect": "Alone."}, "validate": {"makes_sense": "Fair."},
               "do_over": {"next_time": "Pause."}}
    for key, given in answers.items():
        assert pat.put_json(f"{url}/sections/{key}", {"version": 0, "answers": given}).status_code == 200
    done = pat.post_json(f"{url}/submit", {"sharing": {"own": "couple"}})
    assert done.status_code == 200
    assert "Pat's words" in bea.get(url).get_data(as_text=True)
    back = pat.put_json(f"{url}/sections/own/sharing", {"to": "counselor"})
    assert back.status_code == 200 and back.get_json()["visibility"] == "counselor"
    assert "Pat's words" not in bea.get(url).get_data(as_text=True)
    locked = pat.put_json(f"{url}/sections/own", {"version": 1, "answers": {"my_part": "Rewritten"}})
    assert locked.status_code == 422


def test_a_part_that_is_not_open_cannot_be_written(sheet):
    pat, url = sheet["pat"], sheet["url"]
    early = pat.put_json(f"{url}/sections/follow", {"version": 0, "answers": {"step": "Walk"}})
    assert early.status_code == 422


def test_two_partners_saving_the_joint_plan_from_one_version_one_wins(app, sheet, monkeypatch):
    """D1, with two real threads reaching the part at once: the database keeps one save.

    On PostgreSQL the part is read FOR UPDATE, so the second waits, then finds version 2; on SQLite
    both read version 1 and the second write matches no row. Either way: 200 and 409.
    """
    pat, bea, url = sheet["pat"], sheet["bea"], sheet["url"]
    for who in (pat, bea):
        who.put_json(f"{url}/sections/do_over", {"version": 0, "answers": {"next_time": "Pause."}})
    started = pat.put_json(f"{url}/sections/follow", {"version": 0, "answers": {"step": "Start"}})
    assert started.status_code == 200
    both_there = threading.Barrier(2, timeout=WAIT)
    read = services.response_of

    def read_together(*args, for_update=False, **kwargs):
        if for_update:
            both_there.wait()  # both requests are about to read the part they will save
        return read(*args, for_update=for_update, **kwargs)

    monkeypatch.setattr(services, "response_of", read_together)
    answers = {}

    def save(name, who, words):
        answers[name] = who.put_json(f"{url}/sections/follow", {"version": 1, "answers": {"step": words}})

    threads = [threading.Thread(target=save, args=("pat", pat, "Walk on Sunday")),
               threading.Thread(target=save, args=("bea", bea, "Cook together"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [200, 409], statuses
    loser = next(answer for answer in answers.values() if answer.status_code == 409).get_json()
    winner = next(answer for answer in answers.values() if answer.status_code == 200).get_json()
    assert loser["version"] == winner["version"] == 2
    assert loser["answers"]["step"] in ("Walk on Sunday", "Cook together")
    db.session.expire_all()
    row = db.session.scalar(select(WorksheetResponse).where(WorksheetResponse.section_key == "follow"))
    assert services.unseal(row)["answers"]["step"] == loser["answers"]["step"] and row.version == 2


def test_another_couples_partner_gets_404_before_their_body_is_read(sheet, world, new_client):
    stranger = new_client()
    stranger.auth.login(world["P2A"])
    token = stranger.auth.csrf("/account")
    answer = stranger.put(f"{sheet['url']}/sections/own", json={"nonsense": True},
                          headers={"X-CSRFToken": token})
    assert answer.status_code == 404
    assert stranger.get(sheet["url"]).status_code == 404


def test_half_a_character_or_an_unknown_part_is_refused_without_a_500(sheet):
    pat, url = sheet["pat"], sheet["url"]
    broken = pat.put(f"{url}/sections/own", data='{"version": 0, "answers": {"my_part": "a\\ud800b"}}',
                     content_type="application/json", headers={"X-CSRFToken": pat.auth.csrf("/account")})
    assert broken.status_code == 422 and "my_part" in broken.get_json()["errors"]
    assert pat.put_json(f"{url}/sections/own%00x/sharing", {"to": "couple"}).status_code == 404
    assert pat.put_json(f"{url}/sections/nowhere", {"version": 0, "answers": {}}).status_code == 404
