"""A couple's audit trail as sentences a counselor reads: "Maya viewed the portal".

Turns audit events into plain dicts for ``templates/couples/audit.html``; the raw codes travel
with each sentence so they can be shown on demand. Queries the events itself, so the trail's
filters and paging stay out of ``practice.audit``.
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from practice import seams
from practice.audit import AuditEvent
from practice.auth.models import User
from practice.couples.models import Couple, Partner
from practice.extensions import db
from practice.paging import page_numbers

#: One sentence per action; ``{actor}`` is who did it ("You" for the reader), ``{was}`` agrees
#: with it, ``{partner}`` is the partner the action was about. "action:object_type" wins over
#: "action". An action missing here still reads, as its code in words (``_fallback``).
SENTENCES: dict[str, str] = {
    "couple.view": "{actor} viewed the couple page",
    "couple.create": "{actor} added the couple to the caseload",
    "couple.edit": "{actor} changed the couple's details",
    "couple.archive": "{actor} archived the couple",
    "couple.restore": "{actor} brought the couple back to the caseload",
    "audit.view": "{actor} viewed this audit trail",
    "portal.view": "{actor} viewed the portal",
    "invitation.send": "{actor} sent {partner} an invitation",
    "invitation.revoke": "{actor} withdrew {partner}'s invitation",
    "invitation.view": "{actor} opened {partner}'s invitation link",
    "invitation.accept": "{actor} accepted the invitation and joined the portal",
    "access.denied": "{actor} {was} refused a page",
    "access.denied:couple": "{actor} {was} refused the couple page",
    "access.denied:partner": "{actor} {was} refused a partner's details",
    "access.denied:invitation": "{actor} {was} refused an invitation",
    "caseload.view": "{actor} viewed the caseload",
    "login.succeeded": "{actor} signed in",
    "login.failed": "{actor} typed a wrong password",
    "two_factor.failed": "{actor} typed a wrong two-factor code",
    "logout": "{actor} signed out",
    "password.changed": "{actor} changed {their} password",
    "password.reset": "{actor} reset {their} password",
    "two_factor.changed": "{actor} set up two-factor sign-in",
    "two_factor.disabled": "{actor} turned off two-factor sign-in",
    "user.two_factor_reset": "{actor} reset {partner}'s two-factor sign-in",
    "account.discreet_mode": "{actor} changed discreet mode",
}

#: Outcomes other than "ok", as a word beside a sentence that does not already say so.
OUTCOME_WORDS = {"denied": "refused", "failed": "did not succeed"}
#: Events on one page of the trail.
PER_PAGE = 50
#: Filter value for events nobody signed in caused.
NOBODY = "nobody"


@dataclass(frozen=True)
class Names:
    """Who is who on this couple's trail, from the reader's point of view."""

    viewer_id: uuid.UUID
    #: user id -> the partner's name as the counselor entered it.
    partners: dict
    #: partner id, invitation id (as text) -> the partner's short name.
    objects: dict
    #: user id -> the account's name (or email), for everyone on the trail.
    accounts: dict

    def actor(self, user_id, fallback: str = "") -> str:
        """"You", a partner's first name, or the account's name; "Someone" when nobody signed in."""
        if user_id is None:
            return "Someone"
        if user_id == self.viewer_id:
            return "You"
        return self.partners.get(user_id, fallback or self.accounts.get(user_id) or "Someone")


def _short_names(partners: list[Partner]) -> dict[uuid.UUID, str]:
    """First names, as the couple's label uses them; full names when both share a first name."""
    first = {partner.id: (partner.name.split() or [partner.name])[0] for partner in partners}
    if len(set(first.values())) < len(first):
        return {partner.id: partner.name for partner in partners}
    return first


def _names(couple: Couple, viewer_id, accounts: dict) -> Names:
    """Who is who, from the couple's partners and their invitations (loaded with the couple)."""
    short = _short_names(couple.partners)
    objects = {str(partner.id): short[partner.id] for partner in couple.partners}
    objects.update({str(invitation.id): short[partner.id]
                    for partner in couple.partners for invitation in partner.invitations})
    partners = {partner.user_id: short[partner.id] for partner in couple.partners if partner.user_id}
    objects.update({str(user_id): name for user_id, name in partners.items()})
    return Names(viewer_id, partners, objects, accounts)


def _about_couple(couple: Couple):
    """Events filed under this couple, refusals to open it or its partners included (access.deny)."""
    return AuditEvent.couple_id == couple.id


def _fallback(action: str) -> str:
    """An action no sentence knows yet, in words: "worksheet.share" -> "worksheet share"."""
    return "{actor}: " + action.replace(".", " ").replace("_", " ").replace("{", "").replace("}", "")


def _known(key: str) -> str | None:
    """The sentence for an action key: ours, or one a feature registered (practice/seams.py)."""
    return SENTENCES.get(key) or seams.audit_sentence(key)


def _template(event: AuditEvent) -> str:
    """The sentence template for an event: by action and object, by action, else the code in words."""
    return _known(f"{event.action}:{event.object_type}") or _known(event.action) or _fallback(event.action)


