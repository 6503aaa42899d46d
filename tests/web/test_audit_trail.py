"""The audit trail as a counselor reads it: sentences, their own "You", filters, codes on demand."""

import html
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from flask import template_rendered
from webpage import text_of

from practice import audit
from practice.couples.models import Couple
from practice.extensions import db


@pytest.fixture
def couple(counselor, make_couple):
    """Maya and Sam, both joined, in Dana's caseload."""
    return make_couple(counselor, joined=True, names=("Maya Chen", "Sam Lee"))


def trail_of(client, couple, **args):
    """The trail page, with filters given as keyword arguments."""
    return client.get(f"/couples/{couple.id}/audit", query_string=args)


def sentences(page) -> list[str]:
    """The sentences in the trail's first column, newest first."""
    body = page.get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", body, flags=re.S)
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip() for row in rows]


def options(page, name: str) -> dict[str, str]:
    """A select box's choices: value -> text."""
    body = page.get_data(as_text=True)
    box = re.search(rf'<select id="f-{name}" name="{name}">(.*?)</select>', body, flags=re.S).group(1)
    return {value: text.strip() for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', box)}


def test_each_event_reads_as_a_sentence_with_you_for_the_reader(client, couple, browser):
    maya = couple.partners[0].user
    browser(maya).get("/portal/")
    client.get(f"/couples/{couple.id}")

    page = trail_of(client, couple)

    assert page.status_code == 200
    said = sentences(page)
    assert said[0] == "You viewed the couple page"
    assert said[1] == "Maya viewed the portal"
    assert "Maya accepted the invitation and joined the portal" in said
    assert "Sam accepted the invitation and joined the portal" in said
    # The codes are not in the sentences: they wait behind each entry's "Codes".
    assert not any(re.search(r"\b[a-z_]+\.[a-z_]+\b", text) for text in said)


def test_the_counselors_own_actions_read_you(client, counselor, submit):
    submit("/couples/new", {
        "partner_a.name": "Maya Chen", "partner_a.email": "maya@example.com", "partner_a.pronouns": "",
        "partner_b.name": "Sam Lee", "partner_b.email": "sam@example.com", "partner_b.pronouns": "",
        "label": "", "time_zone": "Chicago", "confidentiality": "no_secrets",
    })
    couple = db.session.scalar(db.select(Couple))
    sam = f"/couples/{couple.id}/partners/{couple.partners[1].id}"
    submit(f"/couples/{couple.id}", {}, action=f"{sam}/invite")
    submit(f"/couples/{couple.id}", {}, action=f"{sam}/revoke")

    said = [text for text in sentences(trail_of(client, couple)) if "viewed" not in text]

    assert said == ["You withdrew Sam's invitation", "You sent Sam an invitation",
                    "You added the couple to the caseload"]


def test_another_counselor_is_refused_and_the_refusal_is_on_the_trail(client, couple, make_user, browser):
    other = browser(make_user("counselor", email="pia@example.com", name="Pia Other"))

    assert other.get(f"/couples/{couple.id}/audit").status_code == 404
    assert other.get(f"/couples/{couple.id}").status_code == 404

    page = trail_of(client, couple)
    said = sentences(page)
    assert said[:2] == ["Pia Other was refused the couple page"] * 2
    assert "Maya Chen" not in other.get(f"/couples/{couple.id}/audit").get_data(as_text=True)


def test_an_action_without_a_sentence_still_reads(client, couple, counselor):
    audit.record("scrapbook.share", object_type="scrapbook", object_id="w1", couple_id=couple.id,
                 actor=couple.partners[1].user)
    audit.record("homework.log_failed", couple_id=couple.id, actor=counselor, outcome="failed")
    db.session.commit()

    said = sentences(trail_of(client, couple))

    assert said[:2] == ["You: homework log failed did not succeed", "Sam: scrapbook share"]


def test_filter_by_person_and_by_action(client, couple, browser):
    maya, sam = (partner.user for partner in couple.partners)
    browser(maya).get("/portal/")
    browser(sam).get("/portal/")
    client.get(f"/couples/{couple.id}")
    page = trail_of(client, couple)
    people, actions = options(page, "who"), options(page, "action")
    assert people[str(maya.id)] == "Maya Chen (partner)"
    assert people[""] == "Everyone" and "You" in people.values()
    assert actions["portal.view"] == "Viewed the portal"
    assert actions["invitation.accept"] == "Accepted the invitation and joined the portal"
    assert 'method="get"' in page.get_data(as_text=True)

    only_maya = sentences(trail_of(client, couple, who=str(maya.id)))
    assert set(only_maya) == {"Maya viewed the portal", "Maya accepted the invitation and joined the portal"}

    only_portal = sentences(trail_of(client, couple, action="portal.view"))
    assert sorted(only_portal) == ["Maya viewed the portal", "Sam viewed the portal"]

    both = trail_of(client, couple, who=str(sam.id), action="portal.view")
    assert sentences(both) == ["Sam viewed the portal"]
    assert "selected" in re.search(rf'<option value="{sam.id}"[^>]*>', both.get_data(as_text=True)).group(0)

    nothing = trail_of(client, couple, who=str(sam.id), action="couple.view")
    assert sentences(nothing) == [] and "Nothing matches" in text_of(nothing)


@pytest.mark.parametrize(
    "args",
    [
        {"who": "x" * 20_000}, {"who": "\x00"}, {"who": "not-a-uuid"}, {"who": str(uuid.uuid4())},
        {"action": "\x00"}, {"action": "couple.view' OR 1=1 --"}, {"action": "a" * 20_000},
        {"page": "99999999999999999999999999"}, {"page": "-5"}, {"page": "\x00"}, {"page": "two"},
        {"codes": "\x00"}, {"who": ["a", "b"]},
    ],
    ids=["huge who", "NUL who", "text who", "stranger's id", "NUL action", "quote action", "huge action",
         "huge page", "negative page", "NUL page", "word page", "NUL codes", "two whos"],
)
def test_filter_values_that_mean_nothing_show_the_whole_trail(client, couple, args):
    page = trail_of(client, couple, **args)
    assert page.status_code == 200
    assert "Maya accepted the invitation and joined the portal" in sentences(page)


def test_codes_are_there_on_demand(client, couple, browser):
    browser(couple.partners[0].user).get("/portal/")
    event = db.session.scalar(db.select(audit.AuditEvent).where(audit.AuditEvent.action == "portal.view"))

    page = trail_of(client, couple, action="portal.view")
    body = page.get_data(as_text=True)
    details = re.search(r"<details\b[^>]*>.*?</details>", body, flags=re.S).group(0)
    assert "<details >" in details or "<details>" in details  # closed until asked for
    for code in ("portal.view", f"couple {couple.id}", "ok", str(event.seq)):
        assert code in details
    assert "Show every entry&#39;s codes" in body or "Show every entry's codes" in body

    opened = trail_of(client, couple, action="portal.view", codes="1")
    assert "<details open>" in opened.get_data(as_text=True)
    assert 'name="codes" value="1"' in opened.get_data(as_text=True)


def test_times_are_in_the_couples_zone(client, couple, monkeypatch):
    moment = datetime(2025, 11, 30, 20, 5, tzinfo=UTC)
    monkeypatch.setattr(audit, "utcnow", lambda: moment)
    audit.record("portal.view", couple_id=couple.id, actor=couple.partners[0].user)
    db.session.commit()
    monkeypatch.undo()
    assert date.today().year != 2025

    assert "Sun 30 Nov 2025, 2:05 pm Central time" in text_of(trail_of(client, couple))
    couple.time_zone = "Asia/Tokyo"
    db.session.commit()
    page = trail_of(client, couple)
    assert "Mon 1 Dec 2025, 5:05 am Japan time" in text_of(page)
    assert "Times are the couple's: Japan time, Tokyo." in text_of(page)


def test_a_name_with_markup_shows_as_text(client, counselor, make_couple, browser):
    couple = make_couple(counselor, joined=True, names=("<script>alert(1)</script> Kim", "Sam Lee"))
    browser(couple.partners[0].user).get("/portal/")

    page = trail_of(client, couple)

    body = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; viewed the portal" in body
    assert "<script>alert(1)</script> viewed the portal" in sentences(page)


def test_long_trails_come_a_page_at_a_time(client, couple, counselor):
    for _ in range(60):
        audit.record("couple.view", couple_id=couple.id, actor=counselor)
    db.session.commit()

    first = trail_of(client, couple)
    assert len(sentences(first)) == 50
    assert "Page 1 of 2" in text_of(first) and "Older" in text_of(first)
    second = trail_of(client, couple, page="2")
    assert 0 < len(sentences(second)) < 50 and "Newer" in text_of(second)
    assert "Maya accepted the invitation and joined the portal" in sentences(second)


def test_the_page_is_built_from_plain_data(app, client, couple):
    seen = []

    def remember(sender, template, context, **extra):
        if template.name == "couples/audit.html":
            seen.append(context)

    plain = (str, int, bool, float, datetime, type(None))

    def walk(value):
        if isinstance(value, dict):
            return all(walk(item) for item in value.values())
        if isinstance(value, list | tuple):
            return all(walk(item) for item in value)
        return isinstance(value, plain)

    with template_rendered.connected_to(remember, app):
        trail_of(client, couple)
    assert seen
    for name in ("couple", "events", "filters", "paging"):
        assert walk(seen[0][name]), name


def test_events_nobody_signed_in_for_can_be_picked_out(client, couple):
    """The fixture adds and invites without a signed-in person: those read "Someone"."""
    page = trail_of(client, couple)
    assert options(page, "who")["nobody"] == "Someone not signed in"

    said = sentences(trail_of(client, couple, who="nobody"))

    assert said[-1] == "Someone added the couple to the caseload"
    assert "Someone sent Maya an invitation" in said
    assert all(text.startswith("Someone") for text in said)


def test_opening_an_invitation_link_reads_as_someone_opening_it(client, counselor, make_couple, auth):
    from urllib.parse import urlsplit

    from practice.couples.invitations import invite_partner

    couple = make_couple(counselor, names=("Maya Chen", "Sam Lee"))
    with client.application.test_request_context():
        link = invite_partner(couple.partners[0])
    db.session.commit()
    client.application.test_client().get(urlsplit(link).path)

    assert "Someone opened Maya's invitation link" in sentences(trail_of(client, couple))
