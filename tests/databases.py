"""Test and benchmark databases: a PostgreSQL database made on first use, and the benchmarks' kept SQLite files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

BENCH_FOLDER = Path(__file__).resolve().parents[1] / "instance" / "bench"


def ensure_postgres(url: str) -> str | None:
    """Return `url` (postgresql+psycopg://server/name) once its database exists, creating it if needed; None if no
    server answers."""
    import psycopg

    server, _, name = url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return url


def analyse() -> None:
    """After a benchmark's bulk load, give the query planner statistics as a production database has them: on SQLite
    the academy's own refresh (`lms.database.refresh_statistics`, its nightly job); on PostgreSQL VACUUM ANALYZE now
    rather than whenever autovacuum gets to it. Needs an app context."""
    from sqlalchemy import text

    from lms.database import refresh_statistics
    from lms.extensions import db

    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        refresh_statistics()


def bench_sqlite_url(name: str) -> str:
    """The URL of a benchmark's SQLite file instance/bench/<name>.sqlite, kept between runs."""
    BENCH_FOLDER.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{BENCH_FOLDER / f'{name}.sqlite'}"


def statements_prepared_after(requests: Callable[[], object]) -> list[str]:
    """Run `requests` on one pooled PostgreSQL connection (the pool emptied first, so requests made one after another
    take turns with it) and return the statements psycopg has prepared on it (pg_prepared_statements). Needs an app
    context."""
    from sqlalchemy import text

    from lms.extensions import db

    db.session.remove()
    db.engine.dispose()
    requests()
    with db.engine.connect() as connection:  # the requests' connection, back in the pool
        return connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
