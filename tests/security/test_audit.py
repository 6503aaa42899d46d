"""Audit and integrity: SECURITY.md D3, L1, L2, L3."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from practice import audit
from practice.audit import AuditEvent
from practice.couples.models import Couple
from practice.extensions import db
from tests.conftest import PASSWORD, couple_form, csrf_from, events_since, last_seq

FRIENDLY_500 = "Something went wrong on our side"


def couples_named(label) -> int:
    """How many couples carry this label."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Couple).where(Couple.label == label)
    )


# D3 ---------------------------------------------------------------------------------------------


def test_if_the_audit_event_fails_the_new_couple_is_not_saved(client, auth, world, monkeypatch):
    """D3: audit.record raising after the couple is flushed: neither is stored; friendly 500."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    seq = last_seq()

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    response = client.post("/couples/new", data=couple_form(token))
    monkeypatch.undo()
    assert response.status_code == 500
    assert FRIENDLY_500 in response.get_data(as_text=True)
    assert "audit store unavailable" not in response.get_data(as_text=True)
    assert couples_named("Quinn & Rae") == 0
    assert [e.action for e in events_since(seq)] == []


def test_if_the_commit_fails_neither_the_change_nor_its_event_is_stored(client, auth, world):
    """D3: the commit itself fails after the change and its event: both are gone."""
    auth.login(world["X"])
    couple = world["couple1"]
    token = auth.csrf(f"/couples/{couple.id}/edit")
    seq = last_seq()
    failures = []

    def fail_commit(session):
        # The event is already flushed (and maybe gone from the weak identity map): ask the
        # transaction itself whether it holds the edit's event.
        flushed = session.execute(
            sa.select(AuditEvent.seq).where(
                AuditEvent.seq > seq, AuditEvent.action == "couple.edit"
            )
        ).first()
        if flushed:
            failures.append(True)
            raise RuntimeError("disk full")

    event.listen(db.session, "before_commit", fail_commit)
    try:
        form = couple_form(
            token,
            **{
                "label": "Renamed",
                "partner_a.name": "Pat One",
                "partner_b.name": "Bea One",
                "partner_a.email": couple.partners[0].email,
                "partner_b.email": couple.partners[1].email,
            },
        )
        response = client.post(f"/couples/{couple.id}/edit", data=form)
    finally:
        event.remove(db.session, "before_commit", fail_commit)
    assert failures
    assert response.status_code == 500
    assert FRIENDLY_500 in response.get_data(as_text=True)
    assert couples_named("Renamed") == 0
    assert couples_named(couple.label) == 1
    assert "couple.edit" not in [e.action for e in events_since(seq)]
    assert client.get(f"/couples/{couple.id}").status_code == 200


def test_archiving_that_fails_to_audit_leaves_the_couple_active_and_partners_signed_in(
    client, auth, world, monkeypatch, new_client
):
    """D3: a failed archive (audit write fails) keeps the couple active and its sessions alive."""
    partner = new_client()
    partner.auth.login(world["P1A"])
    auth.login(world["X"])
    couple = world["couple1"]
    token = auth.csrf(f"/couples/{couple.id}")
    real_record = audit.record

    def record(action, **kwargs):
        if action == "couple.archive":
            raise RuntimeError("audit store unavailable")
        return real_record(action, **kwargs)

    monkeypatch.setattr(audit, "record", record)
    response = client.post(f"/couples/{couple.id}/archive", data={"csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).status == "active"
    assert partner.get("/api/v1/couple").status_code == 200


# L1 ---------------------------------------------------------------------------------------------


def one_event(client_response, seq, action, couple_id, actor):
    """The request wrote exactly one event, complete and tied to the request."""
    events = events_since(seq)
    assert [e.action for e in events] == [action], [e.action for e in events]
    [e] = events
    assert e.actor_id == actor.id and e.role == actor.role
    assert e.couple_id == couple_id
    assert e.object_type and (e.object_id or e.object_type == "caseload")
    assert e.outcome == "ok"
    assert e.request_id and e.request_id == client_response.headers["X-Request-ID"]
    assert e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - e.at) < timedelta(minutes=1)
    return e


def test_each_read_and_write_of_client_data_writes_exactly_one_event(
    app, client, auth, world, new_client, make_couple
):
    """L1: every view or change of a couple writes one complete audit event."""
    x = world["X"]
    couple = world["couple1"]
    pending = make_couple(x, names=("Una Four", "Vic Four"))
    auth.login(x)
    token = auth.csrf("/account")

    steps = [
        ("GET", f"/couples/{couple.id}", "couple.view", couple.id, {}),
        ("GET", f"/couples/{couple.id}/edit", "couple.view", couple.id, {}),
        ("GET", f"/couples/{couple.id}/audit", "audit.view", couple.id, {}),
        (
            "POST",
            f"/couples/{pending.id}/partners/{pending.partners[0].id}/invite",
            "invitation.send",
            pending.id,
            {"csrf_token": token},
        ),
        (
            "POST",
            f"/couples/{pending.id}/partners/{pending.partners[0].id}/revoke",
            "invitation.revoke",
            pending.id,
            {"csrf_token": token},
        ),
        (
            "POST",
            f"/couples/{pending.id}/edit",
            "couple.edit",
            pending.id,
            {
                "csrf_token": token,
                "label": "Una & Vic",
                "time_zone": "UTC",
                "partner_a.name": "Una Four",
                "partner_a.email": pending.partners[0].email,
                "partner_b.name": "Vic Four",
                "partner_b.email": pending.partners[1].email,
            },
        ),
        (
            "POST",
            f"/couples/{pending.id}/archive",
            "couple.archive",
            pending.id,
            {"csrf_token": token},
        ),
        (
            "POST",
            f"/couples/{pending.id}/restore",
            "couple.restore",
            pending.id,
            {"csrf_token": token},
        ),
    ]
    for method, url, action, couple_id, data in steps:
        seq = last_seq()
        response = client.open(url, method=method, data=data)
        assert response.status_code in (200, 302), (url, response.status_code)
        one_event(response, seq, action, couple_id, x)

    seq = last_seq()
    response = client.get("/couples/")
    event_ = one_event(response, seq, "caseload.view", None, x)
    assert event_.object_type == "caseload"

    seq = last_seq()
    response = client.post("/couples/new", data=couple_form(token))
    created = db.session.scalar(sa.select(Couple).where(Couple.label == "Quinn & Rae"))
    event_ = one_event(response, seq, "couple.create", created.id, x)
    assert event_.object_id == str(created.id)

    partner = new_client()
    partner.auth.login(world["P1A"])
    for url, action in (("/portal/", "portal.view"), ("/api/v1/couple", "portal.view")):
        seq = last_seq()
        response = partner.get(url)
        one_event(response, seq, action, couple.id, world["P1A"])


def test_no_audit_column_holds_client_names_or_emails(app, client, auth, world, new_client):
    """L1: after a full round of work, no event carries a name, label, email or password."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    client.post("/couples/new", data=couple_form(token))
    for couple in (world["couple1"],):
        client.get(f"/couples/{couple.id}")
        client.get(f"/couples/{couple.id}/audit")
        client.post("/couples/", data={"q": "Pat One", "csrf_token": auth.csrf("/couples/")},
                    follow_redirects=True)
    partner = new_client()
    partner.auth.login(world["P1A"])
    partner.get("/portal/")
    partner.get("/api/v1/couple")
    stranger = new_client()
    token = csrf_from(stranger.get("/login").get_data(as_text=True))
    stranger.post(
        "/login",
        data={"email": world["P1B"].email, "password": "wrong secret words", "csrf_token": token},
    )
    secrets_ = {"Quinn", "Rae", "Ledger", "quinn-", "rae-", PASSWORD, "wrong secret words"}
    for couple in (world["couple1"], world["couple2"]):
        secrets_ |= {couple.label}
        for p in couple.partners:
            secrets_ |= {p.name, p.email, p.name.split()[0]}
    rows = db.session.execute(sa.text("SELECT * FROM audit_event")).all()
    assert len(rows) > 20
    for row in rows:
        for value in row:
            if re.fullmatch(r"[0-9a-f-]*", str(value)):
                continue  # ids and hashes: hex that may spell "bea" by chance
            for secret in secrets_:
                assert secret.lower() not in str(value).lower(), (secret, row)


