"""A realistic practice in a fresh database, at size S (10 couples) or L (2,000 couples).

L is a group practice: 40 counselors with 50 couples each, the most a full-time couples counselor
carries. Counselor 0 is the one the bench signs in as; their first couple has a long history
(re-sent invitations and a year of page views in its audit trail) and two partners with accounts.
Every name is in another script or has an apostrophe (Анна, José, O'Brien), as real caseloads do.
Every couple holds three habits with 8 weeks of logs by both partners; features seed their own
rows here as they land (worksheets, notes per couple). Session notes: 30 a couple for 10 of counselor
0's couples at S and 40 at L, and a few of every other counselor's at L (``bench.notes``).
"""

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench import notes
from practice import create_app
from practice.extensions import db, security
from practice.instance_setup import new_secrets

PASSWORD = "a long and quiet river bend"  # noqa: S105 (bench accounts on a throwaway database)
SIZES = {"S": (1, 10), "L": (40, 50)}  # counselors, couples each
HISTORY = {"S": 5, "L": 200}  # extra audit events on the measured couple
#: Light argon2 parameters, as in the tests: seeding and signing in are not what is measured.
LIGHT_HASH = {"argon2__memory_cost": 1024, "argon2__rounds": 1, "argon2__parallelism": 1}
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Practice:
    """What the bench needs to know about a seeded practice: where it is and who signs in."""

    size: str
    url: str
    instance: str
    couples: int
    counselors: list = field(default_factory=list)  # {"email", "secret", "couple"} each
    partner: str = ""  # email of a joined partner of counselor 0's first couple
    ids: dict = field(default_factory=dict)  # path placeholders: couple, habit, worksheet...
    notes: dict = field(default_factory=dict)  # what bench.notes seeded: counts, search words, seconds

    def save(self, path: Path) -> None:
        """Write this practice's description next to its database."""
        path.write_text(json.dumps(asdict(self), indent=1))


def settings(instance: Path, url: str) -> dict:
    """The app settings every bench process uses for this database."""
    return {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "locmem", "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": LIGHT_HASH}


def fresh_database(base_url: str, name: str, folder: Path) -> str:
    """An empty database called ``name``: a file in ``folder`` for SQLite, else on the same server."""
    if base_url.startswith("sqlite"):
        path = folder / f"{name}.sqlite"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", base_url)


def seed(size: str, base_url: str, folder: Path) -> Practice:
    """Migrate a fresh database and fill it with a practice of ``size``."""
    instance = folder / f"instance-{size}"
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "secrets.json").write_text(json.dumps(new_secrets()))
    url = fresh_database(base_url, f"securebase_bench_{size.lower()}", folder)
    counselors, couples_each = SIZES[size]
    app = create_app(settings(instance, url))
    practice = Practice(size=size, url=url, instance=str(instance), couples=counselors * couples_each)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
        for n in range(counselors):
            practice.counselors.append(_caseload(n, couples_each))
            db.session.commit()
        first = uuid.UUID(practice.counselors[0]["couple"])
        practice.partner = _join_partners(app, first)
        _history(first, HISTORY[size])
        habit = _habits(first)
        practice.ids = {"couple": str(first), "habit": habit, "worksheet": _worksheets(app, first)}
        db.session.commit()
        practice.notes = notes.seed(app, size, practice.counselors[0]["email"], PASSWORD, first)
        db.engine.dispose()
    practice.save(folder / f"practice-{size}.json")
    return practice


def _caseload(n: int, couples_each: int) -> dict:
    """Counselor ``n`` with two-factor set up and ``couples_each`` couples; their login."""
    from practice.auth.services import create_user
    from practice.couples.models import Confidentiality
    from practice.couples.services import add_couple

    user = create_user(f"counselor{n}@bench.example", f"Dr. Counselor {n} O'Brien", PASSWORD, "counselor")
    user.tf_totp_secret = security.totp_factory.generate_totp_secret()
    user.tf_primary_method = "authenticator"
    first = None
    for m in range(couples_each):
        couple = add_couple(user, {
            "label": "", "time_zone": "America/Chicago", "confidentiality": Confidentiality.no_secrets,
            "partner_a": {"name": f"Анна{m} Петрова-{n}", "email": f"a{n}-{m}@bench.example",
                          "pronouns": "she/her"},
            "partner_b": {"name": f"José{m} O'Brien-{n}", "email": f"b{n}-{m}@bench.example",
                          "pronouns": ""},
        })
        first = first or couple
    return {"email": user.email, "secret": user.tf_totp_secret, "couple": str(first.id)}


