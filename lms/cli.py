"""The `flask lms …` command group: demo data and, per package, their own sub-commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("lms")
def lms_group() -> None:
    """ABM Academy commands."""


@lms_group.command("demo")
@click.option("--password", default="abm-demo-2026", show_default=True, help="Password for every demo user.")
@with_appcontext
def demo(password: str) -> None:
    """Create the demo organisations, cohorts and users (idempotent) and print their logins."""
    from lms.demo import load_demo

    logins = load_demo(password)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {password}):")
    for role, email in logins:
        click.echo(f"  {role:<16} {email}")
