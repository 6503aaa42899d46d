"""A counselor's caseload: their couples, searchable, active or archived, a page at a time."""

import html
import re
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from itsdangerous import base64_decode
from webpage import text_of

from practice.couples.services import archive_couple
from practice.extensions import db


def couple_labels(response) -> list[str]:
    """The couple names listed in the caseload table, in order."""
    body = response.get_data(as_text=True)
    labels = re.findall(r'<td><a href="/couples/[0-9a-f-]+">([^<]+)</a></td>', body)
    return [html.unescape(label) for label in labels]


def test_empty_caseload_invites_adding_a_first_couple(client, counselor):
    page = client.get("/couples/")
    text = text_of(page)
    assert page.status_code == 200
    assert "Your caseload is empty" in text
    assert "0 couples" in text
    assert 'href="/couples/new"' in page.get_data(as_text=True)


def test_lists_own_couples_by_name_with_partners_and_not_another_counselors(
    client, counselor, make_user, make_couple
):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    make_couple(counselor, label="The Okafors", names=("Ada Okafor", "Tunde Okafor"), joined=True)
    other = make_user("counselor", email="other@example.com")
    make_couple(other, names=("Pia Two", "Ben Two"))

    page = client.get("/couples/")
    text = text_of(page)

    assert couple_labels(page) == ["Maya & Jordan", "The Okafors"]
    assert "2 couples" in text
    assert "Maya Chen" in text and "Jordan Rivera" in text
    assert "Not invited" in text and "Joined" in text
    assert "Central time, Chicago" in text
    assert "Pia" not in text and "Ben Two" not in text


def test_search_by_couple_label(client, counselor, make_couple, search):
    make_couple(counselor, label="Harbor Street couple", names=("Ann Park", "Bo Park"))
    make_couple(counselor, names=("Cy Diaz", "Di Diaz"))

    page = search("harbor")

    assert couple_labels(page) == ["Harbor Street couple"]
    assert "1 couple matching “harbor”" in text_of(page)


def test_search_by_a_partners_full_name(client, counselor, make_couple, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    make_couple(counselor, names=("Aisha Bello", "Daniel Bello"))

    page = search("RIVERA")

    assert couple_labels(page) == ["Maya & Jordan"]


def test_search_with_no_match_says_so_and_keeps_the_query(client, counselor, make_couple, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))

    page = search("Zed")
    text = text_of(page)

    assert couple_labels(page) == []
    assert "No couples match “Zed”" in text
    assert 'value="Zed"' in page.get_data(as_text=True)


def test_search_text_is_shown_escaped(client, counselor, search):
    page = search("<b>bold</b>")
    body = page.get_data(as_text=True)
    assert "<b>bold</b>" not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_archived_couples_have_their_own_tab(client, counselor, make_couple):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    gone = make_couple(counselor, names=("Olivia Brooks", "Nadia Haddad"))
    archive_couple(gone)
    db.session.commit()

    active = client.get("/couples/")
    archived = client.get("/couples/?status=archived")

    assert couple_labels(active) == ["Maya & Jordan"]
    assert couple_labels(archived) == ["Olivia & Nadia"]
    assert "Archived couples" in text_of(archived)
    assert 'aria-current="page">Archived<' in archived.get_data(as_text=True)


