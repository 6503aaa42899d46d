"""Worksheets as counselors and partners use them: give, fill in private, submit, share, review.

The cast is SECURITY.md's (tests/conftest.py ``world``): counselor X with couple 1 (Pat = P1A,
Bea = P1B), counselor Y with couple 2. Every privacy rule is checked on what a person would see:
the page's text, the JSON, the stored row.
"""

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select, text
from werkzeug.datastructures import MultiDict

from practice.extensions import db
from practice.worksheets.models import SafetyCheck, WorksheetAssignment, WorksheetEntry, WorksheetResponse
from tests.conftest import csrf_from
from tests.web.webpage import text_of

PAT_SECRET = "I slammed the door, Анна-style, and I'm ashamed of it"
BEA_SECRET = "José said it first but I made it worse, O'Brien knows"


def give(client, couple, key, **fields):
    """The counselor gives the couple a worksheet through the assign form."""
    page = client.get(f"/couples/{couple.id}/worksheets/new?worksheet={key}")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "worksheet": key, **fields}
    return client.post(f"/couples/{couple.id}/worksheets/new", data=form)


def entry_of(couple, key) -> WorksheetEntry:
    """The couple's newest entry of a worksheet."""
    return db.session.scalars(select(WorksheetEntry).join(WorksheetAssignment).where(
        WorksheetAssignment.couple_id == couple.id, WorksheetAssignment.key == key)
        .order_by(WorksheetEntry.started_at.desc())).first()


class SheetForm(HTMLParser):
    """What a browser would post from the fill page's form: every control's current value."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.inside = self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "sheet" in a.get("class", ""):
            self.inside = True
        elif not self.inside or "disabled" in a:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("radio", "checkbox"):
            self.values.append((a["name"], a.get("value") or ""))
        elif tag == "input" and a.get("name") and "checked" in a:
            self.values.append((a["name"], a.get("value") or "on"))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values.append((self.select, a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.values.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            name, before = self.values[-1]
            self.values[-1] = (name, before + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def save(client, entry, go="", **answers):
    """Change some answers on the fill page and press a button, as a browser without JavaScript does."""
    parser = SheetForm()
    parser.feed(client.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True))
    form = [(name, value) for name, value in parser.values if name not in answers]
    form += [(name, value) for name, values in answers.items()
             for value in (values if isinstance(values, list) else [values])]
    return client.post(f"/portal/worksheets/{entry.id}", data=MultiDict([*form, ("go", go)]))


def safe(client, entry, answer="no"):
    """Answer the private safety question before a repair, boundaries or retro worksheet."""
    page = client.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    return client.post(f"/portal/worksheets/{entry.id}/safety",
                       data={"csrf_token": csrf_from(page), "afraid": answer})


def own_parts(secret: str) -> dict:
    """Every required answer of a partner's own parts of the repair worksheet."""
    return {"ready-calm": "6", "ready-go": "yes", "moment-when": "2026-11-28",
            "moment-camera": "After dinner, raised voices about the dishes.", "own-my_part": secret,
            "own-under": "hurt", "impact-effect": "You felt alone with it.",
            "validate-makes_sense": "It makes sense you went quiet.",
            "do_over-next_time": "Ask for ten minutes.",
            "after-connected": "7"}


@pytest.fixture
def repair(client, auth, world, new_client):
    """X gave couple 1 the repair worksheet; Pat and Bea are signed in, each in their own browser."""
    auth.login(world["X"])
    assert give(client, world["couple1"], "repair_after_conflict", due_on="2026-12-24",
                note="Take your time, Pat and Bea.").status_code == 302
    pat, bea = new_client(), new_client()
    pat.auth.login(world["P1A"])
    bea.auth.login(world["P1B"])
    entry = entry_of(world["couple1"], "repair_after_conflict")
    return {"counselor": client, "pat": pat, "bea": bea, "entry": entry}


