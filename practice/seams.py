"""The seams a feature plugs into, registered on the app: every contract is written here.

A feature package (homework, worksheets, notes) never edits the couple page, the portal or
another feature. Its ``init_app(app)`` registers its blueprint and calls the functions below;
``create_app`` calls that ``init_app`` in one line. What a receiver returns is plain data (dicts,
lists, strings, dates, small frozen dataclasses), never an ORM row or rendered HTML, so a template
cannot lazy-load a row and a page can order and render whatever was registered. Every receiver
takes ``**kwargs`` so a seam can grow without breaking it.

The seams:

``couple panel``
    ``context(couple, viewer, **kwargs) -> dict | None`` for a section of the counselor's couple
    page. ``couple`` is a :class:`~practice.couples.summaries.CoupleSummary`, ``viewer`` a
    :class:`Viewer`. ``None`` or an empty dict shows the panel's ``empty`` text.
``portal panel``
    the same contract, for a section of the partner's portal home; ``viewer.partner_id`` is set.
``between sessions``
    ``provider(couple, since, viewer, **kwargs) -> list[str]``: lines saying what happened since
    ``since`` (a date), limited to what ``viewer`` may see. The session-note draft asks every
    provider; no provider means nothing happened.
``last session``
    ``provider(couple, **kwargs) -> date | None``: the day of the couple's last session. With no
    provider, "since the last session" means the last 7 days.
``audit sentences``
    ``{action or "action:object_type": template}``: how a feature's audit events read in a couple's
    audit trail, e.g. ``{"habit.log": "{actor} logged a habit"}``. A template may use ``{actor}``,
    ``{was}``, ``{their}`` and ``{partner}`` (practice/couples/trail.py says what each becomes).
``habit choices``
    ``provider(couple_id, **kwargs) -> list[tuple[str, str]]``: the habits a worksheet answer may
    name (a ``habit_ref``), as (key, title). No provider means only the person's own words.
``habit review``
    ``provider(couple_id, partner_id, since, today, **kwargs) -> list[dict]``: each habit active for
    that partner with its adherence since ``since``: ``{"habit": key, "title": str, "kept": str}``
    (a ``habit_review`` answer comes pre-filled from it).
``caseload flags``
    ``provider(couple_ids, viewer, **kwargs) -> dict[couple_id, list[str]]``: short words a
    counselor must see on a couple's caseload row (a safety answer waiting for them), for the
    couples on the page shown. Only the counselor's own caseload asks; never a partner's view.
``nav links``
    :class:`NavLink`: a link in the site's main navigation for one role (the counselor's note
    search, the admin's register of notes), after the core's own links.
``access ended``
    ``receiver(user, **kwargs) -> None``: every session of ``user`` has just been ended (password
    changed or reset, account switched off, their couple archived), in the caller's transaction.
    A feature revokes the user's token links here (a calendar feed skips two-factor, so it must
    die with the account's other access: SECURITY.md A7).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask, current_app

EXTENSION = "securebase.seams"
#: Without a "last session" provider, a summary covers this many days.
DEFAULT_SINCE = timedelta(days=7)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the signed-in user as plain data (a partner also carries their record id)."""

    user_id: uuid.UUID
    role: str
    name: str
    partner_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Panel:
    """A section a feature adds to a page: its heading, partial, data and empty state."""

    #: Unique per page; also the id of the panel's heading.
    key: str
    heading: str
    #: A partial the feature owns; it receives ``panel`` (this) and ``data`` (what context gave).
    template: str
    context: Callable[..., dict | None]
    #: Shown instead of the partial when ``context`` gives nothing.
    empty: str
    #: Panels are shown in ascending order, then by key.
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    """A panel with the data it gathered for one page: what the template receives."""

    key: str
    heading: str
    template: str
    empty: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NavLink:
    """A link a feature adds to the main navigation of one role."""

    role: str
    endpoint: str
    label: str


@dataclass
class Seams:
    """What every feature registered on one app."""

    couple_panels: list[Panel] = field(default_factory=list)
    portal_panels: list[Panel] = field(default_factory=list)
    between_sessions: list[Callable[..., list[str]]] = field(default_factory=list)
    last_session: list[Callable[..., date | None]] = field(default_factory=list)
    habit_choices: list[Callable[..., list[tuple[str, str]]]] = field(default_factory=list)
    habit_review: list[Callable[..., list[dict]]] = field(default_factory=list)
    caseload_flags: list[Callable[..., dict]] = field(default_factory=list)
    access_ended: list[Callable[..., None]] = field(default_factory=list)
    nav_links: list[NavLink] = field(default_factory=list)
    audit_sentences: dict[str, str] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    """Give the app an empty set of seams for features to register on."""
    app.extensions[EXTENSION] = Seams()
    app.jinja_env.globals["feature_nav"] = nav_links


def _seams(app: Flask | None = None) -> Seams:
    """The seams of ``app`` (or the current app)."""
    return (app or current_app).extensions[EXTENSION]


def add_couple_panel(app: Flask, panel: Panel) -> None:
    """Register a section of the counselor's couple page."""
    _add_panel(_seams(app).couple_panels, panel)


