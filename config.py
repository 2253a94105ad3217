"""Settings read from the environment, with embedded defaults.

With no environment at all the app runs on SQLite, local-disk storage and Celery's
SQLite broker, everything under ``instance/``. ``DATABASE_URL``, ``CELERY_BROKER_URL``
and the ``S3_*`` variables switch to PostgreSQL, Redis and an S3-compatible store.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent
BROKER_SOCKET_TIMEOUT = 5.0  # seconds; above kombu's 1 s BRPOP poll, so idle workers never trip it
ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_BYTES = 32
# Secrets that were shipped as examples or defaults somewhere: never good enough for production.
KNOWN_DEFAULT_SECRETS = frozenset(
    {"learnstream", "learnstream-change-me", "learnstream-test-secret", "test-secret-key"}
)
# Words that mark a placeholder someone forgot to replace ("change-me-to-a-long-random-…").
_PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "changethis", "example", "placeholder")


class UnsafeSettings(RuntimeError):
    """A production process was given a missing or guessable secret: it refuses to start."""


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


def _hours(raw: str) -> tuple[int, ...]:
    """``"24,1"`` → ``(24, 1)``: positive whole hours, largest first, no repeats."""
    hours = {int(part) for part in raw.replace(" ", "").split(",") if part}
    if any(h <= 0 for h in hours):
        raise ValueError(f"CLASS_REMINDER_HOURS must be positive whole hours, got {raw!r}")
    return tuple(sorted(hours, reverse=True))


def _env_bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    """Let ``postgresql://`` URLs use psycopg 3, the driver we install."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def mail_settings(env: dict[str, str], instance: Path) -> dict[str, Any]:
    """Flask-Mailman settings. No ``MAIL_URL``: every message is written to
    ``instance/outbox/`` (the admin's Outbox page shows them). ``MAIL_URL`` switches to
    SMTP: ``smtp://[user:password@]host[:port]`` (plain, or STARTTLS with
    ``?starttls=1``), ``smtps://…`` (TLS from the start, port 465 by default)."""
    url = env.get("MAIL_URL", "").strip()
    common: dict[str, Any] = {
        "MAIL_URL": url,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_FROM") or "Learnstream <no-reply@learnstream.local>",
        "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        "MAIL_TIMEOUT": _env_int(env, "MAIL_TIMEOUT_SECONDS", 10),
    }
    if not url:
        return common | {"MAIL_BACKEND": "webapp.mail.outbox"}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"MAIL_URL must be smtp://host[:port] or smtps://host[:port], not {url!r}")
    query = parse_qs(parts.query)
    tls = parts.scheme == "smtp" and query.get("starttls", ["0"])[0].lower() in {"1", "true", "yes"}
    return common | {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_SSL": parts.scheme == "smtps",
        "MAIL_USE_TLS": tls,
    }