def test_the_counselor_gives_a_worksheet_and_both_partners_see_it(client, world, repair):
    panel = text_of(client.get(f"/couples/{world['couple1'].id}"))
    assert "Repair after conflict" in panel and "Due 24 December" in panel
    assert "Pat: not started" in panel and "Bea: not started" in panel
    home = text_of(repair["pat"].get("/portal/"))
    assert "Repair after conflict" in home and "Start" in home
    page = text_of(repair["pat"].get(f"/portal/worksheets/{repair['entry'].id}"))
    assert "Take your time, Pat and Bea." in page
    assert "Are you ever afraid of, controlled by, or hurt by your partner?" in page
    assert "Bea is never told what you answer" in page


def test_the_preview_shows_the_worksheet_as_partners_see_it_and_saves_nothing(client, auth, world):
    auth.login(world["X"])
    page = text_of(client.get(f"/couples/{world['couple1'].id}/worksheets/preview/boundaries"))
    assert "The limit I'm asking for" in page and "Frame it as care" in page
    assert "Only you. It is a private draft." in page
    assert db.session.scalar(select(WorksheetResponse.id)) is None


def test_a_draft_is_private_to_its_author_and_encrypted_at_rest(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    answer = save(pat, entry, go="impact", **{"own-my_part": PAT_SECRET, "moment-camera": "We argued."})
    assert answer.status_code == 302
    assert PAT_SECRET in text_of(pat.get(f"/portal/worksheets/{entry.id}"))
    safe(bea, entry)
    assert "slammed" not in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    review = repair["counselor"].get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}")
    assert "slammed" not in review.get_data(as_text=True)
    assert "Still a private draft." in text_of(review)
    stored = db.session.execute(text("select sealed from worksheet_response")).scalars().all()
    assert stored and all("slammed" not in value and "argued" not in value for value in stored)


def test_submit_asks_for_every_needed_answer_beside_its_field_and_keeps_what_was_typed(repair):
    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    answer = save(pat, entry, go="submit", **{"own-my_part": PAT_SECRET})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert 'id="f-moment-camera-error"' in body and 'id="f-ready-calm-error"' in body
    assert "Anna" not in body and "Анна-style" in body  # what was typed is still there


def test_a_submitted_part_reaches_the_counselor_and_the_partner_only_when_shared(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    safe(bea, entry)
    assert save(pat, entry, go="submit", **own_parts(PAT_SECRET)).status_code == 302
    review = repair["counselor"].get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}")
    assert "slammed the door" in review.get_data(as_text=True)
    assert "slammed" not in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    response = db.session.scalar(select(WorksheetResponse).where(
        WorksheetResponse.section_key == "own",
        WorksheetResponse.slot == str(world["couple1"].partners[0].id)))
    page = pat.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    shared = pat.post(f"/portal/worksheets/{entry.id}/responses/{response.id}/share",
                      data={"csrf_token": csrf_from(page), "to": "couple"})
    assert shared.status_code == 302
    assert "slammed the door" in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    withdrawn = pat.post(f"/portal/worksheets/{entry.id}/responses/{response.id}/share",
                         data={"csrf_token": csrf_from(page), "to": "counselor"})
    assert withdrawn.status_code == 302
    assert "slammed" not in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)


def test_show_once_both_have_answered_reveals_both_at_the_same_moment(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    safe(bea, entry)
    chosen = {f"share-{key}": "when_both" for key in ("ready", "moment", "own", "impact", "validate",
                                                      "do_over", "after")}
    assert save(pat, entry, go="submit", **own_parts(PAT_SECRET), **chosen).status_code == 302
    assert "slammed" not in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    assert save(bea, entry, go="submit", **own_parts(BEA_SECRET), **chosen).status_code == 302
    assert "slammed the door" in bea.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    assert "said it first" in pat.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)


