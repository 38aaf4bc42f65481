"""Database plumbing: SQLite pragmas (WAL, foreign keys), its query statistics, the UTC clock the models use, a
second try for a request that met another request's new row, a value set once however many requests race to set it,
independent reads run at the same time, and a hot read run on the driver's connection (PlainRead)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import wraps
from typing import NamedTuple, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from blinker import Namespace
from flask import Flask, current_app
from sqlalchemy import JSON, URL, Select, event, make_url, update
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

P = ParamSpec("P")
R = TypeVar("R")

SQLITE_MMAP_BYTES = 1 << 30  # address space, not memory: the pages are the OS's cache
# ANALYZE reads at most about this many rows of each index: approximate statistics in a fraction of a second, where
# a full ANALYZE reads every row of every table (seconds on a million statements).
SQLITE_ANALYSIS_LIMIT = 1000
# A pooled SQLite connection keeps the statistics it read when it opened (SQLite reloads them only with the schema),
# so connections are replaced after this many seconds: statistics refreshed at night are in use within the hour.
SQLITE_RECYCLE_SECONDS = 60 * 60


def once_more_after_a_clash(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a view that reads what exists, then adds a row with a unique key (a learner's progress on a
    module, their answer to a question, an enrolment) and commits. A double click or two tabs send two such requests
    at once; each reads that the row is missing and adds it, and the second to write meets the first's row
    (IntegrityError). That request is rolled back and run once more: it now finds the row and carries on from it, as
    if the clicks had come one after the other. A second clash is an error."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        from lms.extensions import db

        try:
            return view(*args, **kwargs)
        except IntegrityError:
            db.session.rollback()
            return view(*args, **kwargs)

    return wrapped


def set_once(row, column, value) -> bool:
    """Set `row`'s `column` (a mapped attribute, e.g. Enrolment.completed_at) to `value` in the database itself unless
    it is set already, and return whether this request set it. Two requests finishing the same thing at once (a
    double click on "complete" or "hand in") both read it as not finished; only one finds it still unset when it
    writes (the other waits for its row lock on PostgreSQL, for the one writer on SQLite), so what follows, a
    "completed" statement or a certificate, happens once. `row` then holds the stored value."""
    from lms.extensions import db

    model = type(row)
    done = db.session.execute(update(model).where(model.id == row.id, column.is_(None)).values({column: value}),
                              execution_options={"synchronize_session": False})
    db.session.refresh(row, [column.key])
    return done.rowcount == 1


def side_by_side(*readers: Callable[[], R]) -> list[R]:
    """Run independent reads at the same time and return their results in order.

    Every reader but the first runs in a thread of its own, in an application context of its own (so its own session
    and pooled connection); the first runs here, in the caller's session. The database then works on them on several
    cores (PostgreSQL's server processes; SQLite's library, which lets other Python threads run while it reads), and
    a report waits for its slowest part instead of the sum of them all (bench_reports: the adoption report at 10,000
    learners). That is a gain in waiting, not in work: on a server whose cores are all busy it saves nothing, and it
    holds a connection per reader while it runs.

    The readers must only read, see committed data only (another connection cannot see the caller's uncommitted
    changes: call this from a page that reads), and return plain values, not rows of a session that closes when they
    end. An in-memory SQLite database (the tests') lives in one connection, so there they run one after another in
    the caller's session."""
    from lms.extensions import db

    if len(readers) < 2 or in_memory(db.engine.url):
        return [read() for read in readers]
    app = current_app._get_current_object()

    def in_own_context(read: Callable[[], R]) -> R:
        with app.app_context():  # its own session, removed when the context ends
            return read()

    with ThreadPoolExecutor(max_workers=len(readers) - 1, thread_name_prefix="side-by-side") as threads:
        others = [threads.submit(in_own_context, read) for read in readers[1:]]
        first = readers[0]()
        return [first, *(other.result() for other in others)]


def in_memory(url: URL) -> bool:
    """Return True for an in-memory SQLite database: one connection holds it (Flask-SQLAlchemy's StaticPool), and a
    second connection would open an empty database of its own."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (stored as UTC everywhere; shown in local time)."""
    return datetime.now(UTC).replace(tzinfo=None)


def engine_options(config: MutableMapping) -> None:
    """Before the engine is made, unless SQLALCHEMY_ENGINE_OPTIONS says otherwise:

    - a database server's pooled connections are pinged when checked out (pool_pre_ping): one the server dropped (a
      restart, a failover, an idle timeout) is replaced before use instead of failing the request;
    - a file SQLite database's are not pinged (a file is never dropped, and the ping was a statement on every
      request that reads), and are replaced hourly (see SQLITE_RECYCLE_SECONDS). An in-memory database
      (Flask-SQLAlchemy keeps it in one connection, StaticPool) is never replaced: replacing it would empty it."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    if url.get_backend_name() != "sqlite":
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **options}
    elif not in_memory(url):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_recycle": SQLITE_RECYCLE_SECONDS, **options}


def refresh_statistics() -> str:
    """Refresh the query planner's statistics, and return what was done.

    SQLite has none until ANALYZE runs, and without them it can choose an index that reads a whole organisation's
    rows for each learner (assigning a course to 10,000 learners once took 40 s that way). This runs ANALYZE with
    SQLITE_ANALYSIS_LIMIT; the nightly job, `flask lms generate` and the benchmarks call it. PostgreSQL's autovacuum
    keeps its own statistics: nothing to do there."""
    from lms.extensions import db

    engine = db.engine
    if not is_sqlite(engine):
        return f"{engine.dialect.name} keeps its own statistics (autovacuum): nothing to do."
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
        tables = conn.exec_driver_sql("SELECT count(DISTINCT tbl) FROM sqlite_stat1").scalar_one()
    return f"Refreshed the query statistics of {tables} tables."


def init_app(app: Flask) -> None:
    """Turn on foreign keys and WAL for SQLite connections of this app's engine; on PostgreSQL through psycopg, end a
    session's transaction that only read with COMMIT rather than ROLLBACK (_end_reads_with_commit)."""
    from lms.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.driver == "psycopg":
        event.listen(engine, "before_cursor_execute", _statement_runs)
        if not event.contains(db.session, "after_begin", _session_begins):
            event.listen(db.session, "after_begin", _session_begins)
        # Registered after Flask-SQLAlchemy's teardown, so it runs first (Flask runs them in reverse): the session
        # that one then removes has no transaction left to roll back.
        app.teardown_appcontext(_end_reads_with_commit)


# psycopg prepares a statement on a connection once it has run it five times there (prepare_threshold), and forgets
# every prepared statement whenever a transaction on that connection is rolled back (Connection.rollback clears them
# and deallocates them on the server). Flask-SQLAlchemy ends every request's session with a rollback, so no statement
# ever reached five runs: PostgreSQL parsed and planned every query of every request (the signed-in user's: 0.23 ms of
# planning for 0.06 ms of work). A transaction that only read is committed instead, which is the same to the database,
# and the connection keeps its prepared statements: on the benchmark's module page the user's query took 0.30 ms
# instead of 0.60 ms, the course's 0.31 ms instead of 0.81 ms.
_WROTE = "lms.wrote"  # Connection.info: a statement other than a SELECT ran since a session's transaction began on it
_READING = "lms.reading"  # Session.info: the Connection.info of the connection its transaction runs on


def _session_begins(session, _transaction, connection) -> None:
    connection.info[_WROTE] = False
    session.info[_READING] = connection.info


def _statement_runs(connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if not statement.startswith("SELECT"):  # as SQLAlchemy writes a query; anything else counts as a write
        connection.info[_WROTE] = True  # an INSERT, UPDATE or DELETE, a SAVEPOINT, a WITH, a hand-written text()


def _end_reads_with_commit(exc: BaseException | None) -> None:
    """At the end of an app context (a request, a job): commit the session's transaction if it only read: SELECT
    statements only, no change waiting in the session, no error. Anything else Flask-SQLAlchemy rolls back, as before."""
    from lms.extensions import db

    session = db.session()
    if exc is not None or not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    reading = session.info.get(_READING)
    if reading is not None and reading.get(_WROTE) is False:
        session.commit()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers and one writer work at once: a workshop of 30 people on one process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads straight from the operating system's page cache (shared by every connection) instead of through each
    # connection's 2 MB page cache: report queries that look up 10,000 learners' rows in several tables stopped
    # evicting each other's pages (bench_reports: the adoption report 76 -> 64 ms, its funnel 29 -> 16 ms).
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    """Return True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


class json_rows(FunctionElement):  # noqa: N801 - reads like the SQL aggregate it stands for
    """An aggregate: the rows of its columns as one JSON array of arrays ([[a, b], [a, b]]; NULL or [] for none), so
    a query can bring a list of rows beside its other columns in one round trip. A JSON column comes back as its
    JSON on both databases; timestamps and dates as ISO text, and SQLite's booleans as 0 and 1: the reader converts
    those."""

    type = JSON()
    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps a JSON column as text, which json_array would quote as a string: json() reads it as JSON.
    columns = ", ".join(f"json({compiler.process(c, **kw)})" if isinstance(c.type, JSON) else compiler.process(c, **kw)
                        for c in element.clauses)
    return f"json_group_array(json_array({columns}))"


@compiles(json_rows)
def _json_rows_postgresql(element, compiler, **kw) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


_signals = Namespace()
# Sent with the statement each time a PlainRead runs: SQLAlchemy's engine events do not see it (tests.conftest's
# QueryCounter counts it with them).
plain_read_ran = _signals.signal("plain-read-ran")


class _Compiled(NamedTuple):
    sql: str
    order: tuple[str, ...] | None  # the parameters' names in order, for a driver whose placeholders are positional
    fixed: dict  # the statement's own values ("manager", True), converted for the driver
    to_driver: dict  # a bind processor per parameter the caller gives that needs one (a date, on SQLite)
    converters: tuple  # a result processor per column (None: the driver's value as it is)


class PlainRead:
    """A SELECT that a hot path runs on a pooled connection of the database driver, not through SQLAlchemy's
    Connection: compiled once per dialect, its parameters and columns converted by SQLAlchemy's own type processors
    (a JSON column decoded, a SQLite date parsed, as a Connection would), its read ended with COMMIT like a page's
    (_end_reads_with_commit: psycopg keeps what it prepared).

    For the one request whose query is most of its work (the certificate download): there a Connection's checkout,
    execution context, cache key and result object cost more than running the query (its query took 140 µs in the
    request that way, 40 µs this way). What it gives up: SQLAlchemy's engine events and echo do not see the
    statement, so it sends `plain_read_ran` instead. Anything that writes, or reads more than one row, goes through
    the session."""

    def __init__(self, build: Callable[[], Select]) -> None:
        self._build = build
        self._compiled: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._build()
        compiled = statement.compile(dialect=dialect)
        fixed, to_driver = {}, {}
        for name, value in compiled.params.items():
            bind = compiled.binds[name]
            if bind.expanding or bind.literal_execute:  # rendered at each execution: a Connection's work
                raise ValueError(f"PlainRead runs a statement as compiled; {name!r} is rendered per execution")
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:  # a parameter the caller gives (bindparam("code"))
                if convert is not None:
                    to_driver[name] = convert
            else:  # the statement's own value, NULL included
                fixed[name] = convert(value) if convert and value is not None else value
        converters = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in statement.selected_columns)
        return _Compiled(compiled.string, tuple(compiled.positiontup) if compiled.positional else None, fixed,
                         to_driver, converters)

    def first(self, engine: Engine, params: Mapping) -> tuple | None:
        """Run the statement with `params` and return its first row (None if it has none), its values converted."""
        compiled = self._compiled.get(engine.dialect)
        if compiled is None:
            compiled = self._compiled[engine.dialect] = self._compile(engine.dialect)
        values = {**compiled.fixed, **params}
        for name, convert in compiled.to_driver.items():
            if values.get(name) is not None:
                values[name] = convert(values[name])
        arguments = tuple(values[name] for name in compiled.order) if compiled.order is not None else values
        plain_read_ran.send(self, statement=compiled.sql)
        connection = engine.raw_connection()  # from the pool, pinged and returned as a Connection's would be
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, arguments)
                row = cursor.fetchone()
            finally:
                cursor.close()
            connection.commit()
        finally:
            connection.close()
        if row is None:
            return None
        return tuple(value if convert is None or value is None else convert(value)
                     for convert, value in zip(compiled.converters, row, strict=True))