def test_search_stays_within_the_chosen_tab(client, counselor, make_couple, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    gone = make_couple(counselor, names=("Maya Brooks", "Nadia Haddad"))
    archive_couple(gone)
    db.session.commit()

    assert couple_labels(search("maya")) == ["Maya & Jordan"]
    assert couple_labels(search("maya", status="archived")) == ["Maya & Nadia"]


def test_empty_archive_explains_what_archiving_does(client, counselor, make_couple):
    make_couple(counselor)
    text = text_of(client.get("/couples/?status=archived"))
    assert "No archived couples" in text
    assert "restore them at any time" in text


@pytest.fixture
def small_pages(app_config):
    """Two couples per caseload page."""
    app_config["CASELOAD_PAGE_SIZE"] = 2


FIVE = [("Ava Ash", "Al Ash"), ("Bea Birch", "Bo Birch"), ("Cy Cedar", "Cam Cedar"),
        ("Dee Dogwood", "Dan Dogwood"), ("Eve Elm", "Ed Elm")]


def test_caseload_is_paged_in_name_order(small_pages, client, counselor, make_couple):
    for names in reversed(FIVE):
        make_couple(counselor, names=names)

    first = client.get("/couples/")
    second = client.get("/couples/?page=2")
    last = client.get("/couples/?page=3")

    assert couple_labels(first) == ["Ava & Al", "Bea & Bo"]
    assert couple_labels(second) == ["Cy & Cam", "Dee & Dan"]
    assert couple_labels(last) == ["Eve & Ed"]
    assert "5 couples" in text_of(first)
    assert "Page 1 of 3" in text_of(first)
    assert "Previous" not in text_of(first)
    assert "Previous" in text_of(last) and "Next" not in text_of(last)


def test_a_renamed_couple_takes_its_new_place_whatever_the_case_of_its_letters(
    client, counselor, make_couple, search
):
    make_couple(counselor, label="bea & Bo")
    renamed = make_couple(counselor, label="Ava & Al")
    make_couple(counselor, label="Cy & Cam")
    renamed.label = "ÉVA & ÉD"
    db.session.commit()

    assert couple_labels(client.get("/couples/")) == ["bea & Bo", "Cy & Cam", "ÉVA & ÉD"]
    assert couple_labels(search("éva")) == ["ÉVA & ÉD"]


def test_search_finds_a_renamed_partner_whatever_the_case_of_their_letters(
    client, counselor, make_couple, search
):
    couple = make_couple(counselor, label="The Petrovs", names=("Anna Petrova", "Ivan Petrov"))
    make_couple(counselor, names=("Cy Diaz", "Di Diaz"))
    couple.partners[0].name = "АННА Петрова"
    db.session.commit()

    assert couple_labels(search("анна")) == ["The Petrovs"]
    assert couple_labels(search("anna")) == []


def test_next_page_of_a_search_keeps_the_search_out_of_the_address(
    small_pages, client, counselor, make_couple, search
):
    for first, second in FIVE:
        make_couple(counselor, names=(first, "Shared " + second))
    make_couple(counselor, names=("Zoe Zed", "Zack Zed"))

    html = search("shared").get_data(as_text=True)
    next_link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Next<', html)

    assert next_link, "no Next link"
    assert "shared" not in " ".join(re.findall(r'href="([^"]+)"', html)).lower()
    following = client.get(next_link.group(1).replace("&amp;", "&"))
    assert couple_labels(following) == ["Cy & Shared", "Dee & Shared"]
    assert "“shared”" in text_of(following)


def test_back_to_a_search_reloads_it_without_posting_again(client, counselor, make_couple, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    make_couple(counselor, names=("Ana Bell", "Bo Bell"))
    results = search("maya")
    # Back, or a reload, is a plain GET of the same address: the same results, no resubmission.
    again = client.get("/couples/?search=1")
    assert couple_labels(again) == couple_labels(results) == ["Maya & Jordan"]
    # The Caseload tab, or Clear search, forgets it.
    assert len(couple_labels(client.get("/couples/"))) == 2
    assert len(couple_labels(client.get("/couples/?search=1"))) == 2


def test_the_kept_search_is_encrypted_in_the_cookie_and_ends_with_the_sign_in(
        client, auth, counselor, make_couple, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    make_couple(counselor, names=("Ana Bell", "Bo Bell"))
    assert couple_labels(search("Maya Chen")) == ["Maya & Jordan"]
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value
    # Flask's cookie: optionally zlib-compressed (a leading "."), base64, then the signature.
    payload = base64_decode(cookie.lstrip(".").split(".")[0])
    if cookie.startswith("."):
        payload = zlib.decompress(payload)
    assert b"fresh_caseload_search" in payload and b"Maya" not in payload
    auth.logout()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=True):  # a fresh TOTP code
        auth.login(counselor)
        assert len(couple_labels(client.get("/couples/?search=1"))) == 2


def test_a_page_past_the_end_does_not_claim_the_caseload_is_empty(
    small_pages, client, counselor, make_couple
):
    for names in FIVE:
        make_couple(counselor, names=names)

    text = text_of(client.get("/couples/?page=9"))

    assert "Your caseload is empty" not in text
    assert "Eve & Ed" in text


@pytest.mark.parametrize("number", ["abc", "0", "-1"])
def test_a_page_number_that_is_not_a_page_shows_the_first_page(
    small_pages, client, counselor, make_couple, number
):
    for names in FIVE[:3]:
        make_couple(counselor, names=names)
    page = client.get(f"/couples/?page={number}")
    assert page.status_code == 200
    assert couple_labels(page) == ["Ava & Al", "Bea & Bo"]


@pytest.mark.parametrize("query", ["%", "_"])
def test_search_treats_percent_and_underscore_as_plain_characters(
    client, counselor, make_couple, query, search):
    make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    page = search(query)
    assert couple_labels(page) == []