def load_settings(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the Flask config mapping built from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("LEARNSTREAM_INSTANCE", BASE_DIR / "instance")).resolve()
    database_url = _normalise_db_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance / 'learnstream.sqlite'}"
    )
    broker_url = env.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{instance / 'celery.sqlite'}"
    s3_bucket = env.get("S3_BUCKET", "")
    environment = _environment(env)
    return {
        # "production" (the Docker image's default) refuses to start without strong secrets
        # (``refuse_unsafe_settings``) and never seeds demo accounts unless asked.
        "LEARNSTREAM_ENV": environment,
        # Production never falls back to a generated per-machine key: several processes
        # or machines would each sign with their own.
        "SECRET_KEY": env.get("SECRET_KEY")
        or ("" if environment == "production" else _dev_secret(instance)),
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env, database_url),
        **_outage_settings(env),
        "STORAGE_BACKEND": "s3" if s3_bucket else "local",
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(instance / "media"),
        "UPLOAD_TMP_DIR": env.get("UPLOAD_TMP_DIR") or str(instance / "tmp"),
        "SCRATCH_DIR": env.get("SCRATCH_DIR") or str(instance / "scratch"),
        "S3_BUCKET": s3_bucket,
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL") or None,
        # The address browsers use to reach the store (presigned URLs are signed for it).
        "S3_PUBLIC_ENDPOINT_URL": env.get("S3_PUBLIC_ENDPOINT_URL") or None,
        "S3_REGION": env.get("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or None,
        "S3_PATH_STYLE": _env_bool(env, "S3_PATH_STYLE", True),
        "CELERY": {
            "broker_url": broker_url,
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "broker_transport_options": _transport_options(broker_url),
            "task_always_eager": False,
            "beat_schedule": {
                "sweep-transcode-jobs": {
                    "task": "transcoder.sweep",
                    "schedule": float(_env_int(env, "SWEEP_INTERVAL_SECONDS", 60)),
                },
                "clean-abandoned-uploads": {"task": "uploads.clean_abandoned", "schedule": 3600.0},
                "class-reminders": {"task": "cohorts.send_class_reminders", "schedule": 60.0},
                "organisation-digests": {
                    "task": "organisations.send_weekly_digests",
                    "schedule": 3600.0,
                },
                "notification-digests": {"task": "notifications.send_digests", "schedule": 60.0},
            },
        },
        # Request limits: a small body for every route; the upload routes raise it to
        # MAX_UPLOAD_BYTES once the caller is signed in (webapp/request_limits.py).
        "MAX_CONTENT_LENGTH": _env_int(env, "REQUEST_MAX_BYTES", 1024**2),
        "MAX_FORM_MEMORY_SIZE": _env_int(env, "MAX_FORM_MEMORY_SIZE", 500_000),
        "MAX_FORM_PARTS": _env_int(env, "MAX_FORM_PARTS", 1000),
        "JSON_MAX_DEPTH": _env_int(env, "JSON_MAX_DEPTH", 32),
        # Uploads: the largest video file, and the caps ffprobe enforces before a transcode.
        "MAX_UPLOAD_BYTES": _env_int(env, "MAX_UPLOAD_BYTES", 2 * 1024**3),
        "MAX_VIDEO_SECONDS": _env_int(env, "MAX_VIDEO_SECONDS", 4 * 3600),
        "MAX_VIDEO_WIDTH": _env_int(env, "MAX_VIDEO_WIDTH", 3840),
        "MAX_VIDEO_HEIGHT": _env_int(env, "MAX_VIDEO_HEIGHT", 2160),
        "MAX_VIDEO_FPS": _env_int(env, "MAX_VIDEO_FPS", 120),
        # Direct (multipart) uploads: each user's total of stored sources, how long a part
        # URL stays valid, and how long an upload may sit idle before it is aborted.
        "UPLOAD_QUOTA_BYTES": _env_int(env, "UPLOAD_QUOTA_BYTES", 20 * 1024**3),
        "UPLOAD_PART_URL_TTL_SECONDS": _env_int(env, "UPLOAD_PART_URL_TTL_SECONDS", 3600),
        "UPLOAD_ABANDON_HOURS": _env_int(env, "UPLOAD_ABANDON_HOURS", 24),
        "HLS_SEGMENT_SECONDS": _env_int(env, "HLS_SEGMENT_SECONDS", 4),
        # Never stuck: a RUNNING job silent this long is handed back (or failed after
        # JOB_MAX_ATTEMPTS); a QUEUED one waiting this long is sent to the queue again.
        "JOB_STALE_SECONDS": _env_int(env, "JOB_STALE_SECONDS", 300),
        "JOB_REDISPATCH_SECONDS": _env_int(env, "JOB_REDISPATCH_SECONDS", 600),
        "JOB_MAX_ATTEMPTS": _env_int(env, "JOB_MAX_ATTEMPTS", 3),
        # A transcode whose ffmpeg runs use more CPU time than this many seconds per second
        # of media (and at least the floor) is stopped and FAILED: a crafted file.
        "JOB_CPU_SECONDS_PER_MEDIA_SECOND": float(
            env.get("JOB_CPU_SECONDS_PER_MEDIA_SECOND") or "20"
        ),
        "JOB_CPU_FLOOR_SECONDS": _env_int(env, "JOB_CPU_FLOOR_SECONDS", 60),
        "COMPLETION_SHARE": float(env.get("COMPLETION_SHARE", "0.9")),
        # Graded exams: answers and a submit are still taken this long after an
        # attempt's deadline (a save sent in time may arrive late).
        "EXAM_GRACE_SECONDS": _env_int(env, "EXAM_GRACE_SECONDS", 30),
        # Questions and answers one user may post (``limits`` notation), and the largest
        # file a learner may hand in for a project.
        "QUESTIONS_POST_LIMIT": env.get("QUESTIONS_POST_LIMIT") or "10 per minute; 100 per day",
        "PROJECT_FILE_MAX_BYTES": _env_int(env, "PROJECT_FILE_MAX_BYTES", 10 * 1024 * 1024),
        # Heartbeats are committed in batches (webapp/progress/writer.py): at most this
        # many per transaction, gathered for at most this long after the first, and a
        # request waits this long for its batch's commit.
        "HEARTBEAT_BATCH_MAX": _env_int(env, "HEARTBEAT_BATCH_MAX", 500),
        "HEARTBEAT_BATCH_LINGER_MS": _env_int(env, "HEARTBEAT_BATCH_LINGER_MS", 10),
        "HEARTBEAT_COMMIT_TIMEOUT_SECONDS": _env_int(env, "HEARTBEAT_COMMIT_TIMEOUT_SECONDS", 10),
        # Beats waiting for the writer (queued, or kept through a database outage) in one
        # process; past this a beat is answered 503 with Retry-After and the player keeps it.
        "HEARTBEAT_QUEUE_MAX": _env_int(env, "HEARTBEAT_QUEUE_MAX", 2000),
        # Lifetime of the signed grant that spares a heartbeat the access checks.
        "HEARTBEAT_GRANT_SECONDS": _env_int(env, "HEARTBEAT_GRANT_SECONDS", 900),
        "API_TOKEN_DAYS": _env_int(env, "API_TOKEN_DAYS", 30),
        "INVITATION_DAYS": _env_int(env, "INVITATION_DAYS", 7),
        # E-mail reminders of a live class to its cohort's members, this many hours before
        # the start ("24,1"); each goes once. The links in them start with PUBLIC_BASE_URL
        # (background tasks have no request to take the address from).
        "CLASS_REMINDER_HOURS": _hours(env.get("CLASS_REMINDER_HOURS", "24,1")),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        **_enrolment_settings(env),
        # Check every API answer against the OpenAPI document (the test suite turns it on).
        "API_VALIDATE_RESPONSES": _env_bool(env, "API_VALIDATE_RESPONSES", False),
        # Lifetime of the signed segment/thumbnail links inside playlists (1 to 10080).
        "MEDIA_URL_TTL_MINUTES": _env_int(env, "MEDIA_URL_TTL_MINUTES", 30),
        "NODE_MODULES": env.get("NODE_MODULES") or str(BASE_DIR / "node_modules"),
        "PLAYER_STATIC": str(BASE_DIR / "player_static"),
        **_session_settings(env),
        **_throttle_settings(env, broker_url, database_url, instance),
        **_audit_settings(env),
        **mail_settings(env, instance),
        **observability_settings(env),
        # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto/-Host to trust
        # (0 = none; the client address and the scheme are then the socket's).
        "TRUSTED_PROXY_HOPS": _env_int(env, "TRUSTED_PROXY_HOPS", 0),
        # Strict-Transport-Security max-age, sent on HTTPS responses only (0 = off).
        "HSTS_SECONDS": _env_int(env, "HSTS_SECONDS", 365 * 86400),
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in one place for every unsafe request
        "WTF_CSRF_TIME_LIMIT": None,
    }


