"""The habit planner and log sheet as PDFs: made for their reader, hostile text kept as text (Z4, I2)."""

import io

import pytest
from pypdf import PdfReader

from practice.extensions import db
from practice.homework import services
from practice.homework.frequency import Frequency
from practice.homework.week import today_for


def text_of_pdf(response) -> str:
    """All the text of a PDF answer, pages joined."""
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


@pytest.fixture
def habits(app, world):
    """Couple 1: small bids for both, and a journal for Bea alone with instructions only she reads."""
    couple, x = world["couple1"], world["X"]
    with app.test_request_context():
        today = today_for(couple.time_zone)
        services.assign_habit(couple, x, {
            "catalogue_key": "connection_bids", "frequency": Frequency("per_day", 3, 5),
            "log_fields": ["count"], "instructions": "Анна's idea: <b>hugs</b>"}, today)
        services.assign_habit(couple, x, {
            "title": "Journal <script>x</script>", "frequency": Frequency("per_week", 2),
            "log_fields": ["done"], "partner_id": couple.partners[1].id,
            "instructions": "Only for Bea: write before bed."}, today)
    db.session.commit()


def test_the_counselors_planner_holds_every_habit(client, auth, world, habits):
    auth.login(world["X"])
    text = text_of_pdf(client.get(f"/couples/{world['couple1'].id}/habits/planner.pdf"))
    assert "Small bids" in text and "Journal <script>x</script>" in text
    assert "Frequent small moments of warmth" in text  # why it helps, from the catalogue
    assert "Only for Bea: write before bed." in text
    assert "Анна's idea: <b>hugs</b>" in text  # what the counselor wrote, as written


def test_a_partners_planner_holds_only_what_is_meant_for_them(world, habits, new_client):
    pat, bea = new_client(), new_client()
    pat.auth.login(world["P1A"])
    bea.auth.login(world["P1B"])
    pats = text_of_pdf(pat.get("/portal/planner.pdf"))
    beas = text_of_pdf(bea.get("/portal/planner.pdf"))
    assert "Small bids" in pats and "Journal" not in pats and "Only for Bea" not in pats
    assert "Small bids" in beas and "Journal <script>x</script>" in beas and "Only for Bea" in beas


def test_the_log_sheet_has_a_row_per_habit_and_a_column_per_day(world, habits, new_client):
    bea = new_client()
    bea.auth.login(world["P1B"])
    text = text_of_pdf(bea.get("/portal/log-sheet.pdf"))
    for word in ("Small bids", "Journal", "MON", "SUN", "Week of"):
        assert word in text


def test_another_counselor_and_another_couples_partner_get_no_planner(client, auth, world, habits,
                                                                       new_client):
    auth.login(world["Y"])
    assert client.get(f"/couples/{world['couple1'].id}/habits/planner.pdf").status_code == 404
    pia = new_client()
    pia.auth.login(world["P2A"])
    assert "Small bids" not in text_of_pdf(pia.get("/portal/planner.pdf"))


def test_a_partners_copy_never_shows_the_counselors_caseload_label(client, auth, world, habits, new_client):
    world["couple1"].label = "Pat & Bea (high conflict)"
    db.session.commit()
    pat = new_client()
    pat.auth.login(world["P1A"])
    assert "high conflict" not in text_of_pdf(pat.get("/portal/log-sheet.pdf"))
    assert "PAT & BEA" in text_of_pdf(pat.get("/portal/planner.pdf")).upper()
    auth.login(world["X"])
    assert "high conflict" in text_of_pdf(client.get(f"/couples/{world['couple1'].id}/habits/planner.pdf"))
