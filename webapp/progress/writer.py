"""Group commit for heartbeats: a beat is acknowledged once its transaction committed.

One writer thread per process takes every beat that arrived while the previous
transaction was committing (or within a few milliseconds of the first one) and stores
them in the next one, so a busy server commits (and waits for the disk) once per batch
instead of once per beat. Request threads block on their beat's slot. A batch that
fails is retried (deadlock, another process creating the same row first), then split
into single beats so one bad beat cannot fail the others; a beat that still fails, or
waits longer than the timeout, is reported as ``WriterUnavailable`` (HTTP 503), and the
player sends it again: beats are idempotent.

Bounded under outages: at most ``max_queue`` beats wait in a process (queued, or kept
through a database outage); past that a beat is refused at once (``WriterFull``, 503
with Retry-After) and the player keeps it. When the database is away (connection
refused or lost, statement timeout: ``database_unavailable``) a batch is not dropped:
its requests are answered 503 at once and its beats stay at the head of the queue,
tried again with back-off until the database is back, then stored in arrival order
with the time each was received (``Pending.received_at``), so the watched time credited
is what it would have been without the outage (``rules.py``).

Nothing acknowledged is lost when a web worker stops: a beat is acknowledged only once
committed, and the server (granian) answers every request in flight before the worker
exits. ``close`` stores what is still queued or kept (within its timeout); a forked
granian worker ends with ``os._exit``, so no atexit hook would run there anyway.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Collection, Iterable
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from webapp.dbsetup import database_unavailable
from webapp.extensions import db
from webapp.observability.metrics import (
    HEARTBEAT_BATCH_SIZE,
    HEARTBEAT_COMMIT_SECONDS,
    HEARTBEAT_QUEUE,
)
from webapp.progress.beats import BadHeartbeat
from webapp.progress.rows import ModuleKey
from webapp.progress.rules import Standing
from webapp.progress.store import AccountInactive, LostRace, Outcome, Pending, write_batch

log = logging.getLogger(__name__)
ATTEMPTS = 3
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0  # seconds between tries while the database is away
EXTENSION = "progress_writer"
_create_lock = threading.Lock()


class Watch(Protocol):
    """Who wants to know when a committed batch took a module past a watched share
    (the certificate rules)."""

    def shares(self, conn: Connection) -> Collection[float]:
        """The shares that matter now (cheap: cached by the watcher)."""
        ...

    def reached(self, keys: Iterable[ModuleKey]) -> None:
        """Called after the commit with the modules whose share was crossed."""
        ...


class WriterUnavailable(RuntimeError):
    """The beat could not be stored now; the client should send it again."""


class WriterOutage(WriterUnavailable):
    """The database is away, or ``max_queue`` beats wait already: send it again later
    (``OUTAGE_RETRY_AFTER_SECONDS``), not at once."""


class WriterFull(WriterOutage):
    """``max_queue`` beats are already waiting: this one is not taken at all."""


class _Slot:
    """Where the writer leaves one beat's outcome; ``done`` is released once it is there.

    A bare lock rather than a ``concurrent.futures.Future`` (a condition variable, a
    lock and a list per beat): the heartbeat is the request the server sees most.
    """

    __slots__ = ("done", "outcome")

    def __init__(self) -> None:
        self.done = threading.Lock()
        self.done.acquire()
        self.outcome: Outcome | WriterUnavailable | None = None

    def settle(self, outcome: Outcome | WriterUnavailable) -> None:
        # A beat kept through an outage was answered 503 already: its later outcome
        # (stored) has no one waiting for it.
        if self.outcome is None:
            self.outcome = outcome
            self.done.release()


class BeatWriter:
    """Collects beats from request threads and commits them in batches."""

    def __init__(
        self,
        engine: Engine,
        max_batch: int,
        linger: float,
        timeout: float,
        watch: Watch | None = None,
        max_queue: int = 2000,
    ) -> None:
        self._engine = engine
        self._max_queue = max_queue
        self._watch = watch
        self._max_batch = max_batch
        self._linger = linger
        self._timeout = timeout
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Pending, _Slot] | None] = queue.SimpleQueue()
        # Beats of batches the database refused (outage), oldest first: tried before the queue.
        self._kept: deque[tuple[Pending, _Slot]] = deque()
        self._backoff = 0.0
        self._stopping = threading.Event()
        self._deadline = 0.0
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None
        self._pid = 0

    def submit(self, item: Pending) -> Standing:
        """Store ``item`` durably; its standing afterwards, or BadHeartbeat (or
        AccountInactive) if refused."""
        if self.backlog() >= self._max_queue:
            raise WriterFull("too many heartbeats are waiting to be stored")
        slot = _Slot()
        self._start()
        self._queue.put((item, slot))
        if not slot.done.acquire(timeout=self._timeout):
            raise WriterUnavailable("the heartbeat was not stored in time")
        outcome = slot.outcome
        if isinstance(outcome, BadHeartbeat | WriterUnavailable | AccountInactive):
            raise outcome
        assert outcome is not None
        return outcome

    def _start(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid != os.getpid():  # a forked child does not inherit the thread
                self._queue = queue.SimpleQueue()
                self._kept = deque()
                self._conn = None  # the parent's socket is not ours to use
                self._pid = os.getpid()
                self._thread = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=EXTENSION, daemon=True)
                self._thread.start()

    def backlog(self) -> int:
        """Beats waiting in this process: queued, or kept through an outage."""
        return self._queue.qsize() + len(self._kept)

    def close(self, timeout: float = 10.0) -> None:
        """Store what is queued or kept (trying for ``timeout`` seconds at most while the
        database is away), then stop the thread and close its connection."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._deadline = time.monotonic() + timeout
            self._stopping.set()
            self._queue.put(None)  # wakes a writer waiting for beats
            thread.join(timeout + 1)
        self._stopping = threading.Event()

    def _take(self, timeout: float | None) -> tuple[Pending, _Slot] | None:
        """The next queued beat; None if none came within ``timeout`` (None: wait until
        one comes, or ``close`` wakes the writer)."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _gather(self) -> list[tuple[Pending, _Slot]]:
        """The next batch from the queue (empty if none came, or when stopping)."""
        first = self._take(0.0 if self._stopping.is_set() else None)
        if first is None:
            return []
        batch = [first]
        # Linger a moment for company: a commit costs the same for one beat or fifty.
        until = time.monotonic() + self._linger
        while len(batch) < self._max_batch:
            item = self._take(max(0.0, until - time.monotonic()))
            if item is None:
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        try:
            while True:
                if self._kept:
                    # Kept beats stay counted in the backlog until stored: the bound holds.
                    batch = list(itertools.islice(self._kept, self._max_batch))
                    stored = self._settle(batch)
                    if stored:
                        for _ in batch:
                            self._kept.popleft()
                else:
                    batch = self._gather()
                    if not batch:
                        if self._stopping.is_set() and self.backlog() == 0:
                            break
                        continue
                    stored = self._settle(batch)
                    if not stored:
                        self._kept.extend(batch)
                if not stored:
                    self._keep_queued()
                HEARTBEAT_QUEUE.set(self.backlog())  # once per batch, not per beat
                if stored:
                    self._backoff = 0.0
                    if self.backlog() == 0:
                        self._release()
                    continue
                if self._stopping.is_set() and time.monotonic() > self._deadline:
                    break
                self._backoff = min(BACKOFF_MAX, max(BACKOFF_FIRST, self._backoff * 2))
                self._stopping.wait(self._backoff)
        finally:
            if self._kept:
                log.warning(
                    "%d heartbeat(s) not stored at shutdown (answered 503)", len(self._kept)
                )
            self._release()

    def _release(self) -> None:
        # Idle: hand the connection back to the pool (which closes it on dispose).
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _settle(self, batch: list[tuple[Pending, _Slot]]) -> bool:
        """Store ``batch`` and tell its requests; False if the database is away (the
        caller keeps the beats for the next try; their requests are answered 503 now)."""
        try:
            outcomes = self._commit([item for item, _ in batch])
        except (OperationalError, PoolTimeout) as exc:
            if isinstance(exc, PoolTimeout) or database_unavailable(exc):
                log.warning("database unavailable, %d heartbeat(s) kept: %s", len(batch), exc)
                self._release()
                return False
            self._split(batch)
            return True
        except Exception:
            self._split(batch)
            return True
        for (_, slot), outcome in zip(batch, outcomes, strict=True):
            slot.settle(outcome)
        return True

    def _keep_queued(self) -> None:
        """The database is away: keep every queued beat too, and answer every kept
        beat's request now (503) rather than after its commit timeout."""
        while (item := self._take(0.0)) is not None:
            self._kept.append(item)
        for _, slot in self._kept:
            slot.settle(WriterOutage("the database is unavailable right now"))

    def _split(self, batch: list[tuple[Pending, _Slot]]) -> None:
        if len(batch) > 1:
            for one in batch:
                self._settle([one])
            return
        log.exception("heartbeat not stored")
        batch[0][1].settle(WriterUnavailable("the heartbeat could not be stored"))

    def _connection(self) -> Connection:
        # While busy the writer keeps its connection: no pool checkout, ping and reset
        # per batch.
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _commit(self, items: list[Pending]) -> list[Outcome]:
        started = time.perf_counter()
        outcomes = self._commit_with_retries(items)
        HEARTBEAT_COMMIT_SECONDS.observe(time.perf_counter() - started)
        HEARTBEAT_BATCH_SIZE.observe(len(items))
        return outcomes

    def _commit_with_retries(self, items: list[Pending]) -> list[Outcome]:
        for attempt in range(1, ATTEMPTS + 1):
            reached: set[ModuleKey] = set()
            try:
                conn = self._connection()
                with conn.begin():
                    shares = self._watch.shares(conn) if self._watch is not None else ()
                    outcomes = write_batch(conn, items, shares, reached)
            except (LostRace, OperationalError):
                if attempt == ATTEMPTS:
                    raise
                log.info("heartbeat batch of %d retried (attempt %d)", len(items), attempt)
                continue
            if reached and self._watch is not None:
                try:
                    self._watch.reached(sorted(reached, key=ModuleKey.sort_key))
                except Exception:  # the beats are stored; never fail them for this
                    log.exception("certificate check of %d module(s) not queued", len(reached))
            return outcomes
        raise AssertionError("unreachable")


