"""The commands a practice owner runs: create-counselor, reset-two-factor, seed-demo, demo-code."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from webpage import csrf_token, text_of

from practice.audit import AuditEvent
from practice.auth.models import LoginSession, Role, User
from practice.couples.models import Couple, Partner
from practice.demo import DEMO_PASSWORD
from practice.extensions import db
from tests.conftest import PASSWORD as TEST_PASSWORD

PASSWORD = "copper kettle on the stove"


def users_with_role(name: str) -> list[User]:
    """Every account with a role."""
    return list(db.session.scalars(select(User).join(User.roles).where(Role.name == name)))


def test_create_counselor_with_options(runner):
    result = runner.invoke(args=["create-counselor", "--email", " Elena@Example.com",
                                 "--name", "Dr. Elena Moreno", "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    assert "Created counselor Dr. Elena Moreno <elena@example.com>." in result.output
    [elena] = users_with_role("counselor")
    assert elena.email == "elena@example.com" and elena.active


def test_create_counselor_prompts_for_what_is_missing(runner):
    result = runner.invoke(args=["create-counselor"],
                           input=f"elena@example.com\nDr. Elena Moreno\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created counselor Dr. Elena Moreno <elena@example.com>." in result.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--password", "short", "Use at least 12 characters."),
        ("--password", "qwerty123456", "That password is on a list of commonly used passwords."),
        ("--email", "elena at example", "Enter an email address like name@example.com."),
        ("--name", "   ", "Enter the counselor's name."),
    ],
    ids=["short password", "common password", "bad email", "blank name"],
)
def test_create_counselor_refuses_bad_input_with_a_clear_error(runner, option, value, message):
    args = {"--email": "elena@example.com", "--name": "Dr. Elena Moreno", "--password": PASSWORD}
    args[option] = value
    options = [part for pair in args.items() for part in pair]

    result = runner.invoke(args=["create-counselor", *options])

    assert result.exit_code == 2
    assert f"Invalid value for {option}: {message}" in result.output
    assert message in result.output
    assert users_with_role("counselor") == []


def test_create_counselor_refuses_an_email_already_in_use(runner, make_user):
    make_user("counselor", email="elena@example.com")
    result = runner.invoke(args=["create-counselor", "--email", "ELENA@example.com",
                                 "--name", "Another Elena", "--password", PASSWORD])
    assert result.exit_code == 2
    assert "An account with this email already exists." in result.output
    assert len(users_with_role("counselor")) == 1


def test_create_counselor_makes_an_account_that_sets_up_two_factor_at_first_sign_in(runner, client):
    runner.invoke(args=["create-counselor", "--email", "elena@example.com",
                        "--name", "Dr. Elena Moreno", "--password", PASSWORD])

    response = client.post("/login", data={"email": "elena@example.com", "password": PASSWORD,
                                           "csrf_token": csrf_token(client.get("/login"))})

    assert response.headers["Location"].endswith("/tf-setup")


def test_reset_two_factor_clears_it_and_signs_the_person_out(runner, make_user, browser, outbox):
    dana = make_user("counselor", email="dana@example.com", name="Dana Reyes")
    laptop = browser(dana)
    assert laptop.get("/couples/").status_code == 200

    result = runner.invoke(args=["reset-two-factor", "DANA@example.com", "--yes"])

    assert result.exit_code == 0, result.output
    assert ("Two-factor sign-in is reset for Dana Reyes <dana@example.com>; they set it up again at "
            "their next sign-in.") in result.output
    db.session.expire_all()
    dana = db.session.get(User, dana.id)
    assert dana.tf_primary_method is None and dana.tf_totp_secret is None
    assert db.session.scalars(select(LoginSession).where(LoginSession.user_id == dana.id)).all() == []
    assert laptop.get("/couples/").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset"))
    assert event.object_id == str(dana.id) and event.actor_id is None
    assert outbox[0].to == ["dana@example.com"]
    assert "Your practice reset your two-factor sign-in" in outbox[0].body
    again = browser()
    response = again.post("/login", data={"email": "dana@example.com", "password": TEST_PASSWORD,
                                          "csrf_token": csrf_token(again.get("/login"))})
    assert response.headers["Location"].endswith("/tf-setup")


def test_reset_two_factor_works_for_the_only_admin(runner, make_user):
    owner = make_user("admin", email="owner@example.com", name="Priya Natarajan")

    result = runner.invoke(args=["reset-two-factor", "owner@example.com", "--yes"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, owner.id).tf_primary_method is None


def test_reset_two_factor_asks_first_and_does_nothing_on_no(runner, make_user, outbox):
    dana = make_user("counselor", email="dana@example.com", name="Dana Reyes")

    result = runner.invoke(args=["reset-two-factor", "dana@example.com"], input="n\n")

    assert "Reset two-factor sign-in for Dana Reyes <dana@example.com>" in result.output
    assert result.exit_code == 1
    db.session.expire_all()
    assert db.session.get(User, dana.id).tf_primary_method == "authenticator"
    assert outbox == []


def test_reset_two_factor_for_a_partner_says_a_password_is_enough(runner, make_user):
    make_user("partner", email="maya@example.com", name="Maya Chen", two_factor=True)
    result = runner.invoke(args=["reset-two-factor", "maya@example.com", "--yes"])
    assert "their next sign-in needs only their password" in result.output


def test_reset_two_factor_refuses_an_unknown_email(runner):
    result = runner.invoke(args=["reset-two-factor", "nobody@example.com", "--yes"])
    assert result.exit_code == 2
    assert "no account has that email" in result.output


def test_seed_demo_creates_the_demo_practice_and_prints_the_logins(app, runner):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Demo logins (password for all: {DEMO_PASSWORD!r})" in out
    assert len(users_with_role("admin")) == 1
    counselors = users_with_role("counselor")
    assert len(counselors) == 2
    assert db.session.scalar(select(func.count()).select_from(Couple)) == 4
    for counselor in counselors:
        couples = db.session.scalars(
            select(Couple).where(Couple.counselor_id == counselor.id)).all()
        assert any(all(p.user_id for p in couple.partners) for couple in couples), counselor.name
        assert counselor.email in out and counselor.name in out
    secrets = re.findall(r"two-factor secret for your authenticator app: ([A-Z2-7]{16,})", out)
    assert len(secrets) == 3
    joined = db.session.scalars(select(Partner).where(Partner.user_id.is_not(None))).all()
    assert {p.email for p in joined} <= set(re.findall(r"\S+@demo\.example\.com", out))
    assert (Path(app.instance_path) / "demo-logins.txt").read_text().strip() == out.strip()


def test_the_demo_counselors_have_signed_notes_and_a_draft_for_the_couples_that_joined(app, runner):
    from practice.notes import services
    from practice.notes.models import NoteAddendum, NoteStatus, SessionNote

    runner.invoke(args=["seed-demo", "--quiet"])
    notes = db.session.scalars(select(SessionNote)).all()
    joined = {note.couple_id for note in notes}
    assert len(joined) == 2
    for couple_id in joined:
        states = sorted(note.status for note in notes if note.couple_id == couple_id)
        assert states == [NoteStatus.draft] + [NoteStatus.signed] * 3
    with app.test_request_context():
        for note in notes:
            assert services.intact(note, services.sections_of(note))
    assert db.session.scalar(select(func.count()).select_from(NoteAddendum)) == 2


def test_a_demo_partner_signs_in_to_their_portal(runner, client, auth):
    runner.invoke(args=["seed-demo", "--quiet"])
    maya = db.session.scalar(select(User).where(User.email == "maya@demo.example.com"))

    auth.login(maya, password=DEMO_PASSWORD)

    text = text_of(client.get("/portal/"))
    assert "Hi Maya" in text and "Jordan Rivera (they/them)" in text
    assert "Your counselor Dr. Elena Moreno" in text


def test_seed_demo_does_nothing_the_second_time(runner):
    runner.invoke(args=["seed-demo"])

    again = runner.invoke(args=["seed-demo"])

    assert again.exit_code == 0
    assert "The database already has accounts; no demo data added." in again.output
    assert "Demo logins" not in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 3 + 4
    assert db.session.scalar(select(func.count()).select_from(Couple)) == 4


def test_seed_demo_quiet_prints_nothing(runner):
    result = runner.invoke(args=["seed-demo", "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""
    assert len(users_with_role("counselor")) == 2


def test_seed_demo_refuses_a_database_that_has_accounts(runner, make_user):
    make_user("counselor")
    result = runner.invoke(args=["seed-demo"])
    assert "no demo data added" in result.output
    assert db.session.scalar(select(func.count()).select_from(Couple)) == 0


def test_demo_code_prints_a_code_that_signs_the_demo_counselor_in(runner, client):
    runner.invoke(args=["seed-demo", "--quiet"])

    result = runner.invoke(args=["demo-code", "elena@demo.example.com"])

    assert result.exit_code == 0, result.output
    code = result.output.strip()
    assert re.fullmatch(r"\d{6}", code)
    client.post("/login", data={"email": "elena@demo.example.com", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client.get("/login"))})
    client.post("/tf-validate", data={"code": code,
                                      "csrf_token": csrf_token(client.get("/tf-validate"))})
    assert "Maya & Jordan" in text_of(client.get("/couples/"))


def test_demo_code_accepts_the_email_in_any_case(runner):
    runner.invoke(args=["seed-demo", "--quiet"])
    result = runner.invoke(args=["demo-code", "Samuel@Demo.Example.COM"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d{6}", result.output.strip())


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("someone@example.com", "only demo accounts have a printable code"),
        ("elena@demo.example.com.evil.test", "only demo accounts have a printable code"),
        ("nobody@demo.example.com", "no demo account with two-factor has that email"),
        ("maya@demo.example.com", "no demo account with two-factor has that email"),
    ],
    ids=["not a demo address", "look-alike domain", "unknown demo address", "demo partner"],
)
def test_demo_code_refuses_other_emails(runner, make_user, email, message):
    runner.invoke(args=["seed-demo", "--quiet"])
    make_user("counselor", email="someone@example.com")

    result = runner.invoke(args=["demo-code", email])

    assert result.exit_code == 2
    assert message in result.output
    assert not re.search(r"^\d{6}$", result.output, flags=re.M)
