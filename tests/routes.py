"""URLs for the tests that walk ``app.url_map``: the ids they fill rules with, and how.

The access matrix (tests/test_access_matrix.py), the authorization, CSRF and query-string tests
(tests/security/) open every rule with real objects. They all take their URL parameters from the
``route_ids`` fixture (tests/conftest.py, built by ``build_route_ids`` below) and turn a rule into
a URL with ``url_for_rule``:

- ``couple_id`` is couple 1 (counselor X's), ``partner_id`` its first partner (P1A's record);
- ``user_id`` is a spare counselor the admin may switch on and off;
- ``invitation_id`` is a live staff invitation (for /admin/invitations/...);
- ``invite_token`` is a live partner invitation link of another of X's couples (its partner is
  ``invited_partner_id``), ``reset_token`` a live password-reset token of P2B, ``join_token`` a live
  staff invitation link for /join, ``setup_token`` a /tf-setup token that was never issued
  (Flask-Security makes real ones mid-setup);
- ``static_file`` and ``fs_static_file`` are real files for /static and /fs-static;
- ``habit_id`` is a habit of couple 1 for both partners, ``log_id`` P1A's log of it today, and
  ``api_log_id`` another (the API's DELETE takes one away; the portal's delete the other);
- ``feed_token`` is P1B's live calendar feed token;
- ``entry_id`` is couple 1's repair worksheet (both partners answered the safety question, P1A
  submitted their own parts), ``response_id`` P1A's submitted "own" part in it, ``check_id`` P1A's
  safety answer, ``assignment_id`` couple 1's reassurance log (kept open for entries), ``key`` a
  worksheet's key and ``section_key`` one of its parts;
- ``note_id`` is a draft session note of couple 1 by X, with words in it.

A new feature whose URLs carry a new parameter adds it here once: the object in
``build_route_ids``, and, when the parameter's name is shared by rules that need different objects
(like ``<token>``), the rule's choice in ``PER_RULE``. ``url_for_rule`` refuses a parameter it has
no value for, so a rule nobody gave ids to fails every URL-walking test with the name to add.
"""

import re
import uuid
from urllib.parse import quote, urlsplit

#: A rule's ``<converter(args):name>`` parts; group 1 is the converter, group 2 the name.
PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

#: Rules whose parameter needs an object of its own: {rule: {parameter: key in the ids}}.
PER_RULE = {
    "/invite/<token>": {"token": "invite_token"},
    "/reset/<token>": {"token": "reset_token"},
    "/join/<token>": {"token": "join_token"},
    "/tf-setup/<token>": {"token": "setup_token"},
    "/static/<path:filename>": {"filename": "static_file"},
    "/fs-static/<path:filename>": {"filename": "fs_static_file"},
    "/api/v1/logs/<uuid:log_id>": {"log_id": "api_log_id"},
    "/calendar/<token>.ics": {"token": "feed_token"},
}


def build_route_ids(app, world, make_user, make_couple) -> dict[str, str]:
    """Real objects for every URL parameter in the app (see the module docstring)."""
    from flask_security.recoverable import generate_reset_password_token

    from practice.admin.invitations import invite_counselor
    from practice.couples.invitations import invite_partner
    from practice.extensions import db

    couple1 = world["couple1"]
    spare = make_user("counselor", email="spare@example.com", name="Spare Counselor")
    waiting = make_couple(world["X"], names=("Ivy Waiting", "Ike Waiting"))
    with app.test_request_context():
        invite_link = invite_partner(waiting.partners[0])
        reset_token = generate_reset_password_token(world["P2B"])
        staff_invitation, _ = invite_counselor("resend@example.com", "Resend Me", world["admin"])
        _, join_link = invite_counselor("joining@example.com", "Joining Counselor", world["admin"])
    habit, log, api_log = _habit_and_logs(app, world)
    worksheet_ids = worksheet_ids_of(app, world["couple1"])
    note_ids = note_ids_of(app, world["couple1"], world["X"])
    feed_token = _feed_token(world["couple1"].partners[1])
    db.session.commit()
    return {
        **worksheet_ids,
        **note_ids,
        "habit_id": str(habit.id),
        "log_id": str(log.id),
        "api_log_id": str(api_log.id),
        "feed_token": feed_token,
        "couple_id": str(couple1.id),
        "partner_id": str(couple1.partners[0].id),
        "user_id": str(spare.id),
        "invitation_id": str(staff_invitation.id),
        "invite_token": last_segment(invite_link),
        "invited_partner_id": str(waiting.partners[0].id),
        "reset_token": reset_token,
        "join_token": last_segment(join_link),
        "setup_token": "never-issued-" + uuid.uuid4().hex,
        "static_file": "css/app.css",
        "fs_static_file": "js/webauthn.js",
    }


