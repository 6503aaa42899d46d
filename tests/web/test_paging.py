"""page_numbers: whatever page number an address carries, the list shows a page that exists."""

import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from practice.auth.models import User
from practice.extensions import db
from practice.paging import page_numbers


@pytest.fixture
def five_people(make_user):
    """Five accounts; their list, in email order, pages as [a b] [c d] [e] two at a time."""
    for letter in "edcba":
        make_user("partner", email=f"{letter}@example.com", two_factor=False)
    return select(User).order_by(User.email)


def page_of(query, number, per_page) -> SimpleNamespace:
    """The page ``page_numbers`` picks, with its rows read as a list page reads them."""
    page = page_numbers(query, number, per_page)
    items = db.session.scalars(query.limit(per_page).offset(page.offset)).all()
    return SimpleNamespace(items=items, page=page.page, pages=page.pages, total=page.total,
                           has_prev=page.prev is not None, has_next=page.next is not None)


def emails(page) -> list[str]:
    """The first letters of the emails on a page."""
    return [user.email[0] for user in page.items]


def test_a_page_in_range_is_that_page(five_people):
    page = page_of(five_people, 2, 2)
    assert emails(page) == ["c", "d"]
    assert (page.page, page.pages, page.total) == (2, 3, 5)
    assert page.has_prev and page.has_next


def test_the_number_may_be_the_text_from_the_address(five_people):
    assert emails(page_of(five_people, "3", 2)) == ["e"]
    assert emails(page_of(five_people, " 02 ", 2)) == ["c", "d"]


@pytest.mark.parametrize("number", [
    4, 461168601842738792, 2**63, 2**200, sys.maxsize, "461168601842738792", "9" * 40, "9" * 5000,
])
def test_a_page_past_the_end_is_the_last_page(five_people, number):
    page = page_of(five_people, number, 2)
    assert emails(page) == ["e"]
    assert (page.page, page.pages, page.total) == (3, 3, 5)
    assert page.has_prev and not page.has_next


@pytest.mark.parametrize("number", [
    0, -1, -(2**63), "0", "-1", "-461168601842738792", "-" + "9" * 5000, "", None, "abc", "1.5", "1e9",
    "\x00", "1\x00", "0x10", "½", "٣", "１", "+", "-",
])
def test_a_page_below_one_or_not_a_number_is_the_first_page(five_people, number):
    page = page_of(five_people, number, 2)
    assert emails(page) == ["a", "b"]
    assert (page.page, page.pages, page.total) == (1, 3, 5)
    assert not page.has_prev


@pytest.mark.parametrize("number", [1, 2, 461168601842738792, -5, "abc"])
def test_an_empty_list_is_one_empty_first_page(app, number):
    page = page_of(select(User).where(User.email == "no-one@example.com"), number, 2)
    assert page.items == []
    assert (page.page, page.total) == (1, 0)
    assert not page.has_prev and not page.has_next


def test_a_last_page_that_is_exactly_full_is_still_the_last_page(five_people, make_user):
    make_user("partner", email="f@example.com", two_factor=False)
    page = page_of(five_people, 10**30, 2)
    assert emails(page) == ["e", "f"]
    assert (page.page, page.pages) == (3, 3)


def test_a_page_size_above_a_hundred_is_kept(app, make_user):
    for number in range(101):
        make_user("partner", email=f"p{number:03d}@example.com", two_factor=False)
    page = page_of(select(User).order_by(User.email), 1, 150)
    assert len(page.items) == 101 and page.pages == 1
