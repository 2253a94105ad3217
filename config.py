"""Settings read from the environment, with embedded defaults.

With no environment at all the app runs on SQLite, local-disk storage and Celery's
SQLite broker, everything under ``instance/``. ``DATABASE_URL``, ``CELERY_BROKER_URL``
and the ``S3_*`` variables switch to PostgreSQL, Redis and an S3-compatible store.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent
BROKER_SOCKET_TIMEOUT = 5.0  # seconds; above kombu's 1 s BRPOP poll, so idle workers never trip it


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


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
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _dev_secret(instance),
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
            },
        },
        # Uploads: the request body cap, and the caps ffprobe enforces before any transcode.
        "MAX_CONTENT_LENGTH": _env_int(env, "MAX_UPLOAD_BYTES", 2 * 1024**3),
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
        "COMPLETION_SHARE": float(env.get("COMPLETION_SHARE", "0.9")),
        # Heartbeats are committed in batches (webapp/progress/writer.py): at most this
        # many per transaction, gathered for at most this long after the first, and a
        # request waits this long for its batch's commit.
        "HEARTBEAT_BATCH_MAX": _env_int(env, "HEARTBEAT_BATCH_MAX", 500),
        "HEARTBEAT_BATCH_LINGER_MS": _env_int(env, "HEARTBEAT_BATCH_LINGER_MS", 10),
        "HEARTBEAT_COMMIT_TIMEOUT_SECONDS": _env_int(env, "HEARTBEAT_COMMIT_TIMEOUT_SECONDS", 10),
        # Lifetime of the signed grant that spares a heartbeat the access checks.
        "HEARTBEAT_GRANT_SECONDS": _env_int(env, "HEARTBEAT_GRANT_SECONDS", 900),
        "API_TOKEN_DAYS": _env_int(env, "API_TOKEN_DAYS", 30),
        "INVITATION_DAYS": _env_int(env, "INVITATION_DAYS", 7),
        # Check every API answer against the OpenAPI document (the test suite turns it on).
        "API_VALIDATE_RESPONSES": _env_bool(env, "API_VALIDATE_RESPONSES", False),
        # Lifetime of the signed segment/thumbnail links inside playlists (1 to 10080).
        "MEDIA_URL_TTL_MINUTES": _env_int(env, "MEDIA_URL_TTL_MINUTES", 30),
        "NODE_MODULES": env.get("NODE_MODULES") or str(BASE_DIR / "node_modules"),
        "PLAYER_STATIC": str(BASE_DIR / "player_static"),
        **_session_settings(env),
        **_throttle_settings(env, broker_url),
        **mail_settings(env, instance),
        # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto/-Host to trust
        # (0 = none; the client address and the scheme are then the socket's).
        "TRUSTED_PROXY_HOPS": _env_int(env, "TRUSTED_PROXY_HOPS", 0),
        # Strict-Transport-Security max-age, sent on HTTPS responses only (0 = off).
        "HSTS_SECONDS": _env_int(env, "HSTS_SECONDS", 180 * 86400),
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in one place for every unsafe request
        "WTF_CSRF_TIME_LIMIT": None,
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
    }


def _throttle_settings(env: dict[str, str], broker_url: str) -> dict[str, Any]:
    """Sign-in throttling (webapp/auth/throttle.py) and its ``limits`` storage.

    Failed sign-ins are counted per account and per client address, in Redis when
    ``RATELIMIT_STORAGE_URI`` or ``REDIS_URL`` (or else the Celery broker) names Redis, so
    that every web process shares the counts; otherwise in each process's memory.
    """
    redis_url = next(
        (
            url
            for url in (env.get("REDIS_URL"), broker_url)
            if url and url.startswith(("redis://", "rediss://"))
        ),
        None,
    )
    storage = env.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://"
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
    """A per-install random secret kept under instance/, so sessions survive restarts."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(os.urandom(32).hex())
    return path.read_text().strip()
