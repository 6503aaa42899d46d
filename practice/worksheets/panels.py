"""What worksheets add to other pages through the seams: the couple page, the portal home, a note draft."""

from practice.worksheets import entries
from practice.worksheets.visibility import Reader


def couple_panel(couple, viewer, **kwargs) -> dict:
    """The counselor's worksheets panel: each worksheet's entries and states, and any safety flag."""
    listed, flagged = entries.couple_list(couple, Reader("counselor"))
    return {"couple_id": couple.id, "archived": couple.archived, "worksheets": listed, "flagged": flagged,
            "names": {str(p.id): p.first_name for p in couple.partners}}


def portal_panel(couple, viewer, **kwargs) -> dict | None:
    """The partner's open worksheets, with what is left for them to do."""
    listed, _ = entries.couple_list(couple, Reader("partner", viewer.partner_id))
    listed = [worksheet for worksheet in listed if not worksheet["closed"]]
    if not listed:
        return None
    return {"worksheets": listed}


def between_sessions(couple, since, viewer, **kwargs) -> list[str]:
    """Who submitted which worksheet since ``since`` (the day they submitted), for the counselor only."""
    if viewer.role != "counselor":
        return []
    grouped: dict[tuple[str, str], tuple[int, object]] = {}
    for title, name, day in entries.submitted_since(couple, since):  # a log's many entries: one line
        count, last = grouped.get((title, name), (0, day))
        grouped[(title, name)] = (count + 1, max(last, day))
    return [f"{title}: {name} submitted on {last:%-d %B}" if count == 1
            else f"{title}: {name} submitted {count} entries, the last on {last:%-d %B}"
            for (title, name), (count, last) in grouped.items()]


#: The caseload's word for a safety answer waiting for the counselor (its details are on the entry).
SAFETY_FLAG = "Safety answer to read"


def caseload_flags(couple_ids, viewer, **kwargs) -> dict:
    """The couples on a counselor's caseload page with a safety answer they have not acknowledged."""
    if viewer.role != "counselor":
        return {}
    return {couple_id: [SAFETY_FLAG] for couple_id in entries.flagged_couples(couple_ids)}