def add_portal_panel(app: Flask, panel: Panel) -> None:
    """Register a section of the partner's portal home."""
    _add_panel(_seams(app).portal_panels, panel)


def _add_panel(panels: list[Panel], panel: Panel) -> None:
    """Add a panel, refusing a second one with the same key (it would collide on the page)."""
    if any(existing.key == panel.key for existing in panels):
        raise ValueError(f"a panel with key {panel.key!r} is already registered")
    panels.append(panel)
    panels.sort(key=lambda p: (p.order, p.key))


def add_between_sessions(app: Flask, provider: Callable[..., list[str]]) -> None:
    """Register a provider of what happened between sessions."""
    _seams(app).between_sessions.append(provider)


def add_last_session(app: Flask, provider: Callable[..., date | None]) -> None:
    """Register the provider of a couple's last session date."""
    _seams(app).last_session.append(provider)


def add_audit_sentences(app: Flask, sentences: dict[str, str]) -> None:
    """Register how a feature's audit actions read in a couple's audit trail."""
    taken = sentences.keys() & _seams(app).audit_sentences.keys()
    if taken:
        raise ValueError(f"audit sentences already registered for {sorted(taken)}")
    _seams(app).audit_sentences.update(sentences)


def audit_sentence(key: str) -> str | None:
    """The registered sentence for an action (or "action:object_type"), if a feature gave one."""
    return _seams().audit_sentences.get(key)


def add_habit_choices(app: Flask, provider: Callable[..., list[tuple[str, str]]]) -> None:
    """Register a provider of the habits a worksheet answer may name."""
    _seams(app).habit_choices.append(provider)


def habit_choices(couple_id) -> list[tuple[str, str]]:
    """Every habit a worksheet answer for this couple may name, as (key, title), without repeats."""
    seen: dict[str, str] = {}
    for provider in _seams().habit_choices:
        for key, title in provider(couple_id=couple_id):
            seen.setdefault(key, title)
    return list(seen.items())


def add_habit_review(app: Flask, provider: Callable[..., list[dict]]) -> None:
    """Register a provider of a partner's active habits with their adherence."""
    _seams(app).habit_review.append(provider)


def habit_review(couple_id, partner_id, since: date, today: date) -> list[dict]:
    """Each habit active for the partner with how it went since ``since``; empty without habits."""
    rows: list[dict] = []
    for provider in _seams().habit_review:
        rows.extend(provider(couple_id=couple_id, partner_id=partner_id, since=since, today=today))
    return rows


def add_caseload_flags(app: Flask, provider: Callable[..., dict]) -> None:
    """Register a provider of flags for the counselor's caseload rows."""
    _seams(app).caseload_flags.append(provider)


def caseload_flags(couple_ids, viewer: Viewer) -> dict:
    """Every provider's flags for these couples, by couple id; empty when none has any."""
    flags: dict = {}
    if not couple_ids:
        return flags
    for provider in _seams().caseload_flags:
        for couple_id, words in provider(couple_ids=couple_ids, viewer=viewer).items():
            flags.setdefault(couple_id, []).extend(words)
    return flags


def add_nav_link(app: Flask, link: NavLink) -> None:
    """Register a link in one role's main navigation."""
    _seams(app).nav_links.append(link)


def nav_links(role: str) -> list[NavLink]:
    """The links features added to ``role``'s main navigation, in registration order."""
    return [link for link in _seams().nav_links if link.role == role]


def add_access_ended(app: Flask, receiver: Callable[..., None]) -> None:
    """Register a receiver told when every session of a user has been ended."""
    _seams(app).access_ended.append(receiver)


def access_ended(user) -> None:
    """Tell every receiver that all of ``user``'s sessions were just ended."""
    for receiver in _seams().access_ended:
        receiver(user=user)


def couple_panels(couple, viewer: Viewer) -> list[ShownPanel]:
    """Every couple-page panel with its data for this couple and viewer, in order."""
    return _gather(_seams().couple_panels, couple, viewer)


def portal_panels(couple, viewer: Viewer) -> list[ShownPanel]:
    """Every portal panel with its data for this couple and partner, in order."""
    return _gather(_seams().portal_panels, couple, viewer)


def _gather(panels: list[Panel], couple, viewer: Viewer) -> list[ShownPanel]:
    """Ask each panel for its data."""
    shown = []
    for panel in panels:
        data: Any = panel.context(couple=couple, viewer=viewer) or {}
        shown.append(ShownPanel(panel.key, panel.heading, panel.template, panel.empty, data))
    return shown


def between_sessions(couple, since: date, viewer: Viewer) -> list[str]:
    """What every provider says happened since ``since``; empty when nothing did."""
    lines: list[str] = []
    for provider in _seams().between_sessions:
        lines.extend(provider(couple=couple, since=since, viewer=viewer))
    return lines


def last_session(couple, today: date) -> date:
    """The day of the couple's last session, or a week before ``today`` when none is known."""
    days = [day for provider in _seams().last_session if (day := provider(couple=couple))]
    return max(days) if days else today - DEFAULT_SINCE
