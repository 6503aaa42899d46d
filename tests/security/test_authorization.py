"""Authorization: SECURITY.md Z1, Z3, Z6, Z7: nobody reaches a couple that is not theirs."""

import re
import uuid

import pytest
import sqlalchemy as sa

from practice.auth.models import User
from practice.couples.models import Couple, CoupleStatus, Invitation, Partner
from practice.extensions import db
from tests.conftest import couple_form, csrf_from, events_since, last_seq
from tests.routes import note_ids_of, rules_with, url_for_rule, worksheet_ids_of

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def couple_secrets(couple) -> list[str]:
    """Strings that would show a couple's data if they appeared in a response."""
    values = [couple.label, "their private part"]  # the worksheet answer tests/routes.py writes
    for partner in couple.partners:
        values += [partner.name, partner.email]
    return values


def send(client, method, url, token):
    """Send a request with a valid CSRF token (and JSON to the API), so only authorization can refuse it."""
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers={"X-CSRFToken": token})
    return client.open(
        url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
    )


def snapshot(couple):
    """What must not change when a stranger pokes at a couple."""
    db.session.expire_all()
    couple = db.session.get(Couple, couple.id)
    return (
        couple.label,
        couple.status,
        couple.counselor_id,
        couple.time_zone,
        [
            (
                p.name,
                p.email,
                p.user_id,
                len(p.invitations),
                [(i.revoked_at, i.accepted_at) for i in p.invitations],
            )
            for p in couple.partners
        ],
    )


# Z1 ---------------------------------------------------------------------------------------------


def habit_and_log(app, couple, counselor):
    """A habit of ``couple`` for both partners, and its first partner's log with a note."""
    from practice.homework import services
    from practice.homework.frequency import Frequency
    from practice.homework.week import today_for

    with app.test_request_context():
        today = today_for(couple.time_zone)
        habit = services.assign_habit(couple, counselor, {
            "title": "Their walk", "frequency": Frequency("per_day", 1, 1), "log_fields": ["done", "note"]},
            today)
        log, _ = services.log_habit(habit, couple.partners[0].id, {"note": "their private note"}, today)
    db.session.commit()
    return habit, log


def test_partner_asking_for_another_couples_pages_by_id_sees_nothing(app, client, auth, world):
    """Z1: P1A tries couple 2's every id route with every method: 403/404/405, no data, audited."""
    auth.login(world["P1A"])
    token = auth.csrf("/account")
    couple2 = world["couple2"]
    habit, log = habit_and_log(app, couple2, world["Y"])
    before = snapshot(couple2)
    sheets = {**worksheet_ids_of(app, couple2), **note_ids_of(app, couple2, world["Y"])}
    ids = {"couple_id": couple2.id, "partner_id": couple2.partners[0].id, "user_id": world["Y"].id,
           "habit_id": habit.id, "log_id": log.id, "api_log_id": log.id, **sheets}
    routes = rules_with(app, "couple_id", "partner_id", "user_id", "habit_id", "log_id", "entry_id",
                        "assignment_id", "response_id", "check_id", "note_id")
    assert routes, "no id routes found"
    seq = last_seq()
    refused = 0
    for rule in routes:
        url = url_for_rule(rule, ids)
        for method in METHODS:
            response = send(client, method, url, token)
            assert response.status_code in (403, 404, 405), (method, url, response.status_code)
            body = response.get_data(as_text=True)
            for secret in couple_secrets(couple2):
                assert secret not in body, (method, url, secret)
            refused += response.status_code != 405
    assert snapshot(couple2) == before
    denials = [e for e in events_since(seq) if e.action == "access.denied"]
    assert len(denials) >= refused
    assert all(
        e.actor_id == world["P1A"].id and e.outcome == "denied" and e.role == "partner"
        for e in denials
    )


