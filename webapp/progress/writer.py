"""Group commit for heartbeats: a beat is acknowledged once its transaction committed.

One writer thread per process takes every beat that arrived while the previous
transaction was committing (or within a few milliseconds of the first one) and stores
them in the next one, so a busy server commits (and waits for the disk) once per batch
instead of once per beat. Request threads block on their beat's slot. A batch that
fails is retried (deadlock, another process creating the same row first), then split
into single beats so one bad beat cannot fail the others; a beat that still fails, or
waits longer than the timeout, is reported as ``WriterUnavailable`` (HTTP 503), and the
player sends it again: beats are idempotent.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

from flask import Flask, current_app
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.progress.beats import BadHeartbeat
from webapp.progress.rules import Standing
from webapp.progress.store import AccountInactive, LostRace, Outcome, Pending, write_batch

log = logging.getLogger(__name__)
ATTEMPTS = 3
EXTENSION = "progress_writer"
_create_lock = threading.Lock()


class WriterUnavailable(RuntimeError):
    """The beat could not be stored now; the client should send it again."""


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
        self.outcome = outcome
        self.done.release()


class BeatWriter:
    """Collects beats from request threads and commits them in batches."""

    def __init__(self, engine: Engine, max_batch: int, linger: float, timeout: float) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._linger = linger
        self._timeout = timeout
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Pending, _Slot] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None
        self._pid = 0

    def submit(self, item: Pending) -> Standing:
        """Store ``item`` durably; its standing afterwards, or BadHeartbeat (or
        AccountInactive) if refused."""
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
                self._conn = None  # the parent's socket is not ours to use
                self._pid = os.getpid()
                self._thread = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=EXTENSION, daemon=True)
                self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Store what is queued, then stop the thread and close its connection."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while (first := self._queue.get()) is not None:
                batch, stop = [first], False
                # Linger a moment for company: a commit costs the same for one beat or fifty.
                until = time.monotonic() + self._linger
                while len(batch) < self._max_batch:
                    try:
                        item = self._queue.get(timeout=max(0.0, until - time.monotonic()))
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                self._settle(batch)
                if stop:
                    break
                if self._queue.empty():
                    self._release()
        finally:
            self._release()

    def _release(self) -> None:
        # Idle: hand the connection back to the pool (which closes it on dispose).
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _settle(self, batch: list[tuple[Pending, _Slot]]) -> None:
        try:
            outcomes = self._commit([item for item, _ in batch])
        except Exception:
            if len(batch) > 1:
                for one in batch:
                    self._settle([one])
                return
            log.exception("heartbeat not stored")
            batch[0][1].settle(WriterUnavailable("the heartbeat could not be stored"))
            return
        for (_, slot), outcome in zip(batch, outcomes, strict=True):
            slot.settle(outcome)

    def _connection(self) -> Connection:
        # While busy the writer keeps its connection: no pool checkout, ping and reset
        # per batch.
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _commit(self, items: list[Pending]) -> list[Outcome]:
        for attempt in range(1, ATTEMPTS + 1):
            conn = self._connection()
            try:
                with conn.begin():
                    return write_batch(conn, items)
            except (LostRace, OperationalError):
                if attempt == ATTEMPTS:
                    raise
                log.info("heartbeat batch of %d retried (attempt %d)", len(items), attempt)
        raise AssertionError("unreachable")


def sqlite_immediate(engine: Engine) -> Engine:
    """A private SQLite engine whose transactions take the write lock at BEGIN, so the
    rows a batch reads cannot change before it writes them (SQLAlchemy's documented
    recipe: the driver's own BEGIN handling off, ours on)."""
    own = create_engine(engine.url)

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
                writer = BeatWriter(
                    engine,
                    app.config["HEARTBEAT_BATCH_MAX"],
                    app.config["HEARTBEAT_BATCH_LINGER_MS"] / 1000,
                    app.config["HEARTBEAT_COMMIT_TIMEOUT_SECONDS"],
                )
                app.extensions[EXTENSION] = writer
    return writer
