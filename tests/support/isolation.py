"""Give each xdist process its own PostgreSQL database and Redis database.

CI's second run points the suite at one PostgreSQL database and one Redis database. Two
pytest processes sharing them would wipe each other's tables and consume each other's
Celery messages, so each process gets ``<database>_<worker>`` (created on first use) and
the Redis database after the configured one. Environment variables are rewritten before
any app is created, so the app, the Celery worker subprocess and every helper that reads
the environment agree.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REDIS_DATABASES = 16  # Redis' default `databases` setting
REDIS_VARIABLES = ("CELERY_BROKER_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI")


def isolate(worker_id: str, environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Rewrite ``environ`` so the process ``worker_id`` (gw0, gw1, …) uses its own stores."""
    index = int(worker_id.removeprefix("gw"))
    database_url = environ.get("DATABASE_URL", "")
    if database_url.startswith("postgresql"):
        environ["DATABASE_URL"] = _own_database(database_url, worker_id)
    for name in REDIS_VARIABLES:
        value = environ.get(name, "")
        if value.startswith(("redis://", "rediss://")):
            environ[name] = redis_database_for(value, index)


def redis_database_for(url: str, index: int) -> str:
    """The Redis URL of process ``index``: the database after the configured one."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + 1 + index) % REDIS_DATABASES}"))


def _own_database(url: str, worker_id: str) -> str:
    """Create ``<database>_<worker_id>`` next to the configured database if needed."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker_id}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)
