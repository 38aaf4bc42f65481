"""Forwarding to an external LRS through the outbox: nothing lost while it is down, delivered later, never twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.database import utcnow
from lms.extensions import db
from lms.tracking import jobs, lrs, services
from lms.tracking.models import OutboxEntry, Statement
from lms.tracking.validation import statement_problems
from tests.conftest import _test_config
from tests.factories import make_org, make_user
from tests.tracking.lrs_server import FakeLRS


@pytest.fixture
def fake_lrs():
    server = FakeLRS().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_config(tmp_path, fake_lrs) -> dict:
    return _test_config(tmp_path, LRS_ENDPOINT=fake_lrs.url, LRS_USERNAME="key", LRS_PASSWORD="secret",
                        LRS_BATCH_SIZE=3, LRS_TIMEOUT=5, LRS_RETRY_SECONDS=60)


@pytest.fixture
def statements(app) -> list[str]:
    """Five committed statements (so five outbox rows), oldest first."""
    org = make_org("Northwind")
    ada = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace")
    made = [services.record(ada, "viewed", ("report", f"report-{i}", f"Report {i}"), organization_id=org.id)
            for i in range(5)]
    db.session.commit()
    return [s.id for s in made]


def forward(runner, *args):
    result = runner.invoke(args=["lms", "xapi-forward", *args])
    db.session.expire_all()
    return result


def pending() -> list[OutboxEntry]:
    return list(db.session.scalars(select(OutboxEntry).where(OutboxEntry.delivered_at.is_(None))
                                   .order_by(OutboxEntry.id)))


def test_record_queues_each_statement_in_the_same_transaction(app):
    org = make_org()
    ada = make_user(org, ("learner",))
    statement = services.record(ada, "viewed", ("report", "completion"), organization_id=org.id)
    db.session.flush()
    assert db.session.scalar(select(OutboxEntry.statement_id)) == statement.id
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxEntry.id))) == 0
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_record_adds_no_query_for_the_outbox(app, queries):
    org = make_org()
    ada = make_user(org, ("learner",))
    with queries:
        services.record(ada, "viewed", ("report", "completion"), organization_id=org.id)
        services.record(ada, "viewed", ("report", "adoption"), organization_id=org.id)
    assert queries.count == 0  # added to the session only; inserted with the caller's flush or commit
    db.session.commit()
    assert db.session.scalar(select(func.count(OutboxEntry.id))) == 2


def test_nothing_is_lost_while_the_lrs_is_down_and_each_arrives_once_when_it_is_back(runner, fake_lrs, statements):
    assert len(pending()) == 5
    fake_lrs.mode = "down"
    result = forward(runner)
    assert result.exit_code == 1
    assert "503" in result.output and "5 waiting" in result.output
    assert fake_lrs.received == []
    rows = pending()
    assert len(rows) == 5
    assert [r.attempts for r in rows] == [1, 1, 1, 0, 0]  # one batch tried, then the run stopped
    assert all(r.next_attempt_at > utcnow() + timedelta(seconds=50) for r in rows[:3])
    assert "503" in rows[0].last_error

    fake_lrs.mode = "up"
    result = forward(runner)  # the failed batch is still backing off; the untried rows go
    assert result.exit_code == 0, result.output
    assert fake_lrs.received == statements[3:]
    assert len(pending()) == 3

    result = forward(runner, "--retry-now")
    assert result.exit_code == 0, result.output
    assert pending() == []
    assert sorted(fake_lrs.received) == sorted(statements)

    forward(runner, "--retry-now")
    forward(runner)
    assert len(fake_lrs.received) == len(set(fake_lrs.received)) == 5


def test_a_refused_connection_loses_nothing(runner, fake_lrs, statements):
    fake_lrs.go_offline()
    result = forward(runner)
    assert result.exit_code == 1
    assert "could not be reached" in result.output
    assert len(pending()) == 5
    fake_lrs.come_back()
    result = forward(runner, "--retry-now")
    assert result.exit_code == 0, result.output
    assert sorted(fake_lrs.received) == sorted(statements) and pending() == []


def test_a_batch_delivered_before_the_lrs_went_down_is_never_sent_again(runner, fake_lrs, statements):
    fake_lrs.fail_after = 1  # the first batch is stored, then the LRS goes down
    result = forward(runner)
    assert result.exit_code == 1
    assert fake_lrs.received == statements[:3]
    assert [r.statement_id for r in pending()] == statements[3:]
    fake_lrs.fail_after = None
    result = forward(runner, "--retry-now")
    assert result.exit_code == 0
    assert fake_lrs.received == statements
    posted = [s for r in fake_lrs.requests for s in json.loads(r["body"])]
    assert [s["id"] for s in posted].count(statements[0]) == 1  # sent once, never retried after success


def test_back_off_doubles_for_each_failed_attempt(app, fake_lrs, statements):
    fake_lrs.mode = "down"
    client = jobs.configured_lrs()
    now = utcnow()
    for attempt, wait in ((1, 60), (2, 120), (3, 240)):
        outcome = jobs.forward_batch(client, now, batch_size=3, retry_now=True)
        assert outcome.unreachable and outcome.delivered == 0
        first = pending()[0]
        assert first.attempts == attempt
        assert first.next_attempt_at == now + timedelta(seconds=wait)
    assert jobs.forward_batch(client, now + timedelta(seconds=239), batch_size=3).deferred == [4, 5]


def test_retry_delay_doubles_up_to_the_cap():
    assert [lrs.retry_delay(n, 60, 600).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [60, 120, 240, 480, 600, 600]


def test_a_statement_the_lrs_rejects_does_not_hold_up_the_others(runner, fake_lrs, statements):
    fake_lrs.poison = {statements[1]}
    result = forward(runner)
    assert result.exit_code == 1
    assert "400" in result.output
    assert sorted(fake_lrs.received) == sorted(statements[:1] + statements[2:])
    [stuck] = pending()
    assert stuck.statement_id == statements[1] and stuck.attempts == 1 and "400" in stuck.last_error


def test_a_statement_the_lrs_already_holds_under_that_id_counts_as_delivered(runner, fake_lrs, statements):
    fake_lrs.stored[statements[0]] = {"id": statements[0], "something": "else"}
    result = forward(runner)
    assert result.exit_code == 0, result.output
    assert pending() == []
    first = db.session.scalar(select(OutboxEntry).where(OutboxEntry.statement_id == statements[0]))
    assert first.delivered_at is not None and first.last_error.startswith("409")


def test_statements_go_as_valid_xapi_with_basic_auth_and_the_version_header(runner, fake_lrs, statements):
    forward(runner)
    request = fake_lrs.requests[0]
    assert request["path"] == "/xapi/statements"
    assert request["headers"]["x-experience-api-version"] == "1.0.3"
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["authorization"] == fake_lrs.expected_auth
    for statement in fake_lrs.stored.values():
        assert statement_problems(statement) == []
        assert statement["object"]["id"].startswith("http://lms.test/xapi/activities/report/")


def test_a_forwarded_statement_carries_the_actor_it_was_recorded_with(runner, fake_lrs, statements):
    ada = db.session.scalar(select(Statement)).actor_id
    from lms.identity.models import User  # the test changes a user; tracking itself never imports identity

    db.session.get(User, ada).email = "ada.king@northwind.example"
    db.session.commit()
    forward(runner)
    actors = {s["actor"]["mbox"] for s in fake_lrs.stored.values()}
    assert actors == {"mailto:ada@northwind.example"}
    assert {s["context"]["extensions"]["https://abm-academy.org/xapi/extensions/organization"]["name"]
            for s in fake_lrs.stored.values()} == {"Northwind"}


def test_wrong_credentials_stop_the_run_and_keep_everything(app, runner, fake_lrs, statements):
    app.config["LRS_PASSWORD"] = "wrong"
    result = forward(runner)
    assert result.exit_code == 1 and "401" in result.output
    assert len(pending()) == 5 and fake_lrs.received == []


def test_delivered_rows_are_purged_after_thirty_days_but_statements_stay(app, fake_lrs, statements):
    client = jobs.configured_lrs()
    jobs.forward_batch(client, utcnow(), batch_size=10)
    db.session.commit()
    assert jobs.purge_delivered(utcnow() + timedelta(days=29)) == 0
    assert jobs.purge_delivered(utcnow() + timedelta(days=31)) == 5
    assert db.session.scalar(select(func.count(Statement.id))) == 5


def test_without_an_lrs_nothing_is_queued_and_the_command_says_why(tmp_path):
    app = create_app(_test_config(tmp_path))
    with app.app_context():
        db.create_all()
        org = make_org()
        ada = make_user(org, ("learner",))
        services.record(ada, "viewed", ("report", "completion"), organization_id=org.id)
        db.session.commit()
        assert db.session.scalar(select(func.count(OutboxEntry.id))) == 0
        result = app.test_cli_runner().invoke(args=["lms", "xapi-forward"])
        assert result.exit_code == 1
        assert "LMS_LRS_ENDPOINT is not set" in result.output
        db.session.remove()
        db.engine.dispose()