def test_the_joint_plan_opens_once_both_finished_the_do_over_and_shows_who_wrote_what(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    safe(bea, entry)
    save(pat, entry, **{"do_over-next_time": "Ask for ten minutes."})
    page = text_of(bea.get(f"/portal/worksheets/{entry.id}"))
    assert "This part opens when you are both ready for it." in page
    save(bea, entry, **{"do_over-next_time": "Breathe before answering."})
    assert save(bea, entry, **{"follow-step": "Dishes together after dinner", "follow-owner": "both"}
                ).status_code == 302
    page = text_of(pat.get(f"/portal/worksheets/{entry.id}"))
    assert "Bea wrote this" in page


def test_a_safety_concern_holds_the_joint_part_for_both_with_the_same_neutral_words(client, world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry, "yes")
    safe(bea, entry)
    mine = text_of(pat.get(f"/portal/worksheets/{entry.id}"))
    assert "Thank you for telling your counselor" in mine
    assert "National Domestic Violence Hotline" in mine or "Domestic Abuse" in mine
    theirs = text_of(bea.get(f"/portal/worksheets/{entry.id}"))
    assert "This part opens when you are both ready for it." in theirs
    assert "afraid" not in theirs.split("Get help now")[-1].lower() and "safety" not in theirs.lower()
    couple_page = text_of(client.get(f"/couples/{world['couple1'].id}"))
    assert "safety answer needs your attention" in couple_page
    assert "Safety answer to read" in text_of(client.get("/couples/"))
    check = db.session.scalar(select(SafetyCheck).where(SafetyCheck.concern.is_(True)))
    review = client.get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}")
    ack = client.post(f"/couples/{world['couple1'].id}/worksheets/safety/{check.id}/acknowledge",
                      data={"csrf_token": csrf_from(review.get_data(as_text=True)),
                            "note": "Called Pat; solo session on Friday."})
    assert ack.status_code == 302
    assert "safety answer needs your attention" not in text_of(client.get(f"/couples/{world['couple1'].id}"))
    assert "Safety answer to read" not in text_of(client.get("/couples/"))
    note = db.session.scalar(select(SafetyCheck.note_sealed).where(SafetyCheck.id == check.id))
    assert note and "Friday" not in note  # the acknowledgement is encrypted too


def test_words_of_self_harm_show_the_crisis_lines_to_their_author_only(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, **{"moment-camera": "Sometimes I want to die when we fight."})
    page = pat.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True)
    assert 'id="crisis-inline" role="alert" >' in page or 'id="crisis-inline" role="alert">' in page
    safe(bea, entry)
    assert 'id="crisis-inline" role="alert" hidden' in bea.get(f"/portal/worksheets/{entry.id}").get_data(
        as_text=True)


def test_two_saves_from_the_same_version_the_second_gets_both_texts_to_merge(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    for who in (pat, bea):
        safe(who, entry)
        save(who, entry, **{"do_over-next_time": "Pause."})
    pages = {}
    for name, who in (("pat", pat), ("bea", bea)):  # both open the page before either saves
        parser = SheetForm()
        parser.feed(who.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True))
        pages[name] = [(k, v) for k, v in parser.values if k != "follow-step"]
    url = f"/portal/worksheets/{entry.id}"
    first = pat.post(url, data=MultiDict([*pages["pat"], ("follow-step", "Walk on Sunday")]))
    assert first.status_code == 302
    second = bea.post(url, data=MultiDict([*pages["bea"], ("follow-step", "Cook together")]))
    assert second.status_code == 409
    assert "Walk on Sunday" in text_of(second)  # Pat's, saved first, to merge with
    assert 'value="Cook together"' in second.get_data(as_text=True)  # Bea's own, still in the field


def test_the_counselor_comments_to_one_partner_and_marks_the_entry_reviewed(client, world, repair):
    entry, couple = repair["entry"], world["couple1"]
    review = client.get(f"/couples/{couple.id}/worksheets/entries/{entry.id}")
    token = csrf_from(review.get_data(as_text=True))
    to_pat = client.post(f"/couples/{couple.id}/worksheets/entries/{entry.id}/comments",
                         data={"csrf_token": token, "to": str(couple.partners[0].id),
                               "body": "Lovely work, Pat."})
    assert to_pat.status_code == 302
    empty = client.post(f"/couples/{couple.id}/worksheets/entries/{entry.id}/comments",
                        data={"csrf_token": token, "to": "both", "body": "  "})
    assert empty.status_code == 422 and "Enter a comment." in text_of(empty)
    client.post(f"/couples/{couple.id}/worksheets/entries/{entry.id}/reviewed", data={"csrf_token": token})
    safe(repair["pat"], entry)
    safe(repair["bea"], entry)
    assert "Lovely work, Pat." in text_of(repair["pat"].get(f"/portal/worksheets/{entry.id}"))
    assert "Lovely work" not in text_of(repair["bea"].get(f"/portal/worksheets/{entry.id}"))
    assert "Reviewed" in text_of(client.get(f"/couples/{couple.id}"))