def test_partner_cannot_enter_counselor_pages_even_for_their_own_couple(client, auth, world):
    """Z1: counselor-only areas answer 403 to a partner, for their own couple too, and audit it."""
    auth.login(world["P1A"])
    couple1 = world["couple1"]
    seq = last_seq()
    for url in (
        "/couples/",
        f"/couples/{couple1.id}",
        f"/couples/{couple1.id}/audit",
        "/admin/counselors",
        "/couples/new",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert couple1.partners[1].email not in response.get_data(as_text=True)
    denials = [e for e in events_since(seq) if e.action == "access.denied"]
    assert len(denials) == 5
    assert {e.actor_id for e in denials} == {world["P1A"].id}


def test_partner_api_ignores_another_couples_id_in_query_body_or_path(client, auth, world):
    """Z1: the portal API answers only with the partner's own couple, whatever id is sent."""
    auth.login(world["P1A"])
    couple1, couple2 = world["couple1"], world["couple2"]
    token = auth.csrf("/account")
    for kwargs in (
        {"query_string": {"couple_id": str(couple2.id)}},
        {"json": {"couple_id": str(couple2.id)}},
        {"headers": {"X-Couple-Id": str(couple2.id)}},
    ):
        response = client.get("/api/v1/couple", **kwargs)
        assert response.status_code == 200
        assert response.json["id"] == str(couple1.id)
        for secret in couple_secrets(couple2):
            assert secret not in response.get_data(as_text=True)
    for method in METHODS:
        for url in (
            f"/api/v1/couple/{couple2.id}",
            f"/api/v1/couples/{couple2.id}",
            f"/api/v1/partners/{couple2.partners[0].id}",
        ):
            response = client.open(url, method=method, headers={"X-CSRFToken": token})
            assert response.status_code in (404, 405), (method, url)
            assert response.is_json
            assert str(couple2.id) not in response.get_data(as_text=True)


def test_partner_of_an_archived_couple_sees_no_couple_data(client, auth, world):
    """Z1: once archived, the couple's data is gone from the portal API too."""
    couple1 = world["couple1"]
    couple1.status = CoupleStatus.archived
    db.session.commit()
    auth.login(world["P1A"])
    response = client.get("/api/v1/couple")
    assert response.status_code == 404
    assert "Bea One" not in response.get_data(as_text=True)


# Z3 ---------------------------------------------------------------------------------------------


def test_other_counselor_gets_404_for_every_page_of_someone_elses_couple(
    app, client, auth, world, route_ids
):
    """Z3: Y asks for X's couple page, edit, archive, restore, invite, revoke, audit trail: 404."""
    auth.login(world["Y"])
    token = auth.csrf("/couples/")
    couple1 = world["couple1"]
    before = snapshot(couple1)
    seq = last_seq()
    tried = 0
    for rule in rules_with(app, "couple_id"):
        url = url_for_rule(rule, route_ids)  # couple 1 is X's
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = send(client, method, url, token)
            assert response.status_code == 404, (method, url, response.status_code)
            body = response.get_data(as_text=True)
            for secret in couple_secrets(couple1):
                assert secret not in body, (method, url, secret)
            assert "couple.view" not in body
            tried += 1
    assert tried >= 8
    assert snapshot(couple1) == before
    denials = [e for e in events_since(seq) if e.action == "access.denied"]
    assert len(denials) == tried
    for event in denials:
        assert (event.actor_id, event.role, event.outcome) == (world["Y"].id, "counselor", "denied")
        assert event.object_id == str(couple1.id)


def test_other_counselor_cannot_reach_a_partner_through_their_own_couple(client, auth, world):
    """Z3: Y's own couple id with X's partner id is 404 too, and sends no invitation."""
    auth.login(world["Y"])
    token = auth.csrf("/couples/")
    stranger = world["couple1"].partners[0]
    couple2 = world["couple2"]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Invitation))
    for action in ("invite", "revoke"):
        response = send(
            client, "POST", f"/couples/{couple2.id}/partners/{stranger.id}/{action}", token
        )
        assert response.status_code == 404
        assert stranger.email not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == before