def engine_options(env: dict[str, str], database_url: str, worker: bool = False) -> dict[str, Any]:
    """SQLAlchemy engine options: a pool as large as the server's threads, and bounded
    waits for a connection, a connect and (PostgreSQL) a statement.

    Every one of granian's ``WEB_THREADS`` request threads may hold a connection, and the
    heartbeat writer holds one more: the pool is the threads plus ``DB_POOL_OVERFLOW``.
    A request finds no connection for ``DB_POOL_TIMEOUT`` seconds → 503. The Celery
    worker (``worker``: webapp/jobs/worker.py) runs report exports, transcodes and
    sweeps, longer than any page: it gets ``DB_WORKER_STATEMENT_TIMEOUT_MS``.
    """
    options: dict[str, Any] = {"pool_pre_ping": True}
    memory = database_url.startswith("sqlite") and (
        ":memory:" in database_url or database_url.rstrip("/") == "sqlite:"
    )
    if not memory:  # an in-memory SQLite database has one connection per thread, no queue
        options |= {
            "pool_size": _env_int(env, "WEB_THREADS", 32),
            "max_overflow": _env_int(env, "DB_POOL_OVERFLOW", 4),
            "pool_timeout": _env_int(env, "DB_POOL_TIMEOUT", 10),
        }
    if database_url.startswith("postgresql"):
        name = "DB_WORKER_STATEMENT_TIMEOUT_MS" if worker else "DB_STATEMENT_TIMEOUT_MS"
        statement_ms = _env_int(env, name, 600_000 if worker else 30_000)
        options["connect_args"] = {
            "connect_timeout": _env_int(env, "DB_CONNECT_TIMEOUT", 5),
            "options": f"-c statement_timeout={statement_ms}",
        }
    return options


