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


@lms_group.group("content")
def content_group() -> None:
    """Check and load course and exercise content."""


def _content_problems(stale: bool) -> list:
    from pathlib import Path

    from flask import current_app

    from lms.content.loader import check_tree, load_catalogue
    from lms.practice.registry import check_exercises, scan

    courses_root = Path(current_app.config["COURSES_DIR"])
    exercises_root = Path(current_app.config["EXERCISES_DIR"])
    exercises, _ = scan(exercises_root)
    problems = check_tree(courses_root, exercise_slugs=set(exercises), stale=stale)
    try:
        catalogue = load_catalogue(courses_root)
    except Exception:  # noqa: BLE001 - the faults are already in `problems`
        refs, competencies = None, None
    else:
        refs = {f"{c.slug}/{m.slug}" for c in catalogue.courses for m in c.modules}
        competencies = {c.slug for c in catalogue.competencies}
    if refs is not None:
        problems += check_exercises(exercises_root, refs, competencies)
    else:
        problems += scan(exercises_root)[1]
    return problems


@content_group.command("check")
@click.option("--stale", is_flag=True, help="Also fail when a module's review is overdue.")
@with_appcontext
def content_check(stale: bool) -> None:
    """Validate courses/ and exercises/; print `path:line: problem` for each fault and exit 1 if any."""
    problems = _content_problems(stale)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)
    click.echo("Content OK.")


@content_group.command("sync")
@with_appcontext
def content_sync() -> None:
    """Load courses/ into the database (idempotent); removed modules are archived, progress kept."""
    from pathlib import Path

    from flask import current_app

    from lms.content.loader import ContentError
    from lms.content.sync import sync_content
    from lms.practice.services import exercise_registry

    try:
        report = sync_content(Path(current_app.config["COURSES_DIR"]), exercise_registry())
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Content synced: {report}.")