def _habit_and_logs(app, world):
    """A habit of couple 1 for both partners (assigned by X), and two of P1A's logs of it today."""
    from practice.homework import services
    from practice.homework.frequency import Frequency
    from practice.homework.week import today_for

    couple1 = world["couple1"]
    with app.test_request_context():
        today = today_for(couple1.time_zone)
        habit = services.assign_habit(couple1, world["X"], {
            "catalogue_key": "connection_bids", "frequency": Frequency("per_day", 3, 5),
            "log_fields": ["count", "note"]}, today)
        logs = [services.log_habit(habit, couple1.partners[0].id, {"count": 1, "note": "a hug"}, today)[0]
                for _ in range(2)]
    return habit, *logs


def worksheet_ids_of(app, couple) -> dict[str, str]:
    """A repair worksheet of ``couple`` with a submitted part and a safety answer, and an open log."""
    from practice.worksheets import definitions, services
    from practice.worksheets.models import Visibility

    first = couple.partners[0]
    with app.test_request_context():
        repair = definitions.get("repair_after_conflict")
        entry = services.assign(couple.id, repair, {"note": ""}).entries[0]
        log = services.assign(couple.id, definitions.get("reassurance_log"), {})
        checks = [services.answer_safety(entry, couple.id, p.id, False) for p in couple.partners]
        services.save_section(entry, couple.id, repair.section("own"), first.id,
                              {"my_part": "their private part", "under": "hurt"}, 0)
        own = services.response_of(entry.id, "own", str(first.id))
        own.visibility = Visibility.counselor
    from practice.extensions import db

    db.session.commit()
    return {"entry_id": str(entry.id), "response_id": str(own.id), "check_id": str(checks[0].id),
            "assignment_id": str(log.id), "key": "boundaries", "section_key": "moment"}


def note_ids_of(app, couple, author) -> dict[str, str]:
    """A draft session note of ``couple`` by ``author``, with words in it."""
    from datetime import date, timedelta

    from practice.extensions import db
    from practice.notes import formats, services
    from practice.notes.models import Modality

    with app.test_request_context():
        note = services.start(couple.id, author, formats.formats()["dap"], {
            "session_on": date.today() - timedelta(days=1), "minutes": 50, "attended": "both",
            "modality": Modality.video})
        db.session.flush()
        services.save_draft(note, note.version, sections={"data": "Words only the author reads"})
    db.session.commit()
    return {"note_id": str(note.id)}


def _feed_token(partner) -> str:
    """A live calendar feed token for ``partner``."""
    from practice.homework import services

    return services.start_feed(partner, partner.couple_id)


def last_segment(link: str) -> str:
    """The token at the end of an emailed link."""
    return urlsplit(link).path.rsplit("/", 1)[1]


def url_for_rule(rule, ids: dict) -> str:
    """The URL for a rule (a ``Rule`` or its text), its parameters filled from ``ids``."""
    text = getattr(rule, "rule", rule)
    values = {**ids, **{name: ids[key] for name, key in PER_RULE.get(text, {}).items()}}

    def value(match: re.Match) -> str:
        name = match.group(2)
        if name not in values:
            raise KeyError(f"{text}: no value for <{name}>; give it one in tests/routes.py")
        return quote(str(values[name]), safe="/")

    return PARAMETER.sub(value, text)


def rules_with(app, *names: str) -> list:
    """The rules whose URL carries one of the given parameters, e.g. ``couple_id``."""
    return [rule for rule in app.url_map.iter_rules()
            if any(match.group(2) in names for match in PARAMETER.finditer(rule.rule))]