# L2 ---------------------------------------------------------------------------------------------


def test_sign_ins_failures_two_factor_and_denials_are_audited(client, auth, world, new_client):
    """L2: sign-ins, failures, two-factor failures, sign-outs and denials all leave events."""
    x, y = world["X"], world["Y"]
    seq = last_seq()
    stranger = new_client()
    token = csrf_from(stranger.get("/login").get_data(as_text=True))
    stranger.post(
        "/login",
        data={"email": x.email, "password": "not the password at all", "csrf_token": token},
    )
    stranger.post("/login", data={"email": x.email, "password": PASSWORD, "csrf_token": token})
    page = stranger.get("/tf-validate").get_data(as_text=True)
    stranger.post("/tf-validate", data={"code": "000000", "csrf_token": csrf_from(page)})
    auth.login(y)
    client.get(f"/couples/{world['couple1'].id}")
    auth.logout()
    partner = new_client()
    partner.auth.login(world["P1A"])
    partner.get("/admin/counselors")
    events = events_since(seq)
    seen = {(e.action, e.actor_id, e.outcome) for e in events}
    assert ("login.failed", x.id, "failed") in seen
    assert ("two_factor.failed", x.id, "failed") in seen
    assert ("login.succeeded", y.id, "ok") in seen
    assert ("access.denied", y.id, "denied") in seen
    assert ("logout", y.id, "ok") in seen
    assert ("login.succeeded", world["P1A"].id, "ok") in seen
    assert ("access.denied", world["P1A"].id, "denied") in seen
    # A password alone is not a sign-in for a counselor.
    assert ("login.succeeded", x.id, "ok") not in seen
    for e in events:
        assert e.ip == "127.0.0.1" and e.request_id


