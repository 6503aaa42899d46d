"""Pages of a list: whatever page number the address carries, the answer is a page that exists."""

import re
import sys
from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from practice.extensions import db

#: A page number as an address may carry it: digits, perhaps signed, perhaps padded with spaces.
PAGE_NUMBER = re.compile(r"\s*([+-]?)0*([0-9]+)\s*")

#: More digits than this is past the end of any list (and ``int()`` refuses over 4300 of them).
MOST_DIGITS = 18


def requested_page(number) -> int:
    """The page asked for: an int as given, a numeric text as its value, anything else page 1."""
    if isinstance(number, int):
        return number
    match = PAGE_NUMBER.fullmatch(number) if isinstance(number, str) else None
    if match is None:
        return 1
    sign, digits = match.groups()
    if len(digits) > MOST_DIGITS:
        return -sys.maxsize if sign == "-" else sys.maxsize
    return int(sign + digits)


@dataclass(frozen=True)
class Page:
    """Which page of a list is shown, as plain numbers (for lists read as plain rows)."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.page - 1) * self.per_page

    @property
    def prev(self) -> int | None:
        """The page before this one, if any."""
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        """The page after this one, if any."""
        return self.page + 1 if self.page < self.pages else None


def page_numbers(query: sa.Select, number, per_page: int) -> Page:
    """Which page of ``query`` to show, without reading its rows: below 1 or not a number gives
    page 1, past the end the last page.

    ``number`` may be an int or the text from the address (``request.args.get("page", "")``).
    """
    # Count first and clamp, so the offset is always within the list: a page number taken from the
    # address can make (page - 1) * per_page overflow SQLite's 64-bit integers (a 500, not a page).
    counted = query.options(lazyload("*")).order_by(None).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
    return page_of_total(total, number, per_page)


def page_of_total(total: int, number, per_page: int) -> Page:
    """Which page to show of a list of ``total`` rows (counted by the caller), clamped as above."""
    last = max(1, ceil(total / per_page))
    return Page(min(max(requested_page(number), 1), last), per_page, total)
