"""Two requests at the same moment, as a double click or two tabs send them: each in its own thread, app context,
session and connection, as in two gunicorn workers. Helpers for the tests that force both to read before either
writes, so the race happens every time rather than now and then."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.extensions import db
from tests.factories import DEFAULT_PASSWORD


def own_connections(app_config: dict, tmp_path) -> dict:
    """The test app's settings, with a database file on SQLite (an in-memory database is one connection that every
    thread would share; a file gives each thread its own, as in production). PostgreSQL is left as it is."""
    from tests.conftest import TEST_DATABASE_URL

    if not TEST_DATABASE_URL:
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'races.db'}"
    return app_config


def signed_in(app, email: str):
    """A new browser (test client) signed in as `email`."""
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def twice(app, email: str, send: Callable) -> list[int]:
    """Send the same request from two browsers signed in as `email`, at once; return the two status codes."""
    return at_once([signed_in(app, email) for _ in range(2)], lambda client: send(client).status_code)


def at_once(clients, send: Callable) -> list:
    """Run send(client) for each browser (test client) at once, each in its own thread and app context; return
    what each returned (a status code, say), in the order they finished."""
    answers: list = []

    def click(client):
        with client.application.app_context():
            answers.append(send(client))

    in_threads(click, clients)
    return answers


def in_threads(work: Callable, items, timeout: float = 60) -> None:
    """Run work(item) for each item, each in a thread of its own, and wait for them all."""
    threads = [threading.Thread(target=work, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def _first_two_meet() -> Callable[[], None]:
    """A call that holds each of its first two callers until both have come (later calls pass straight on)."""
    barrier = threading.Barrier(2)
    calls = iter(range(2))

    def meet() -> None:
        if next(calls, None) is not None:
            barrier.wait(timeout=10)

    return meet


def hold_first_two(original: Callable) -> Callable:
    """`original`, made to hold each of its first two callers, once it has returned, until both have."""
    meet = _first_two_meet()

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        meet()
        return result

    return held


@contextmanager
def held_before_adding(model) -> Iterator[None]:
    """Hold the first two flushes that add a `model` row until both have come: each request has read that there is
    none. Before any other flush listener (the roll-ups write as a flush begins)."""
    meet = _first_two_meet()

    def held(session, _context, _instances):
        if any(isinstance(row, model) for row in session.new):
            meet()

    event.listen(Session, "before_flush", held, insert=True)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", held)


def rows(model, *where) -> int:
    """How many `model` rows the database holds (meeting `where`), read afresh after the requests' own sessions."""
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