def test_an_idle_sign_out_is_audited(client, auth, world):
    """L2: a session ended for inactivity is on the record."""
    import time_machine

    start = datetime.now(UTC)
    seq = last_seq()
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["P1A"])
        clock.shift(timedelta(minutes=16))
        client.get("/portal/")
    actions = [e.action for e in events_since(seq)]
    assert "session.idle" in actions


# L3 ---------------------------------------------------------------------------------------------


@pytest.fixture
def chain(client, auth, world):
    """A chain with some real events in it."""
    auth.login(world["X"])
    client.get(f"/couples/{world['couple1'].id}")
    client.get("/couples/")
    assert last_seq() > 10
    return world


def verify(runner):
    """Run ``flask audit verify``."""
    return runner.invoke(args=["audit", "verify"])


def test_audit_verify_passes_on_an_untouched_chain(runner, chain):
    """L3: the intact chain verifies."""
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_event SET action = 'couple.view' WHERE seq = 5",
        "UPDATE audit_event SET outcome = 'denied' WHERE seq = (SELECT max(seq) FROM audit_event)",
        "UPDATE audit_event SET role = 'admin' WHERE seq = 3",
        "DELETE FROM audit_event WHERE seq = 4",
        "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)",
    ],
)
def test_audit_verify_finds_an_edited_or_deleted_row(runner, chain, tamper):
    """L3: raw SQL that edits or deletes an event breaks the chain, and verify says where."""
    db.session.execute(sa.text(tamper))
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1, result.output
    assert "BROKEN" in result.output


def test_audit_verify_finds_a_row_rewritten_with_a_fresh_hash(runner, chain):
    """L3: recomputing the edited row's hash does not hide it: the next row no longer follows."""
    event_ = db.session.get(AuditEvent, 5)
    event_.action = "couple.view"
    event_.hash = event_.digest()
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert "event 6 does not follow" in result.output
