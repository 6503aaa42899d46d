"""Flask commands: create-counselor, reset-two-factor, seed-demo, demo-code, audit verify."""

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from practice import audit as audit_log
from practice import demo
from practice.admin.schemas import NewCounselorSchema
from practice.auth.services import AccountError, create_user, reset_two_factor, stored_email
from practice.extensions import db
from practice.fields import form_errors


@click.command("create-counselor")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 12 characters; prompted when not given.")
def create_counselor(email, name, password):
    """Create a counselor account; they set up two-factor at their first sign-in.

    For a practice's first counselor, or one with no email yet; the admin page invites by email.
    """
    try:
        # The same checks as the admin's form: a real email address and a name.
        data = NewCounselorSchema().load({"email": email, "name": name, "password": password})
        user = create_user(data["email"], data["name"], data["password"], "counselor")
    except ValidationError as error:
        field, message = next(iter(form_errors(error).items()))
        raise click.BadParameter(message, param_hint=f"--{field}") from error
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    db.session.commit()
    click.echo(f"Created counselor {user.name} <{user.email}>.")


@click.command("reset-two-factor")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset_two_factor_command(email, yes):
    """Reset someone's two-factor sign-in (a lost phone); they set it up again at next sign-in.

    Works for any account, an administrator's own included: whoever can run this on the server
    already holds the keys.
    """
    from sqlalchemy import select

    from practice.auth.models import STAFF_ROLES, User

    user = db.session.scalar(select(User).where(User.email == stored_email(email)))
    if user is None:
        raise click.BadParameter("no account has that email", param_hint="EMAIL")
    if not yes:
        click.confirm(f"Reset two-factor sign-in for {user.display_name} <{user.email}> and sign "
                      "them out everywhere?", abort=True)
    # Ending sessions and writing the audit event read the request; a command has none of its own.
    with current_app.test_request_context():
        reset_two_factor(user)
        db.session.commit()
    after = ("they set it up again at their next sign-in" if user.role in STAFF_ROLES
             else "their next sign-in needs only their password")
    click.echo(f"Two-factor sign-in is reset for {user.display_name} <{user.email}>; {after}.")


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print the demo logins.")
def seed_demo(quiet):
    """Create the demo practice if the database has no accounts, and print its logins."""
    if not demo.is_empty():
        click.echo("The database already has accounts; no demo data added.")
        return
    logins = demo.seed()
    db.session.commit()
    path = current_app.instance_path + "/demo-logins.txt"
    with open(path, "w", encoding="utf-8") as out:
        out.write(format_logins(logins))
    if not quiet:
        click.echo(format_logins(logins))


def format_logins(logins) -> str:
    """The demo logins as a short table a person can read."""
    lines = [f"Demo logins (password for all: {demo.DEMO_PASSWORD!r})"]
    for login in logins:
        line = f"  {login['role']:<10} {login['email']:<32} {login['name']}"
        if login["totp_secret"]:
            line += f"\n             two-factor secret for your authenticator app: {login['totp_secret']}"
        lines.append(line)
    return "\n".join(lines) + "\n"


audit_group = AppGroup("audit", help="The audit trail.")


@audit_group.command("verify")
def verify():
    """Seal waiting events, then check the audit hash chain; exits 1 if any event was changed or removed."""
    sealed = audit_log.seal()
    if sealed:
        click.echo(f"Sealed {sealed} event{'s' if sealed != 1 else ''} that were waiting for the chain.")
    db.session.expire_all()
    problems = audit_log.verify()
    if problems:
        for problem in problems:
            click.echo(f"BROKEN: {problem}", err=True)
        raise SystemExit(1)
    click.echo("The audit trail is intact.")


@audit_group.command("seal")
def seal():
    """Give committed events that wait for it their place in the audit chain (safe to run any time)."""
    sealed = audit_log.seal()
    click.echo(f"Sealed {sealed} event{'s' if sealed != 1 else ''}.")


@click.command("demo-code")
@click.argument("email")
def demo_code(email):
    """Print the current two-factor code of a demo account (demo accounts only)."""
    from sqlalchemy import select

    from practice.auth.models import User
    from practice.extensions import security

    email = stored_email(email)
    if not email.endswith("@" + demo.DEMO_DOMAIN):
        raise click.BadParameter("only demo accounts have a printable code", param_hint="EMAIL")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.tf_totp_secret:
        raise click.BadParameter("no demo account with two-factor has that email", param_hint="EMAIL")
    click.echo(security.totp_factory.generate_totp_password(user.tf_totp_secret))


def register(app) -> None:
    """Add the commands to ``flask --app practice``."""
    app.cli.add_command(create_counselor)
    app.cli.add_command(reset_two_factor_command)
    app.cli.add_command(seed_demo)
    app.cli.add_command(audit_group)
    app.cli.add_command(demo_code)
