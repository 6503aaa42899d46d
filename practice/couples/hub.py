"""Panels that feature packages add to the couple page and the partner's portal.

Homework, session notes and worksheets each register a panel here instead of editing the
couple page: ``panels.append(Panel("homework", "homework/_couple_panel.html", context))``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    """A section of the couple page: a template and a function giving its context."""

    key: str
    template: str
    context: Callable[..., dict]


#: Panels on the counselor's couple page, in order.
COUPLE_PANELS: list[Panel] = []
#: Panels on the partner's portal home, in order.
PORTAL_PANELS: list[Panel] = []