def test_a_partner_sees_who_read_their_submitted_answers(world, repair):
    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, go="submit", **own_parts(PAT_SECRET))
    repair["counselor"].get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}")
    page = text_of(pat.get("/portal/worksheets/viewed"))
    assert "Counselor X read it: Repair after conflict" in page


def test_a_reassurance_log_entry_is_its_authors_alone(client, world, repair):
    give(client, world["couple1"], "reassurance_log")
    pat, bea = repair["pat"], repair["bea"]
    assignment = db.session.scalar(
        select(WorksheetAssignment).where(WorksheetAssignment.key == "reassurance_log"))
    page = pat.get("/portal/worksheets").get_data(as_text=True)
    started = pat.post(f"/portal/worksheets/assignments/{assignment.id}/entries",
                       data={"csrf_token": csrf_from(page)})
    assert started.status_code == 302
    entry_id = started.headers["Location"].rsplit("/", 1)[1]
    assert pat.get(f"/portal/worksheets/{entry_id}").status_code == 200
    assert bea.get(f"/portal/worksheets/{entry_id}").status_code == 404


def test_another_couples_partner_and_counselor_get_404_for_an_entry(world, repair, new_client):
    entry = repair["entry"]
    stranger = new_client()
    stranger.auth.login(world["P2A"])
    assert stranger.get(f"/portal/worksheets/{entry.id}").status_code == 404
    other = new_client()
    other.auth.login(world["Y"])
    assert other.get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}").status_code == 404


def statements(client, path) -> list[str]:
    """The SQL statements one page runs."""
    seen = []
    listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def test_the_fill_and_review_pages_keep_within_eight_statements(client, world, repair):
    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, go="submit", **own_parts(PAT_SECRET))
    fill = statements(pat, f"/portal/worksheets/{entry.id}")
    review = statements(client, f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}")
    # Who is asking, their couple, the entry with everything it holds, its answers; the audit chain's three.
    assert len(fill) <= 8 and len(review) <= 8, (fill, review)


def test_a_worry_that_keeps_returning_gets_the_gentle_prompt_in_the_log(client, world, repair):
    give(client, world["couple1"], "reassurance_log")
    pat = repair["pat"]
    assignment = db.session.scalar(
        select(WorksheetAssignment).where(WorksheetAssignment.key == "reassurance_log"))
    prompt = "This worry keeps returning."
    for n in range(3):
        page = pat.get("/portal/worksheets").get_data(as_text=True)
        started = pat.post(f"/portal/worksheets/assignments/{assignment.id}/entries",
                           data={"csrf_token": csrf_from(page)})
        entry = db.session.get(WorksheetEntry, uuid.UUID(started.headers["Location"].rsplit("/", 1)[1]))
        assert prompt not in text_of(pat.get(f"/portal/worksheets/{entry.id}"))
        save(pat, entry, **{"event-trigger": "slow_reply", "event-fear": f"Story {n}"})
    assert prompt in text_of(pat.get(f"/portal/worksheets/{entry.id}"))
    assert prompt not in text_of(client.get(f"/couples/{world['couple1'].id}/worksheets/entries/{entry.id}"))


