"""Archiving takes a couple out of the caseload and closes their portal; restoring undoes it."""

import pytest
from webpage import csrf_token, flashes, text_of


@pytest.fixture
def couple(counselor, make_couple):
    """A couple in the signed-in counselor's caseload whose partners have both joined."""
    return make_couple(counselor, joined=True, names=("Maya Chen", "Jordan Rivera"))


def archive(submit, couple):
    """Press "Archive couple" on the couple page."""
    return submit(f"/couples/{couple.id}", {}, action=f"/couples/{couple.id}/archive")


def restore(submit, couple):
    """Press "Restore couple" on the couple page."""
    return submit(f"/couples/{couple.id}", {}, action=f"/couples/{couple.id}/restore")


def test_archiving_moves_the_couple_to_the_archived_tab(client, couple, submit):
    response = archive(submit, couple)

    assert response.status_code == 302
    caseload = client.get(response.headers["Location"])
    assert ("Maya & Jordan archived. You can restore them from the archived list."
            in flashes(caseload))
    assert "Your caseload is empty" in text_of(caseload)
    assert "Maya & Jordan" in text_of(client.get("/couples/?status=archived"))


def test_an_archived_couple_page_offers_restore_and_no_invitations(
    client, counselor, make_couple, submit
):
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    archive(submit, couple)

    text = text_of(client.get(f"/couples/{couple.id}"))

    assert "Archived" in text
    assert "Restore couple" in text and "Archive couple" not in text
    assert "Send invitation" not in text


def test_archiving_signs_the_partners_out_and_closes_their_portal(client, couple, browser, submit):
    partner = couple.partners[0].user
    phone = browser(partner)
    assert "Hi Maya" in text_of(phone.get("/portal/"))

    archive(submit, couple)

    signed_out = phone.get("/portal/")
    assert signed_out.status_code == 302
    assert "/login" in signed_out.headers["Location"]

    fresh = browser(partner)
    closed = fresh.get("/portal/")
    assert "Your space is closed for now" in text_of(closed)
    assert "Jordan" not in text_of(closed)


def test_restore_brings_the_couple_and_their_portal_back(client, couple, browser, submit):
    archive(submit, couple)

    response = restore(submit, couple)

    page = client.get(response.headers["Location"])
    assert "Maya & Jordan restored to your caseload." in flashes(page)
    assert "Maya & Jordan" in text_of(client.get("/couples/"))
    assert "No archived couples" in text_of(client.get("/couples/?status=archived"))
    portal = browser(couple.partners[1].user).get("/portal/")
    assert "Hi Jordan" in text_of(portal)


def test_inviting_a_partner_of_an_archived_couple_is_refused(
    client, counselor, make_couple, submit, outbox
):
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    archive(submit, couple)
    partner = couple.partners[0]

    response = submit(f"/couples/{couple.id}", {},
                      action=f"/couples/{couple.id}/partners/{partner.id}/invite")

    page = client.get(response.headers["Location"])
    assert "Restore this couple before inviting partners." in flashes(page)
    assert outbox == []


def test_an_invitation_link_stops_working_while_the_couple_is_archived(
    client, counselor, make_couple, submit, outbox, browser
):
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    partner = couple.partners[0]
    submit(f"/couples/{couple.id}", {}, action=f"/couples/{couple.id}/partners/{partner.id}/invite")
    link = [line for line in outbox[0].body.splitlines() if "/invite/" in line][0].strip()

    archive(submit, couple)

    page = browser().get(link)
    assert page.status_code == 404
    assert "This invitation link no longer works" in text_of(page)


def test_another_counselor_cannot_archive_my_couple(client, couple, make_user, browser):
    other = make_user("counselor", email="other@example.com")
    theirs = browser(other)
    token = csrf_token(theirs.get("/couples/"))

    response = theirs.post(f"/couples/{couple.id}/archive", data={"csrf_token": token})

    assert response.status_code == 404
    assert "Maya & Jordan" in text_of(client.get("/couples/"))


def test_the_audit_trail_records_archive_and_restore(client, couple, submit):
    archive(submit, couple)
    restore(submit, couple)

    text = text_of(client.get(f"/couples/{couple.id}/audit"))

    assert text.index("You brought the couple back to the caseload") < text.index("You archived the couple")