def sqlite_immediate(engine: Engine, **options: Any) -> Engine:
    """A private SQLite engine whose transactions take the write lock at BEGIN, so the
    rows a batch reads cannot change before it writes them (SQLAlchemy's documented
    recipe: the driver's own BEGIN handling off, ours on)."""
    own = create_engine(engine.url, **options)

    @event.listens_for(own, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(own, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return own


def get_writer(app: Flask | None = None) -> BeatWriter:
    """The app's writer in this process, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug types the proxy as Flask
    writer = app.extensions.get(EXTENSION)
    if writer is None:
        with _create_lock:
            writer = app.extensions.get(EXTENSION)
            if writer is None:
                with app.app_context():
                    engine = db.engine
                if engine.dialect.name == "sqlite":
                    engine = sqlite_immediate(engine)
                from webapp.certificates.events import CertificateWatch

                writer = BeatWriter(
                    engine,
                    app.config["HEARTBEAT_BATCH_MAX"],
                    app.config["HEARTBEAT_BATCH_LINGER_MS"] / 1000,
                    app.config["HEARTBEAT_COMMIT_TIMEOUT_SECONDS"],
                    CertificateWatch(app, app.config["COMPLETION_SHARE"]),
                    app.config["HEARTBEAT_QUEUE_MAX"],
                )
                app.extensions[EXTENSION] = writer
    return writer
