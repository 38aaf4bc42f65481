"""The benchmarks' databases: a PostgreSQL database of their own, made on first use."""

from __future__ import annotations


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
