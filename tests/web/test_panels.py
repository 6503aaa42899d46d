"""The panel seam: a feature registers a panel on the app and the right people see it."""

import dataclasses
from pathlib import Path

import pytest

from practice import seams
from practice.couples.summaries import CoupleSummary
from tests.web.webpage import text_of


@pytest.fixture
def dummy_panels(app):
    """A couple-page panel and a portal panel, as a feature's init_app would register them."""
    calls = []

    def couple_context(couple, viewer, **kwargs):
        calls.append(("couple", couple, viewer))
        return {"line": f"Dummy note for {couple.label}, seen by {viewer.name}"}

    def portal_context(couple, viewer, **kwargs):
        calls.append(("portal", couple, viewer))
        me = couple.partner(viewer.partner_id)
        return {"line": f"Dummy habit for {me.name}"}

    app.jinja_loader.searchpath.append(_templates(app))
    seams.add_couple_panel(app, seams.Panel("dummy", "Dummy panel", "_dummy_panel.html",
                                            couple_context, empty="No dummy things yet."))
    seams.add_portal_panel(app, seams.Panel("dummy", "Dummy portal panel", "_dummy_panel.html",
                                            portal_context, empty="No dummy habits yet."))
    return calls


def _templates(app) -> str:
    """A folder with the dummy feature's own partial."""
    folder = Path(app.instance_path) / "dummy-templates"
    folder.mkdir(exist_ok=True)
    (folder / "_dummy_panel.html").write_text('<p class="dummy">{{ data.line }}</p>')
    return str(folder)


def test_counselor_sees_the_dummy_panel_on_their_couple_page(client, auth, world, dummy_panels):
    auth.login(world["X"])
    couple = world["couple1"]
    text = text_of(client.get(f"/couples/{couple.id}"))
    assert "Dummy panel" in text
    assert f"Dummy note for {couple.label}, seen by Counselor X" in text
    [(where, summary, viewer)] = dummy_panels
    # The panel gets plain data, never an ORM row it could lazy-load from.
    assert where == "couple" and isinstance(summary, CoupleSummary)
    assert dataclasses.is_dataclass(viewer) and viewer.role == "counselor"


def test_other_counselor_and_partners_never_reach_the_couple_panel(client, auth, world, dummy_panels,
                                                                   new_client):
    couple = world["couple1"]
    for who, status in (("Y", 404), ("P1A", 403), ("admin", 403)):
        browser = new_client()
        browser.auth.login(world[who])
        response = browser.get(f"/couples/{couple.id}")
        assert response.status_code == status
        assert "Dummy note" not in response.get_data(as_text=True)
    assert [call for call in dummy_panels if call[0] == "couple"] == []


def test_each_partner_sees_their_own_portal_panel(client, auth, world, dummy_panels, new_client):
    for who, name in (("P1A", "Pat One"), ("P1B", "Bea One"), ("P2A", "Pia Two")):
        browser = new_client()
        browser.auth.login(world[who])
        text = text_of(browser.get("/portal/"))
        assert "Dummy portal panel" in text
        assert f"Dummy habit for {name}" in text
        assert "Dummy habit for" in text and text.count("Dummy habit for") == 1
    assert [viewer.partner_id is not None for _, _, viewer in dummy_panels] == [True] * 3


def test_a_panel_with_nothing_to_show_gives_its_own_empty_state(app, client, auth, world):
    app.jinja_loader.searchpath.append(_templates(app))
    seams.add_couple_panel(app, seams.Panel("quiet", "Quiet panel", "_dummy_panel.html",
                                            lambda **kwargs: None, empty="Nothing quiet yet."))
    auth.login(world["X"])
    text = text_of(client.get(f"/couples/{world['couple1'].id}"))
    assert "Quiet panel Nothing quiet yet." in text


def test_panels_appear_in_their_order_and_a_key_is_registered_once(app):
    first = seams.Panel("b", "B", "x.html", lambda **kw: None, empty="", order=20)
    second = seams.Panel("a", "A", "x.html", lambda **kw: None, empty="", order=10)
    seams.add_couple_panel(app, first)
    seams.add_couple_panel(app, second)
    keys = [p.key for p in app.extensions[seams.EXTENSION].couple_panels if p.key in ("a", "b")]
    assert keys == ["a", "b"]
    with pytest.raises(ValueError, match="already registered"):
        seams.add_couple_panel(app, first)


def test_a_new_app_starts_with_only_its_features_panels(app, app_config):
    from practice import create_app

    features = [p.key for p in app.extensions[seams.EXTENSION].couple_panels]
    seams.add_couple_panel(app, seams.Panel("one", "One", "x.html", lambda **kw: None, empty=""))
    other = create_app(app_config)
    assert [p.key for p in other.extensions[seams.EXTENSION].couple_panels] == features


def test_between_sessions_and_last_session_providers(app, world):
    from datetime import date

    from practice.couples.summaries import summarise, viewer_of

    couple, viewer = summarise(world["couple1"]), viewer_of(world["X"])
    assert seams.between_sessions(couple, date(2026, 11, 1), viewer) == []  # nothing happened yet
    assert seams.last_session(couple, date(2026, 11, 30)) == date(2026, 11, 23)
    seams.add_between_sessions(app, lambda couple, since, viewer, **kw: [f"2 logs since {since:%b %-d}"])
    seams.add_between_sessions(app, lambda **kw: ["1 worksheet submitted"])
    seams.add_last_session(app, lambda couple, **kw: date(2026, 11, 20))
    assert seams.between_sessions(couple, date(2026, 11, 20), viewer) == [
        "2 logs since Nov 20", "1 worksheet submitted"]
    assert seams.last_session(couple, date(2026, 11, 30)) == date(2026, 11, 20)


def test_a_feature_names_its_audit_actions_once(app):
    seams.add_audit_sentences(app, {"dummy.poke": "{actor} poked the dummy"})
    with pytest.raises(ValueError, match="already registered"):
        seams.add_audit_sentences(app, {"dummy.poke": "{actor} poked it again"})
    with app.app_context():
        assert seams.audit_sentence("dummy.poke") == "{actor} poked the dummy"
        assert seams.audit_sentence("dummy.unknown") is None
