"""Read pages, one way: a fixed number of SQL statements, none of them while a template renders."""

import contextlib

import pytest
from flask import before_render_template, render_template_string, template_rendered
from sqlalchemy import event

from practice.couples.invitations import invite_partner
from practice.extensions import db


@contextlib.contextmanager
def statements(app):
    """Count SQL statements, and those issued while a template was rendering."""
    counts = {"all": 0, "rendering": 0}
    rendering = []

    def on_execute(*args, **kwargs):
        counts["all"] += 1
        counts["rendering"] += bool(rendering)

    def started(sender, template, context, **extra):
        rendering.append(template.name)

    def finished(sender, template, context, **extra):
        rendering.pop()

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        before_render_template.disconnect(started, app)
        template_rendered.disconnect(finished, app)


#: Statements the view's audit event costs at commit: take the chain's head, then move it and
#: insert the event (one statement on PostgreSQL, two on SQLite); on PostgreSQL, after COMMIT, one
#: lock-free look for events another page left waiting (practice.audit.seal_waiting).
AUDIT_WRITES = 3
#: The most statements each page may run: the signed-in user with this browser's session (1),
#: the page's own reads, and the audit event.
#: The habits panel: the couple's habits with their history, and (when there are any) their logs.
HABITS_PANEL = 2
#: The worksheets panel: the couple's worksheets, entries, answers' owners and safety flag, at once.
WORKSHEETS_PANEL = 1
#: The session notes panel: the counselor's notes of the couple (dates, formats, states; no words).
NOTES_PANEL = 1
#: The caseload's flags (practice/seams.py): one look for the page's couples (a safety answer waiting).
CASELOAD_FLAGS = 1
MOST_STATEMENTS = {
    # couples counted; a page of couples, partners, invitations; their flags
    "caseload": 1 + 2 + CASELOAD_FLAGS + AUDIT_WRITES,
    # the couple with partners and invitations, then each feature's panel
    "couple page": 1 + 1 + HABITS_PANEL + WORKSHEETS_PANEL + NOTES_PANEL + AUDIT_WRITES,
    "audit trail": 1 + 4 + AUDIT_WRITES,  # the couple; who did what; events counted; a page of them
    # the partner's record with couple, counselor, partners, then each feature's panel
    "portal": 1 + 1 + HABITS_PANEL + WORKSHEETS_PANEL + AUDIT_WRITES,
}


def count_get(app, client, path) -> dict:
    """The statements one GET issues, after a warm-up request of the same page."""
    assert client.get(path).status_code == 200
    with statements(app) as counts:
        assert client.get(path).status_code == 200
    return counts


def add_history(app, couple, client, path, times=12):
    """Give a couple a long history: new invitations again and again, and many page views."""
    with app.test_request_context():
        for _ in range(times):
            for partner in couple.partners:
                if partner.user_id is None:
                    invite_partner(partner)
    db.session.commit()
    for _ in range(times):
        client.get(path)


def test_the_couple_page_costs_the_same_with_a_long_history(app, client, auth, world, make_couple):
    auth.login(world["X"])
    couple = make_couple(world["X"], names=("Анна Петрова", "José O'Brien"))
    path = f"/couples/{couple.id}"
    before = count_get(app, client, path)
    add_history(app, couple, client, path)
    after = count_get(app, client, path)
    assert after == before
    assert before["rendering"] == 0
    assert after["all"] <= MOST_STATEMENTS["couple page"]


def test_the_audit_trail_costs_the_same_with_a_long_history(app, client, auth, world, make_couple):
    auth.login(world["X"])
    couple = make_couple(world["X"], names=("Анна Петрова", "José O'Brien"))
    path = f"/couples/{couple.id}/audit"
    before = count_get(app, client, path)
    add_history(app, couple, client, f"/couples/{couple.id}")
    after = count_get(app, client, path)
    assert after == before
    assert after["rendering"] == 0
    assert after["all"] <= MOST_STATEMENTS["audit trail"]


@pytest.mark.parametrize("path", ["/couples/", "/couples/?status=archived", "/portal/", "/api/v1/couple"])
def test_list_and_portal_pages_cost_the_same_as_the_practice_grows(app, client, auth, world,
                                                                   make_couple, path):
    who = "P1A" if path.startswith(("/portal", "/api")) else "X"
    auth.login(world[who])
    before = count_get(app, client, path)
    for number in range(8):
        make_couple(world["X"], joined=number % 2 == 0, names=(f"Ana {number}", f"Bo {number}"))
    add_history(app, world["couple1"], client, path, times=5)
    after = count_get(app, client, path)
    assert after == before
    assert after["rendering"] == 0
    assert after["all"] <= MOST_STATEMENTS["caseload" if who == "X" else "portal"]


def test_the_counter_notices_a_template_that_queries(app, client, auth, world):
    # The check above can fail: a page whose template touches an unloaded relationship is seen.
    auth.login(world["X"])
    couple = world["couple1"]
    row = db.session.get(type(couple), couple.id)
    with statements(app) as counts, app.test_request_context():
        render_template_string("{{ couple.counselor.name }}", couple=row)
    assert counts["rendering"] >= 1
