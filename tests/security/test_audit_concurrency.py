"""The audit chain never waits on a request (the seams issue, item 1; SECURITY.md D3, L3).

Counselor X's couple page is held open in a slow panel, its transaction still running. Meanwhile
counselor Y's audited pages answer, and once X's page finishes the chain still verifies. Before
events were sealed at commit, X held the chain's lock from its first audit record to its commit,
and Y's page waited for X.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from practice import audit, seams
from practice.audit import AuditEvent
from practice.extensions import db
from tests.conftest import POSTGRES, events_since, last_seq

WAIT = 20  # seconds: generous, only so a broken build fails instead of hanging


@pytest.fixture
def slow_panel(app):
    """A couple-page panel that stops for counselor X until the test lets it go."""
    entered, release = threading.Event(), threading.Event()

    def context(couple, viewer, **kwargs):
        if viewer.name == "Counselor X":
            # A panel of a feature would record its own read like this, inside the open transaction,
            # and then query again (an autoflush that must not write the event yet: on SQLite that
            # would take the database's write lock until X's page commits).
            audit.record("panel.view", object_type="couple", object_id=couple.id, couple_id=couple.id)
            db.session.execute(select(AuditEvent.seq).limit(1)).all()
            entered.set()
            release.wait(WAIT)
        return None

    seams.add_couple_panel(app, seams.Panel("slow", "Slow panel", "_missing.html", context,
                                            empty="Nothing slow here."))
    return entered, release


def in_thread(call):
    """Run ``call`` in a thread; return the thread and a dict that will hold its answer."""
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(response=call()), daemon=True)
    thread.start()
    return thread, answer


def test_a_slow_page_does_not_hold_up_another_counselor(app, world, new_client, slow_panel):
    entered, release = slow_panel
    x, y = new_client(), new_client()
    x.auth.login(world["X"])
    y.auth.login(world["Y"])
    first = last_seq()
    mine, theirs = f"/couples/{world['couple1'].id}", f"/couples/{world['couple2'].id}"

    slow, slow_answer = in_thread(lambda: x.get(mine))
    assert entered.wait(WAIT), "X's page never reached its panel"
    # X's request is now inside its transaction, with an audit event recorded and not committed.
    for path in (theirs, "/couples/", f"{theirs}/audit"):
        other, other_answer = in_thread(lambda path=path: y.get(path))
        other.join(WAIT)
        assert not other.is_alive(), f"Y's {path} waited for X's open transaction"
        assert other_answer["response"].status_code == 200
    assert slow.is_alive() and not release.is_set()

    release.set()
    slow.join(WAIT)
    assert slow_answer["response"].status_code == 200
    db.session.expire_all()
    assert audit.verify() == []
    events = events_since(first)
    actions = [(event.actor.name, event.action) for event in events]
    # Y's three views were committed first; X's panel read and page view come last, together.
    assert actions == [("Counselor Y", "couple.view"), ("Counselor Y", "caseload.view"),
                       ("Counselor Y", "audit.view"), ("Counselor X", "panel.view"),
                       ("Counselor X", "couple.view")]
    assert [event.seq for event in events] == list(range(first + 1, first + 6))


def test_events_of_a_rolled_back_request_leave_no_gap(app, world, client, auth):
    auth.login(world["X"])
    before = last_seq()
    audit.record("probe.view", object_type="couple", object_id="1")
    db.session.rollback()
    assert client.get(f"/couples/{world['couple1'].id}").status_code == 200
    db.session.expire_all()
    assert [e.action for e in events_since(before)] == ["couple.view"]
    assert audit.verify() == []


@pytest.mark.skipif(not POSTGRES, reason="SKIP LOCKED is PostgreSQL's; SQLite has one writer")
def test_a_page_that_finds_the_chain_busy_commits_without_waiting_and_is_sealed_after(
        app, world, new_client, monkeypatch):
    """Its change and events commit at once, unsealed; once the holder lets go, they are sealed."""
    x = new_client()
    x.auth.login(world["X"])
    audit.seal()
    before = last_seq()
    holding, go_on = threading.Event(), threading.Event()
    real_batch = audit._seal_batch

    def slow_batch(conn, position, prev_hash):
        # The sealer at work holds the chain's head, and keeps it across X's commit.
        sealed = real_batch(conn, position, prev_hash)
        if threading.current_thread().name == "sealer at work":
            holding.set()
            go_on.wait(WAIT)
        return sealed

    def sealer_at_work():
        with app.app_context():
            audit.seal()

    monkeypatch.setattr(audit, "_seal_batch", slow_batch)
    holder = threading.Thread(target=sealer_at_work, name="sealer at work", daemon=True)
    holder.start()
    assert holding.wait(WAIT)
    path = f"/couples/{world['couple1'].id}"
    page, answer = in_thread(lambda: x.get(path))
    page.join(WAIT)
    assert not page.is_alive(), "X's page waited for the chain"
    assert answer["response"].status_code == 200 and not go_on.is_set()
    db.session.rollback()
    [committed] = [e for e in events_since(before) if e.action == "couple.view"]
    assert committed.position is None  # committed with the page, unsealed, while the chain is held
    go_on.set()
    holder.join(WAIT)
    db.session.expire_all()
    # The holder looked again after its commit and sealed X's view.
    assert db.session.get(AuditEvent, committed.seq).position is not None
    assert audit.verify() == []


@pytest.mark.skipif(not POSTGRES, reason="SKIP LOCKED is PostgreSQL's; SQLite has one writer")
def test_a_page_that_held_the_chain_seals_what_another_page_committed_meanwhile(
        app, world, new_client):
    """X's page holds the head at its commit; Y's page commits unsealed and leaves them to X.

    X looked for waiting events before Y's commit, so only X's look after its own commit can
    find Y's view: without it, Y's view would wait for the next writer, however long that is.
    """
    x, y = new_client(), new_client()
    x.auth.login(world["X"])
    y.auth.login(world["Y"])
    audit.seal()
    before = last_seq()
    mine, theirs = f"/couples/{world['couple1'].id}", f"/couples/{world['couple2'].id}"
    holding, go_on = threading.Event(), threading.Event()

    def pause_while_holding(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name == "X's page" and "SKIP LOCKED" in statement:
            holding.set()
            go_on.wait(WAIT)

    event.listen(db.engine, "after_cursor_execute", pause_while_holding)
    try:
        page_x = threading.Thread(target=lambda: x.get(mine),
                                  name="X's page", daemon=True)
        page_x.start()
        assert holding.wait(WAIT), "X's page never took the chain's head"
        page_y, answer = in_thread(lambda: y.get(theirs))
        page_y.join(WAIT)
        assert not page_y.is_alive(), "Y's page waited for the chain"
        assert answer["response"].status_code == 200
        db.session.rollback()
        [y_view] = [e for e in events_since(before) if e.action == "couple.view"]
        assert y_view.position is None
        go_on.set()
        page_x.join(WAIT)
    finally:
        go_on.set()
        event.remove(db.engine, "after_cursor_execute", pause_while_holding)
    db.session.expire_all()
    views = [e for e in events_since(before) if e.action == "couple.view"]
    assert len(views) == 2 and all(e.position is not None for e in views)
    assert audit.verify() == []


def test_an_event_left_unsealed_is_reported_then_sealed(app, world, client, auth, runner, monkeypatch):
    """The chain looked busy and the seal after commit failed (the database went away)."""
    auth.login(world["X"])
    audit.seal()

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT audit_head", {}, Exception("server closed the connection"))

    monkeypatch.setattr(audit, "_lock_head", lambda conn, wait=False: None)
    monkeypatch.setattr(audit, "seal_waiting", database_gone)
    assert client.get(f"/couples/{world['couple1'].id}").status_code == 200
    monkeypatch.undo()
    db.session.expire_all()
    [viewed] = [e for e in events_since(0) if e.action == "couple.view"]
    assert viewed.position is None
    assert audit.verify() == []  # a moment later: not yet a problem
    later = datetime.now(UTC) + timedelta(minutes=2)
    [problem] = audit.verify(now=later)
    assert "not sealed yet" in problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Sealed 1 event" in result.output
    db.session.expire_all()
    assert audit.verify(now=later) == []
