"""Time the pages a counselor and a partner use most, on a demo-sized and a large caseload.

Run with `make bench`. Prints the median and 95th percentile of each measurement.
"""

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_security import hash_password

from practice import create_app
from practice.extensions import db, security
from practice.instance_setup import new_secrets

ROUNDS = 30


def timed(label, fn, rounds=ROUNDS):
    """Run fn `rounds` times and print its median and p95 in milliseconds."""
    first = fn()  # warm up, and make sure a page really rendered
    status = getattr(first, "status_code", 200)
    if status != 200:
        raise SystemExit(f"{label}: got {status}, not a page; the benchmark is not measuring it")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<52} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


def main(couples: int = 200) -> None:
    """Build a practice with many couples and time its pages."""
    folder = Path(tempfile.mkdtemp())
    app = create_app({**new_secrets(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "MAIL_BACKEND": "locmem", "RATELIMIT_ENABLED": False})
    with app.app_context():
        from practice import audit
        from practice.auth.services import create_user, ensure_roles
        from practice.couples.invitations import accept_invitation, invite_partner
        from practice.couples.models import Confidentiality
        from practice.couples.services import add_couple

        db.create_all()
        ensure_roles()
        counselor = create_user("bench@example.com", "Bench Counselor", "a long and quiet river bend",
                                "counselor")
        counselor.tf_totp_secret = security.totp_factory.generate_totp_secret()
        counselor.tf_primary_method = "authenticator"
        first = None
        for n in range(couples):
            couple = add_couple(counselor, {
                "label": "", "time_zone": "America/Chicago", "confidentiality": Confidentiality.no_secrets,
                "partner_a": {"name": f"Alex{n} Morgan", "email": f"a{n}@example.com", "pronouns": ""},
                "partner_b": {"name": f"Sam{n} Lee", "email": f"b{n}@example.com", "pronouns": ""},
            })
            first = first or couple
        with app.test_request_context():
            for partner in first.partners:
                invite_partner(partner)
                accept_invitation(partner.invitations[0], "a long and quiet river bend")
        db.session.commit()
        couple_id, partner_email = first.id, first.partners[0].email
        secret = counselor.tf_totp_secret

    # Requests run outside the setup's app context, each in its own, as in production.
    print(f"SecureBase benchmarks: SQLite, {couples} couples in one caseload, {ROUNDS} rounds each")
    staff = app.test_client()
    _sign_in(staff, "bench@example.com", lambda: security.totp_factory.generate_totp_password(secret))
    partner = app.test_client()
    _sign_in(partner, partner_email, None)

    timed("GET /login (anonymous)", lambda: app.test_client().get("/login"))
    timed("GET /couples/ (caseload, page 1 of 20 per page)", lambda: staff.get("/couples/"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get("/couples/").get_data(as_text=True))[1]
    timed("POST /couples/ (search for 'Sam17', then its results)", lambda: staff.post(
        "/couples/", follow_redirects=True, data={"q": "Sam17", "csrf_token": token}))
    timed("GET /couples/<id> (couple page)", lambda: staff.get(f"/couples/{couple_id}"))
    timed("GET /couples/<id>/audit (audit trail)", lambda: staff.get(f"/couples/{couple_id}/audit"))
    timed("GET /portal/ (partner home)", lambda: partner.get("/portal/"))
    timed("GET /api/v1/couple (partner API)", lambda: partner.get("/api/v1/couple"))
    with app.app_context():
        timed("password hash (argon2id, production parameters)",
              lambda: hash_password("a long and quiet river bend"), rounds=10)

        def write_events():
            for _ in range(100):
                audit.record("bench.event", object_type="bench", object_id="1")
            db.session.commit()

        timed("audit: 100 chained events in one commit", write_events, rounds=10)
        total = db.session.query(audit.AuditEvent).count()
        timed(f"audit verify over {total} events", audit.verify, rounds=5)


def _sign_in(client, email, code):
    """Sign a test client in through the real forms."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": "a long and quiet river bend",
                                           "csrf_token": token})
    if code and "/tf-validate" in response.headers.get("Location", ""):
        page = client.get("/tf-validate").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/tf-validate", data={"code": code(), "csrf_token": token})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
