"""The partner's portal, the disclaimer and "Get help now" everywhere, and the help page."""

import json
from pathlib import Path

import pytest
from webpage import text_of

from practice.extensions import db

DISCLAIMER = ("An educational tool to use alongside your therapist. "
              "Not therapy, diagnosis or emergency help.")


def test_partner_sees_their_couple_counselor_and_partner(client, auth, world):
    auth.login(world["P1A"])

    text = text_of(client.get("/portal/"))

    assert "Hi Pat" in text
    assert "This is your space with Bea, supported by Counselor X." in text
    assert "You Pat One" in text
    assert "Your partner Bea One" in text
    assert "Your counselor Counselor X" in text
    assert "not joined yet" not in text
    for stranger in ("Pia", "Ben Two", "Counselor Y"):
        assert stranger not in text


def test_partner_reads_the_couples_confidentiality_agreement(client, auth, world):
    auth.login(world["P1B"])
    text = text_of(client.get("/portal/"))
    assert ("No secrets. Anything either partner submits to the counselor may be brought into "
            "joint sessions.") in text
    assert "Your own answers stay private until you choose to share them" in text
    assert "session notes are never shown here" in text


def test_the_limited_secrets_agreement_is_shown_when_chosen(client, auth, world):
    from practice.couples.models import Confidentiality

    world["couple1"].confidentiality = Confidentiality.limited_secrets
    db.session.commit()
    auth.login(world["P1A"])

    text = text_of(client.get("/portal/"))

    assert "Limited secrets. A partner may tell the counselor something in confidence" in text


def test_a_partner_who_has_not_joined_is_marked(app, client, auth, make_user, make_couple):
    from practice.couples.invitations import accept_invitation, invite_partner

    counselor = make_user("counselor", name="Dana Reyes")
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    with app.test_request_context():
        invite_partner(couple.partners[0])
        user = accept_invitation(couple.partners[0].invitations[0], "maya's own long password")
    db.session.commit()
    auth.login(user, password="maya's own long password")

    assert "Your partner Jordan Rivera · not joined yet" in text_of(client.get("/portal/"))


def test_with_nothing_assigned_the_portal_says_where_things_will_appear(client, auth, world):
    auth.login(world["P1A"])
    text = text_of(client.get("/portal/"))
    assert "This week's habits Your counselor has not assigned any habits yet." in text


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, "/login"),
        (None, "/help"),
        (None, "/no-such-page"),
        ("P1A", "/portal/"),
        ("P1A", "/account"),
        ("P1A", "/help"),
        ("P1A", "/no-such-page"),
        ("X", "/couples/"),
        ("X", "/couples/new"),
        ("admin", "/admin/counselors"),
    ],
)
def test_every_page_has_the_disclaimer_and_a_get_help_now_link(client, auth, world, who, path):
    if who:
        auth.login(world[who])

    page = client.get(path)

    assert page.status_code in (200, 404)
    assert DISCLAIMER in text_of(page)
    assert '<a href="/help">Get help now</a>' in page.get_data(as_text=True)


def test_the_closed_portal_still_offers_help(app, client, auth, world):
    from practice.couples.services import archive_couple

    with app.test_request_context():
        archive_couple(world["couple1"])
    db.session.commit()
    auth.login(world["P1A"])

    page = client.get("/portal/")

    assert "Your space is closed for now" in text_of(page)
    assert page.get_data(as_text=True).count('href="/help"') >= 2


def test_the_help_page_shows_the_configured_crisis_resources(client):
    page = client.get("/help")
    text = text_of(page)
    body = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "If you or someone else is in immediate danger, call 911" in text
    assert "988 Suicide & Crisis Lifeline" in text and "Call 988" in text
    assert "National Domestic Violence Hotline" in text and "Text START to 88788" in text
    assert 'href="tel:18007997233"' in body
    assert "Resources for United States" in text


@pytest.fixture
def uk(app_config):
    """A practice in the United Kingdom."""
    app_config["CRISIS_LOCALE"] = "uk"


def test_the_help_page_follows_the_practice_locale(uk, client):
    text = text_of(client.get("/help"))
    assert "call 999" in text
    assert "Samaritans" in text and "Call 116 123" in text
    assert "988" not in text


def test_an_instance_crisis_file_overrides_the_shipped_one(app, client):
    override = {
        "locale": "Lakeside County",
        "emergency_number": "112",
        "crisis_line": {"name": "Lakeside Warmline", "phone": "555-0100", "text": None,
                        "url": "https://warmline.example.org"},
        "dv_line": None,
        "last_verified": "2026-01-15",
    }
    (Path(app.instance_path) / "crisis.json").write_text(json.dumps(override))

    text = text_of(client.get("/help"))

    assert "call 112" in text
    assert "Lakeside Warmline" in text and "Call 555-0100" in text
    assert "warmline.example.org" in text
    assert "Resources for Lakeside County, last checked 2026-01-15" in text
    assert "988" not in text and "afraid of, controlled by, or hurt by a partner" not in text


@pytest.mark.parametrize("content", ["{not json", "[]", '{"locale": "Lakeside"}', "\udcff"])
def test_a_broken_crisis_file_never_breaks_the_help_page(app, client, content):
    (Path(app.instance_path) / "crisis.json").write_text(content, errors="surrogateescape")

    page = client.get("/help")

    assert page.status_code == 200
    assert "988 Suicide & Crisis Lifeline" in text_of(page)


def test_the_help_page_is_the_same_for_a_signed_in_partner(client, auth, world):
    auth.login(world["P1A"])
    text = text_of(client.get("/help"))
    assert "988 Suicide & Crisis Lifeline" in text


def test_an_unknown_crisis_locale_stops_the_app_at_start(app_config, tmp_path):
    """The help page can never show the wrong country's numbers: a bad locale fails at start."""
    import pytest

    from practice import create_app

    with pytest.raises(RuntimeError, match="CRISIS_LOCALE='fr'"):
        create_app({**app_config, "CRISIS_LOCALE": "fr", "INSTANCE_PATH": str(tmp_path)})
