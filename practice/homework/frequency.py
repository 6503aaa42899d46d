"""How often a habit is asked for: the one type the catalogue, assignments and adherence share.

CONTENT.md §1: ``{type: per_day|per_week|per_month|every_n_weeks|as_needed, min?, max?, n?, minutes?}``.
A target is the range ``min``..``max`` (3-5 a day, 2-3 a week; 1-1 is "1 a day"); ``max`` None means
"at least ``min``". A period is kept when its count reaches ``min``.
``every_n_weeks`` asks for one entry per window of ``n`` weeks; ``as_needed`` has no target and
is shown as counts only. ``minutes`` is how long one practice takes (10 for the daily check-in).
"""

from dataclasses import dataclass

KINDS = ("per_day", "per_week", "per_month", "every_n_weeks", "as_needed")
#: The period a kind's target is counted over, as a person says it.
PER = {"per_day": "a day", "per_week": "a week", "per_month": "a month"}


@dataclass(frozen=True)
class Frequency:
    """A habit's target: how many times over which period, and how long each time takes."""

    kind: str
    min: int | None = None
    max: int | None = None
    n: int | None = None
    minutes: int | None = None

    def target(self) -> str:
        """The target as a counselor says it: "3-5 a day", "1 every 2 weeks", "as needed"."""
        if self.kind == "as_needed":
            return "as needed"
        if self.kind == "every_n_weeks":
            return f"once every {self.n} weeks"
        return f"{self.count()} {PER[self.kind]}"

    def count(self) -> str:
        """The number asked for: "3-5", "at least 1", "1"."""
        low = self.min or 1
        if self.max is None:
            return f"at least {low}"
        return str(low) if self.max == low else f"{low}-{self.max}"