def _outage_settings(env: dict[str, str]) -> dict[str, Any]:
    """How long a web request may wait for the object store (the worker's client waits
    longer, ``worker_overrides``), and the Retry-After of the 503 an outage answers."""
    return {
        "S3_CONNECT_TIMEOUT": float(env.get("S3_CONNECT_TIMEOUT") or 2),
        "S3_READ_TIMEOUT": float(env.get("S3_READ_TIMEOUT") or 5),
        "S3_MAX_ATTEMPTS": _env_int(env, "S3_MAX_ATTEMPTS", 2),
        "OUTAGE_RETRY_AFTER_SECONDS": _env_int(env, "OUTAGE_RETRY_AFTER_SECONDS", 5),
    }


def worker_overrides(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings of the Celery worker and beat that differ from the web server's: a
    longer statement timeout, and S3 calls that wait and retry longer (a task can
    afford to, a request holding a browser cannot)."""
    env = dict(os.environ if env is None else env)
    database_url = _normalise_db_url(env.get("DATABASE_URL") or "sqlite:///worker.sqlite")
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env, database_url, worker=True),
        "S3_CONNECT_TIMEOUT": float(env.get("S3_WORKER_CONNECT_TIMEOUT") or 5),
        "S3_READ_TIMEOUT": float(env.get("S3_WORKER_READ_TIMEOUT") or 60),
        "S3_MAX_ATTEMPTS": _env_int(env, "S3_WORKER_MAX_ATTEMPTS", 5),
    }


def _session_settings(env: dict[str, str]) -> dict[str, Any]:
    """Cookie flags for the session and the remember-me cookie.

    ``Secure`` (and the ``__Host-`` name prefix, which browsers only accept on Secure,
    host-only, path-``/`` cookies) is on when ``SESSION_COOKIE_SECURE`` says so or, by
    default, when ``PREFERRED_URL_SCHEME=https``. It stays off for ``make run`` on
    http://localhost, where browsers would drop a Secure cookie.
    """
    scheme = env.get("PREFERRED_URL_SCHEME", "http").strip().lower() or "http"
    secure = _env_bool(env, "SESSION_COOKIE_SECURE", scheme == "https")
    prefix = "__Host-" if secure else ""
    return {
        "PREFERRED_URL_SCHEME": scheme,
        "SESSION_COOKIE_NAME": f"{prefix}session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_NAME": f"{prefix}remember_token",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # "Keep me signed in" lasts this long at most (Flask-Login's default is 365 days).
        "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int(env, "REMEMBER_DAYS", 14)),
        # A browser session ends after this long without a request (0: never).
        "SESSION_IDLE_MINUTES": _env_int(env, "SESSION_IDLE_MINUTES", 120),
        # ... and this long after it began, however active (0: only REMEMBER_DAYS caps it).
        "SESSION_ABSOLUTE_HOURS": _env_int(env, "SESSION_ABSOLUTE_HOURS", 12),
    }


def _audit_settings(env: dict[str, str]) -> dict[str, Any]:
    """The audit trail (webapp/audit/): when 403s become one "forbidden.burst" event."""
    return {
        # This many 403 answers to one user (or signed-out address) within the window
        # make one event; counted in each web process's memory.
        "AUDIT_FORBIDDEN_BURST": _env_int(env, "AUDIT_FORBIDDEN_BURST", 10),
        "AUDIT_FORBIDDEN_WINDOW": _env_int(env, "AUDIT_FORBIDDEN_WINDOW", 60),
        # Rows per page of /admin/audit.
        "AUDIT_PAGE_SIZE": _env_int(env, "AUDIT_PAGE_SIZE", 50),
    }


def _throttle_settings(
    env: dict[str, str], broker_url: str, database_url: str, instance: Path
) -> dict[str, Any]:
    """Sign-in throttling (webapp/auth/throttle.py) and its ``limits`` storage.

    Failed sign-ins are counted per account and per client address, in Redis when
    ``RATELIMIT_STORAGE_URI`` or ``REDIS_URL`` (or else the Celery broker) names Redis;
    otherwise in SQL (webapp/auth/sql_limits.py): the app's PostgreSQL database, or on
    SQLite a file of its own beside it. Either way every web process shares the counts
    (``memory://`` keeps them per process, for a single process only).
    """
    redis_url = next(
        (
            url
            for url in (env.get("REDIS_URL"), broker_url)
            if url and url.startswith(("redis://", "rediss://"))
        ),
        None,
    )
    sql = (
        f"sqla+{database_url}"
        if database_url.startswith("postgresql")
        else f"sqla+sqlite:///{instance / 'throttle.sqlite'}"
    )
    storage = env.get("RATELIMIT_STORAGE_URI") or redis_url or sql
    return {
        "RATELIMIT_ENABLED": _env_bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_STORAGE_OPTIONS": (
            {
                "socket_timeout": BROKER_SOCKET_TIMEOUT,
                "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
            }
            if storage.startswith(("redis://", "rediss://"))
            else {}
        ),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_KEY_PREFIX": "learnstream",
        # Limits in the notation of ``limits`` ("5 per minute"); several may be joined with ";".
        "SIGNIN_LIMIT_PER_ACCOUNT": env.get("SIGNIN_LIMIT_PER_ACCOUNT") or "5 per minute",
        "SIGNIN_LIMIT_PER_ADDRESS": env.get("SIGNIN_LIMIT_PER_ADDRESS") or "20 per minute",
        # Password-reset and confirmation e-mails asked for, per address and per client.
        "ACCOUNT_MAIL_LIMIT_PER_ADDRESS": env.get("ACCOUNT_MAIL_LIMIT_PER_ADDRESS")
        or "3 per 15 minutes",
        "ACCOUNT_MAIL_LIMIT_PER_CLIENT": env.get("ACCOUNT_MAIL_LIMIT_PER_CLIENT")
        or "20 per 15 minutes",
    }


def observability_settings(env: dict[str, str]) -> dict[str, Any]:
    """Logs, metrics and error reports (webapp/observability/, docs/deploy.md).

    ``LOG_FORMAT``: ``json`` (one object per line, the default) or ``console`` (readable,
    what ``make run`` uses). ``METRICS_TOKEN``: a bearer token that opens ``/metrics`` to
    a scraper that is not on loopback (empty: loopback only). ``WORKER_METRICS_PORT``: the
    Celery worker serves its own metrics there (0: off). ``SENTRY_DSN``: errors go to
    Sentry (empty: Sentry is not even imported).
    """
    log_format = (env.get("LOG_FORMAT") or "json").strip().lower()
    if log_format not in ("json", "console"):
        raise ValueError(f"LOG_FORMAT must be json or console, not {log_format!r}")
    return {
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").strip().upper(),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "WORKER_METRICS_PORT": _env_int(env, "WORKER_METRICS_PORT", 0),
        "WORKER_METRICS_HOST": env.get("WORKER_METRICS_HOST") or "127.0.0.1",
        "SENTRY_DSN": env.get("SENTRY_DSN", "").strip(),
        "SENTRY_ENVIRONMENT": env.get("SENTRY_ENVIRONMENT") or "production",
        "SENTRY_TRACES_SAMPLE_RATE": float(env.get("SENTRY_TRACES_SAMPLE_RATE") or "0"),
    }


def _transport_options(broker_url: str) -> dict[str, Any]:
    # Redis redelivers unacknowledged (acks_late) tasks after the visibility timeout; it
    # must exceed the longest transcode or a second worker would start the same job.
    # (The SQLAlchemy transport passes its options to create_engine, so none there.)
    # Without socket timeouts a publish to a frozen or half-open Redis blocks the request
    # forever; with them it fails, the job stays QUEUED and the sweeper sends it later.
    if broker_url.startswith(("redis://", "rediss://")):
        return {
            "visibility_timeout": 12 * 3600,
            "socket_timeout": BROKER_SOCKET_TIMEOUT,
            "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
        }
    return {}


def _dev_secret(instance: Path) -> str:
    """A per-install random secret kept under instance/, so sessions survive restarts.

    Several processes start at once (``make run``: web and worker; the test suite): the
    key is written whole to a temp file and hard-linked into place, which fails for all
    but the first, so nobody ever reads a half-written or empty file.
    """
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(os.urandom(32).hex())
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process linked its key first: everybody uses that one
        finally:
            os.unlink(tmp)
    return _read_secret(path)


def _read_secret(path: Path, wait_seconds: float = 5.0) -> str:
    """The key in ``path``; an empty file (left by a crash of an older version that wrote
    in place) is waited for briefly, then reported instead of used."""
    deadline = time.monotonic() + wait_seconds
    while True:
        key = path.read_text().strip()
        if key:
            return key
        if time.monotonic() > deadline:
            raise UnsafeSettings(f"{path} is empty: delete it and start again (a new key is made).")
        time.sleep(0.05)


def _environment(env: dict[str, str]) -> str:
    name = (env.get("LEARNSTREAM_ENV") or "development").strip().lower()
    if name not in ENVIRONMENTS:
        raise ValueError(f"LEARNSTREAM_ENV must be development or production, not {name!r}")
    return name


def is_production(settings: dict[str, Any]) -> bool:
    """Whether ``settings`` are those of a production install (``LEARNSTREAM_ENV``)."""
    return settings.get("LEARNSTREAM_ENV") == "production"


def weak_secret_reason(value: str | bytes | None) -> str | None:
    """Why ``value`` is not good enough as a production secret, or None if it is."""
    raw = value.encode() if isinstance(value, str) else (value or b"")
    text = raw.decode("utf-8", "replace").strip().lower()
    if not raw:
        return "it is not set"
    if len(raw) < MIN_SECRET_KEY_BYTES:
        return f"it is {len(raw)} bytes long, fewer than {MIN_SECRET_KEY_BYTES}"
    if text in KNOWN_DEFAULT_SECRETS or any(word in text for word in _PLACEHOLDER_WORDS):
        return "it is a published example or placeholder"
    if len(set(raw)) < 8:
        return "it repeats a handful of characters"
    return None


def refuse_unsafe_settings(settings: dict[str, Any]) -> None:
    """In production, stop with a clear message when ``SECRET_KEY`` is missing or weak,
    or a shipped default is still in use for the database or S3. Development passes."""
    if not is_production(settings):
        return
    problems = []
    reason = weak_secret_reason(settings.get("SECRET_KEY"))
    if reason:
        problems.append(
            f"SECRET_KEY is unusable: {reason}. Generate one with "
            "`python3 deploy/make_env.py --env-file .env` or "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    if (settings.get("S3_SECRET_ACCESS_KEY") or "") in KNOWN_DEFAULT_SECRETS:
        problems.append("S3_SECRET_ACCESS_KEY is a published default; generate a new one.")
    password = urlsplit(settings.get("SQLALCHEMY_DATABASE_URI") or "").password
    if password is not None and unquote(password) in KNOWN_DEFAULT_SECRETS:
        problems.append("The DATABASE_URL password is a published default; generate a new one.")
    if problems:
        raise UnsafeSettings(
            "Refusing to start in production mode (LEARNSTREAM_ENV=production): "
            + " ".join(problems)
            + ' See docs/deploy.md, "Production mode".'
        )


def _enrolment_settings(env: dict[str, str]) -> dict[str, Any]:
    """Fees: the payment provider (``manual``: bank transfer recorded by an admin; see
    webapp/enrolment/payments.py) and the seller printed on every invoice."""
    return {
        "PAYMENT_PROVIDER": env.get("PAYMENT_PROVIDER") or "manual",
        "SELLER_NAME": env.get("SELLER_NAME") or "Learnstream",
        "SELLER_ADDRESS": env.get("SELLER_ADDRESS") or "",
        "SELLER_VAT_ID": env.get("SELLER_VAT_ID") or "",
        "SELLER_BANK_DETAILS": env.get("SELLER_BANK_DETAILS") or "",
    }