def test_other_counselors_search_finds_nothing_of_someone_elses_couples(client, auth, world):
    """Z3: Y's caseload search for X's clients' names, label or email finds nothing."""
    auth.login(world["Y"])
    couple1 = world["couple1"]
    for query in ("Pat", "Bea One", "One", couple1.label, couple1.partners[0].email, "%", "_", "e"):
        for status in ("active", "archived"):
            page = client.post("/couples/", data={"q": query, "status": status,
                                                  "csrf_token": auth.csrf("/couples/")},
                               follow_redirects=True)
            assert page.status_code == 200
            body = page.get_data(as_text=True)
            for secret in couple_secrets(couple1):
                if secret != query:
                    assert secret not in body, (query, secret)
            assert str(couple1.id) not in body


def test_admin_sees_no_couple_pages(client, auth, world):
    """Z3: the practice owner is not a counselor and gets no couple pages."""
    auth.login(world["admin"])
    couple1 = world["couple1"]
    for url in (f"/couples/{couple1.id}", f"/couples/{couple1.id}/audit", "/couples/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Pat One" not in response.get_data(as_text=True)


# Z6 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"counselor_id": "Y"},
        {"owner": "Y"},
        {"status": "archived"},
        {"id": "new"},
        {"partner_a.user_id": "P2A"},
        {"partner_a.couple_id": "couple2"},
        {"role": "admin"},
    ],
)
def test_ownership_fields_sent_when_adding_a_couple_change_nothing(client, auth, world, extra):
    """Z6: a counselor adding a couple cannot set its owner, status, id or a partner's account."""
    names = {
        "Y": world["Y"].id,
        "P2A": world["P2A"].id,
        "couple2": world["couple2"].id,
        "new": uuid.uuid4(),
    }
    extra = {key: str(names.get(value, value)) for key, value in extra.items()}
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = client.post("/couples/new", data=couple_form(token, **extra))
    assert response.status_code in (302, 422)
    created = db.session.scalars(sa.select(Couple).where(Couple.label == "Kim & Lou")).all()
    if response.status_code == 422:
        assert not created
        return
    [couple] = created
    assert couple.counselor_id == world["X"].id
    assert couple.status == CoupleStatus.active
    assert str(couple.id) not in extra.values()
    assert all(p.user_id is None for p in couple.partners)


def test_ownership_fields_sent_when_editing_a_couple_change_nothing(client, auth, world):
    """Z6: editing with counselor_id, status or a partner's user_id does not move the couple."""
    auth.login(world["X"])
    couple1 = world["couple1"]
    token = auth.csrf(f"/couples/{couple1.id}/edit")
    before = snapshot(couple1)
    for extra in (
        {"counselor_id": str(world["Y"].id)},
        {"owner": str(world["Y"].id)},
        {"status": "archived"},
        {"partner_a.user_id": str(world["P2A"].id)},
        {"couple_id": str(world["couple2"].id)},
    ):
        form = couple_form(**extra)
        form.update(
            {
                "partner_a.name": "Pat One",
                "partner_b.name": "Bea One",
                "partner_a.email": couple1.partners[0].email,
                "partner_b.email": couple1.partners[1].email,
                "label": couple1.label,
            }
        )
        response = client.post(f"/couples/{couple1.id}/edit", data={**form, "csrf_token": token})
        assert response.status_code in (302, 422), extra
        assert snapshot(couple1)[1:3] == before[1:3]
        db.session.expire_all()
        assert [p.user_id for p in db.session.get(Couple, couple1.id).partners] == [
            p[2] for p in before[4]
        ]
    y_client_view = db.session.scalars(
        sa.select(Couple).where(Couple.counselor_id == world["Y"].id)
    )
    assert couple1.id not in {c.id for c in y_client_view}