def sentence(event: AuditEvent, names: Names) -> str:
    """One event as a sentence, from the reader's point of view."""
    actor = names.actor(event.actor_id)
    return _template(event).format(
        actor=actor,
        was="were" if actor == "You" else "was",
        their="your" if actor == "You" else "their",
        partner=names.objects.get(event.object_id, "a partner"),
    )


def flag(event: AuditEvent) -> str:
    """A word for an outcome other than "ok", unless the sentence says it already ("was refused")."""
    if "{was}" in _template(event):
        return ""
    return OUTCOME_WORDS.get(event.outcome, "" if event.outcome == "ok" else event.outcome)


def action_label(action: str) -> str:
    """An action as a filter choice: "Viewed the portal", "Sent a partner an invitation"."""
    template = _known(action)
    if template is None:
        return _fallback(action).removeprefix("{actor}: ").capitalize()
    text = template.format(actor="", was="was", their="their", partner="a partner").strip()
    return text[0].upper() + text[1:]


#: What a sentence and its codes read of an event: the trail reads these, not AuditEvent records.
_SHOWN = (AuditEvent.seq, AuditEvent.at, AuditEvent.actor_id, AuditEvent.action, AuditEvent.object_type,
          AuditEvent.object_id, AuditEvent.outcome, AuditEvent.request_id)
# The events of _about_couple, with the couple as a parameter so the statement is built once.
_PAIRS = (sa.select(AuditEvent.actor_id, AuditEvent.action)
          .where(AuditEvent.couple_id == sa.bindparam("couple_id")).distinct().subquery())
#: Built once: each (actor, action) pair on a couple's trail, with the actor's account name.
_WHO_DID_WHAT = (sa.select(_PAIRS.c.actor_id, _PAIRS.c.action, User.name, User.email)
                 .select_from(_PAIRS.outerjoin(User, User.id == _PAIRS.c.actor_id)))


def _who_did_what(couple: Couple) -> list[sa.Row]:
    """Each (actor, action) pair on this couple's trail once, with the actor's account name, in one query."""
    return db.session.execute(_WHO_DID_WHAT, {"couple_id": couple.id}).all()


def _people(couple: Couple, names: Names, ids: set) -> list[dict]:
    """Everyone who appears on this couple's trail, as filter choices: ids as values, names as text."""
    people = []
    for user_id in ids:
        if user_id is None:
            continue
        name = names.actor(user_id)
        if user_id in names.partners:
            full = next(p.name for p in couple.partners if p.user_id == user_id)
            name = f"{full} (partner)"
        people.append({"value": str(user_id), "text": name})
    people.sort(key=lambda person: (person["text"] != "You", person["text"].casefold()))
    if None in ids:
        people.append({"value": NOBODY, "text": "Someone not signed in"})
    return people


def _actions(codes: set) -> list[dict]:
    """The actions on this couple's trail, as filter choices."""
    choices = [{"value": code, "text": action_label(code)} for code in codes]
    return sorted(choices, key=lambda choice: choice["text"].casefold())


def page(couple: Couple, viewer_id, args) -> dict:
    """One page of the couple's trail as plain data, filtered by ``who`` and ``action`` from ``args``."""
    seen = _who_did_what(couple)
    accounts = {row.actor_id: row.name or row.email for row in seen if row.actor_id is not None}
    names = _names(couple, viewer_id, accounts)
    people = _people(couple, names, {row.actor_id for row in seen})
    actions = _actions({row.action for row in seen})
    # Anything in the address that is not one of the offered choices means "everyone".
    who = args.get("who", "")
    who = who if who in {person["value"] for person in people} else ""
    action = args.get("action", "")
    action = action if action in {choice["value"] for choice in actions} else ""
    # Plain rows of the columns a sentence needs; names come from ``accounts``, not actor rows.
    query = sa.select(*_SHOWN).where(_about_couple(couple))
    if who == NOBODY:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif who:
        query = query.where(AuditEvent.actor_id == uuid.UUID(who))
    if action:
        query = query.where(AuditEvent.action == action)
    shown = page_numbers(query, args.get("page", ""), PER_PAGE)
    rows = db.session.execute(
        query.order_by(AuditEvent.seq.desc()).limit(PER_PAGE).offset(shown.offset)).all()
    events = [{
        "seq": event.seq,
        "at": event.at,
        "sentence": sentence(event, names),
        "flag": flag(event),
        "codes": {"action": event.action, "object": f"{event.object_type} {event.object_id}".strip(),
                  "outcome": event.outcome, "request id": event.request_id or "—", "seq": event.seq},
    } for event in rows]
    return {
        "couple": {"id": str(couple.id), "label": couple.label, "time_zone": couple.time_zone},
        "events": events,
        "filters": {"who": who, "action": action, "people": people, "actions": actions,
                    "codes": args.get("codes") == "1"},
        "paging": {"page": shown.page, "pages": shown.pages, "total": shown.total,
                   "prev": shown.prev, "next": shown.next},
    }