def test_the_other_partner_cannot_tell_a_safety_answer_from_a_part_not_yet_finished(client, world, repair):
    """CONTENT.md §4.3: the held part reads exactly as a locked one, so its words never say why."""
    pat, bea, first = repair["pat"], repair["bea"], repair["entry"]
    assert give(client, world["couple1"], "repair_after_conflict").status_code == 302
    second = entry_of(world["couple1"], "repair_after_conflict")

    def plan_as_bea_sees_it(entry) -> str:
        page = text_of(bea.get(f"/portal/worksheets/{entry.id}"))
        return page[page.index("Follow-through plan"):page.index("Afterwards")]

    safe(bea, first)
    safe(bea, second)
    save(bea, first, **{"do_over-next_time": "Pause."})
    save(bea, second, **{"do_over-next_time": "Pause."})
    safe(pat, first, "yes")  # asks for care, and finishes the do-over
    save(pat, first, **{"do_over-next_time": "Pause too."})
    safe(pat, second, "no")  # no concern, but the do-over is not finished yet
    assert plan_as_bea_sees_it(first) == plan_as_bea_sees_it(second)
    assert "ready for it" in plan_as_bea_sees_it(first)


def test_the_session_note_summary_says_who_submitted_which_worksheet_since_the_last_session(world, repair):
    from datetime import date, timedelta

    from practice import seams
    from practice.couples.summaries import summarise
    from practice.seams import Viewer

    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, go="submit", **own_parts(PAT_SECRET))
    couple = summarise(world["couple1"], "Counselor X")
    counselor = Viewer(world["X"].id, "counselor", "Counselor X")
    lines = seams.between_sessions(couple, date.today() - timedelta(days=7), counselor)
    assert any(line.startswith("Repair after conflict: Pat submitted on ") for line in lines), lines
    later = seams.between_sessions(couple, date.today() + timedelta(days=2), counselor)
    assert not any("Repair" in line for line in later)
    assert seams.between_sessions(couple, date.today() - timedelta(days=7),
                                  Viewer(world["P1B"].id, "partner", "Bea", couple.partners[1].id)) == []


BOUNDARY = {"limit-what": "Thirty minutes alone after work", "need-need": "space",
            "frame-sentence": "I'm asking for quiet so we can be at our best.",
            "closeness-reconnect": "Tea together", "closeness-reconnect_when": "right_after",
            "timing-applies": "daily", "signal-how": "spoken_phrase"}


def test_a_reply_to_the_partners_request_opens_once_it_is_shared_and_can_be_submitted(client, world, repair):
    pat, bea = repair["pat"], repair["bea"]
    give(client, world["couple1"], "boundaries")
    entry = entry_of(world["couple1"], "boundaries")
    for who in (pat, bea):
        safe(who, entry)
    assert "This part opens when Pat shares their answers with you." in text_of(
        bea.get(f"/portal/worksheets/{entry.id}"))
    parts = ("limit", "need", "frame", "closeness", "timing", "signal")
    sharing = {f"share-{key}": "couple" for key in parts}
    assert save(pat, entry, go="submit", **BOUNDARY, **sharing).status_code == 302
    page = text_of(bea.get(f"/portal/worksheets/{entry.id}"))
    assert "Thirty minutes alone after work" in page and "This part opens when Pat shares" not in page
    assert save(bea, entry, go="submit", **BOUNDARY, **{"response-heard": "You need quiet first",
                                                        "response-stance": "agree"}).status_code == 302
    reply = db.session.scalar(select(WorksheetResponse).where(
        WorksheetResponse.section_key == "response",
        WorksheetResponse.slot == str(world["couple1"].partners[1].id)))
    assert reply.visibility.value == "counselor" and reply.submitted_at is not None


def test_words_typed_into_a_part_that_closed_meanwhile_are_kept_and_not_claimed_saved(world, repair):
    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    parser = SheetForm()
    parser.feed(pat.get(f"/portal/worksheets/{entry.id}").get_data(as_text=True))
    stale = [(k, v) for k, v in parser.values if k != "own-my_part"]  # a second tab, loaded before submit
    assert save(pat, entry, go="submit", **own_parts(PAT_SECRET)).status_code == 302
    answer = pat.post(f"/portal/worksheets/{entry.id}",
                      data=MultiDict([*stale, ("own-my_part", "Words typed in the old tab")]))
    assert answer.status_code == 422
    assert "This part can no longer be changed here" in text_of(answer)
    assert "Words typed in the old tab" in answer.get_data(as_text=True)


