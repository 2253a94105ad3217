"""``flask users create EMAIL --role ROLE --password PW``; ``flask users unthrottle``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.auth.services import AccountError, create_user
from webapp.auth.throttle import reset_counts
from webapp.extensions import db
from webapp.models import Role

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
def create(email: str, role: str, password: str, name: str) -> None:
    """Create an account."""
    try:
        user = create_user(email, password, role, name)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@users.command("unthrottle")
def unthrottle() -> None:
    """Forget every failed sign-in count (after an attack locked real users out)."""
    reset_counts()
    click.echo("sign-in throttle counts cleared")