def test_a_role_field_cannot_make_a_new_counselor_an_admin(client, auth, world):
    """Z6: the admin's add-counselor form refuses or ignores role/active fields."""
    auth.login(world["admin"])
    token = auth.csrf("/admin/counselors")
    response = client.post(
        "/admin/counselors",
        data={
            "name": "New Counselor",
            "email": "newc@example.com",
            "password": "a fine long passphrase",
            "role": "admin",
            "roles": "admin",
            "csrf_token": token,
        },
    )
    assert response.status_code in (302, 422)
    user = db.session.scalar(sa.select(User).where(User.email == "newc@example.com"))
    assert user is None or user.role == "counselor"


def test_joining_through_an_invitation_ignores_role_email_and_couple_fields(
    app, client, world, make_couple
):
    """Z6: fields slipped into the invitation form cannot choose the role, email or couple."""
    from urllib.parse import urlsplit

    from practice.couples.invitations import invite_partner

    couple = make_couple(world["X"])
    partner = couple.partners[0]
    with app.test_request_context():
        path = urlsplit(invite_partner(partner)).path
    db.session.commit()
    token = csrf_from(client.get(path).get_data(as_text=True))
    response = client.post(
        path,
        data={
            "password": "our own long passphrase",
            "password_confirm": "our own long passphrase",
            "email": "attacker@example.com",
            "role": "counselor",
            "couple_id": str(world["couple2"].id),
            "partner_id": str(world["couple2"].partners[0].id),
            "csrf_token": token,
        },
    )
    assert response.status_code in (302, 422)
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "attacker@example.com")) is None
    if response.status_code == 302:
        user = db.session.get(Partner, partner.id).user
        assert (user.email, user.role) == (partner.email, "partner")
        assert client.get("/api/v1/couple").json["id"] == str(couple.id)


# Z7 ---------------------------------------------------------------------------------------------


def test_ids_in_links_are_random_uuid4_never_counters(client, auth, world, make_couple):
    """Z7: every id in a couple, partner or counselor link is a random UUID4; no numeric ids."""
    extra = make_couple(world["X"], names=("Ada Three", "Bo Three"))
    auth.login(world["X"])
    pages = [
        client.get("/couples/"),
        client.get(f"/couples/{world['couple1'].id}"),
        client.get(f"/couples/{extra.id}"),
    ]
    links = []
    for page in pages:
        links += re.findall(r'(?:href|action)="(/[^"]*)"', page.get_data(as_text=True))
    auth.logout()
    auth.login(world["admin"])
    links += re.findall(
        r'(?:href|action)="(/[^"]*)"', client.get("/admin/counselors").get_data(as_text=True)
    )
    found = set()
    for link in links:
        for segment in link.split("?")[0].split("/"):
            assert not segment.isdigit(), link
            try:
                value = uuid.UUID(segment)
            except ValueError:
                continue
            assert value.version == 4, link
            found.add(value)
    expected = {
        world["couple1"].id,
        extra.id,
        world["X"].id,
        world["Y"].id,
        *(p.id for p in extra.partners),
    }
    assert expected <= found
    # Ids of things made one after another share no counting pattern.
    ids = sorted(c.id.int for c in db.session.scalars(sa.select(Couple)))
    assert len({b - a for a, b in zip(ids, ids[1:])}) == len(ids) - 1


def test_invitation_tokens_are_long_and_random(app, world, make_couple):
    """Z7: invitation links carry 256 bits of randomness, different every time."""
    from urllib.parse import urlsplit

    from practice.couples.invitations import invite_partner

    couple = make_couple(world["X"])
    with app.test_request_context():
        tokens = [
            urlsplit(invite_partner(couple.partners[i % 2])).path.rsplit("/", 1)[1]
            for i in range(4)
        ]
    assert len(set(tokens)) == 4
    assert all(len(t) >= 43 for t in tokens)