def test_the_crisis_lines_answer_the_readers_own_words_not_the_partners(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    for who in (pat, bea):
        safe(who, entry)
    chosen = {"share-moment": "couple"}
    parts = {**own_parts(BEA_SECRET), "moment-camera": "I want to die when we fight like that."}
    assert save(bea, entry, go="submit", **parts, **chosen).status_code == 302
    assert "want to die" in text_of(pat.get(f"/portal/worksheets/{entry.id}"))  # Bea shared it
    assert 'id="crisis-inline" role="alert" hidden' in pat.get(f"/portal/worksheets/{entry.id}").get_data(
        as_text=True)


def test_the_partner_opening_a_worksheet_is_not_a_read_of_answers_never_shared_with_them(world, repair):
    pat, bea, entry = repair["pat"], repair["bea"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, go="submit", **own_parts(PAT_SECRET))  # to the counselor only
    safe(bea, entry)
    bea.get(f"/portal/worksheets/{entry.id}")
    assert "Bea read it" not in text_of(pat.get("/portal/worksheets/viewed"))


def test_the_safety_question_is_only_taken_where_a_worksheet_asks_it(client, world, repair):
    give(client, world["couple1"], "feeling_words_practice")
    pat = repair["pat"]
    assignment = db.session.scalar(
        select(WorksheetAssignment).where(WorksheetAssignment.key == "feeling_words_practice"))
    page = pat.get("/portal/worksheets").get_data(as_text=True)
    started = pat.post(f"/portal/worksheets/assignments/{assignment.id}/entries",
                       data={"csrf_token": csrf_from(page)})
    entry_id = started.headers["Location"].rsplit("/", 1)[1]
    answer = pat.post(f"/portal/worksheets/{entry_id}/safety",
                      data={"csrf_token": csrf_from(page), "afraid": "yes"})
    assert answer.status_code == 404
    assert db.session.scalar(select(SafetyCheck.id)) is None


def test_a_new_version_of_the_file_never_changes_a_worksheet_already_given(app, client, world, repair):
    import copy

    from practice.worksheets import definitions

    pat, entry = repair["pat"], repair["entry"]
    safe(pat, entry)
    save(pat, entry, **{"own-my_part": "Answered on version 1"})
    body = copy.deepcopy(definitions.get("repair_after_conflict").body)
    body["version"] = 2
    body["sections"][2]["fields"][0]["label"] = "What I regret doing (reworded)"
    app.extensions[definitions.EXTENSION] = {**definitions.library(),
                                             "repair_after_conflict": definitions.from_body(body)}
    page = text_of(pat.get(f"/portal/worksheets/{entry.id}"))
    assert "What I did that I'd take back" in page and "reworded" not in page
    assert "Answered on version 1" in page
    assert give(client, world["couple1"], "repair_after_conflict").status_code == 302
    newer = entry_of(world["couple1"], "repair_after_conflict")
    safe(pat, newer)
    assert "What I regret doing (reworded)" in text_of(pat.get(f"/portal/worksheets/{newer.id}"))
    assert {a.definition.version for a in db.session.scalars(select(WorksheetAssignment))} == {1, 2}


def test_a_prefilled_answer_left_as_it_is_is_kept_and_a_frame_needs_its_blanks_filled(client, world, repair):
    from practice.worksheets import services

    pat, bea = repair["pat"], repair["bea"]
    give(client, world["couple1"], "boundaries")
    entry = entry_of(world["couple1"], "boundaries")
    for who in (pat, bea):
        safe(who, entry)
    answers = {k: v for k, v in BOUNDARY.items() if k != "frame-sentence"}  # the frame stays as given
    answer = save(pat, entry, go="submit", **answers)
    assert answer.status_code == 422
    assert "Fill in the blanks (___) in your own words." in text_of(answer)
    frame = db.session.scalar(select(WorksheetResponse).where(WorksheetResponse.section_key == "frame"))
    assert "___" in services.unseal(frame)["answers"]["sentence"]  # kept, though never typed over