def _worksheets(app, couple_id: uuid.UUID) -> str:
    """The measured couple's repair worksheet, every part answered by both partners; its entry's id.

    The first partner's "own" part holds the answers the autosave sends again (version 1); the
    other parts are submitted and shared, so the fill page, the review and the PDF show all of it.
    """
    from practice.couples.models import Couple
    from practice.worksheets import definitions, services
    from practice.worksheets.models import Visibility

    couple = db.session.get(Couple, couple_id)
    with app.test_request_context():
        repair = definitions.get("repair_after_conflict")
        entry = services.assign(couple.id, repair, {"note": "Take your time, Анна and José."}).entries[0]
        for partner in couple.partners:
            services.answer_safety(entry, couple.id, partner.id, False)
            for section in repair.sections:
                if section.scope == "per_partner":
                    services.save_section(entry, couple.id, section, partner.id, WORKSHEET[section.key], 0)
        second = couple.partners[1]
        services.submit(entry, couple.id, repair, second.id, dict.fromkeys(WORKSHEET, Visibility.couple))
        services.save_section(entry, couple.id, repair.section("follow"), second.id,
                              {"step": "Dishes together after dinner", "owner": "both",
                               "check_date": "2026-12-08"}, 0)
    db.session.commit()
    return str(entry.id)


#: A full set of answers to the repair worksheet's per-partner parts.
WORKSHEET = {
    "ready": {"calm": 6, "go": "yes"},
    "moment": {"when": "2026-11-28", "camera": "After dinner, raised voices about the dishes. " * 4},
    "own": {"my_part": "I cut you off, Анна."},
    "impact": {"effect": "You felt alone with it, José. " * 5, "checked": "partly"},
    "validate": {"makes_sense": "It makes sense you went quiet, O'Brien. " * 5},
    "do_over": {"next_time": "Ask for ten minutes.", "cue": "My jaw tightens."},
    "after": {"connected": 7},
}


def _join_partners(app, couple_id: uuid.UUID) -> str:
    """Both partners of the measured couple accept their invitations; the first one's email."""
    from practice.couples.invitations import accept_invitation, invite_partner
    from practice.couples.models import Couple

    couple = db.session.get(Couple, couple_id)
    with app.test_request_context():
        for partner in couple.partners:
            invite_partner(partner)
            accept_invitation(partner.invitations[-1], PASSWORD)
    db.session.commit()
    return couple.partners[0].email


def _history(couple_id: uuid.UUID, events: int) -> None:
    """A long audit trail for the measured couple: views and re-sent invitations over a year."""
    from practice import audit

    for number in range(events):
        action = "couple.view" if number % 4 else "couple.edit"
        audit.record(action, object_type="couple", object_id=couple_id, couple_id=couple_id)
        if number % 100 == 99:
            db.session.commit()
    db.session.commit()


#: Habits every couple holds, as the catalogue sets them, with 8 weeks of logs by each partner.
HABITS = ("daily_checkin", "connection_bids", "feeling_words")
LOG_WEEKS = 8


def _habits(measured: uuid.UUID) -> str:
    """Every couple's habits with 8 weeks of logs for both partners; the measured couple's bids."""
    from datetime import timedelta

    from practice.couples.models import Partner
    from practice.homework.catalogue import catalogue
    from practice.homework.models import HabitAssignment, HabitChange, HabitLog
    from practice.homework.week import today_for

    today = today_for("America/Chicago")
    start = today - timedelta(weeks=LOG_WEEKS)
    partners = db.session.execute(sa.select(Partner.couple_id, Partner.id)).all()
    by_couple: dict = {}
    for couple_id, partner_id in partners:
        by_couple.setdefault(couple_id, []).append(partner_id)
    habits, changes, logs = [], [], []
    for couple_id, partner_ids in by_couple.items():
        for key in HABITS:
            found = catalogue().get(key)
            habit_id = uuid.uuid4()
            f = found.frequency
            habits.append({"id": habit_id, "couple_id": couple_id, "catalogue_key": key, "title": "",
                           "partner_id": None, "kind": f.kind, "target_min": f.min, "target_max": f.max,
                           "every_weeks": f.n, "minutes": f.minutes, "log_fields": ",".join(found.log),
                           "starts_on": start, "instructions": "", "status": "active"})
            changes.append({"id": uuid.uuid4(), "assignment_id": habit_id, "effective_on": start,
                            "what": "assigned", "detail": f.target()})
            for partner_id in partner_ids:
                for day in range(LOG_WEEKS * 7):
                    if (day + len(key)) % 3:  # about two days in three
                        logs.append({"id": uuid.uuid4(), "assignment_id": habit_id, "partner_id": partner_id,
                                     "day": start + timedelta(days=day), "done": True, "count": 2,
                                     "feeling_sealed": "", "note_sealed": "", "sharing": "private",
                                     "idempotency_key": uuid.uuid4().hex})
    for model, rows in ((HabitAssignment, habits), (HabitChange, changes), (HabitLog, logs)):
        for at in range(0, len(rows), 5000):
            db.session.execute(sa.insert(model), rows[at:at + 5000])
    db.session.commit()
    bids = (h["id"] for h in habits if h["couple_id"] == measured and h["catalogue_key"] == HABITS[1])
    return str(next(bids))


def load(folder: Path, size: str) -> Practice:
    """Read back a practice that ``seed`` wrote."""
    return Practice(**json.loads((folder / f"practice-{size}.json").read_text()))
