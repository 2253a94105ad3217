"""How many heartbeats per second does the app store durably? Against /healthz, same server.

On a throwaway PostgreSQL database (``bench_heartbeats``: created, migrated, dropped at
the end) it seeds ``rate x period`` learners, each with an API token and one of
``--videos`` one-hour READY recordings (with their catalogue modules), starts the app
under granian (what we deploy; ``--http-server gunicorn`` for the old server) and,
from a second process (asyncio, raw HTTP/1.1
keep-alive connections, no extra packages), measures in turn:

* ``healthz``: ``GET /healthz`` (database, storage, broker and ffmpeg checks) in a
  closed loop for ``--baseline-seconds``: what the same server answers per second;
* ``api_404``: ``GET`` of an unknown API path, a constant JSON answer: the framework's
  floor on this server;
* ``warmup``: every learner's first heartbeat (the full access checks, a new row),
  offered at ``--warmup-rate``;
* ``steps`` (``--find-max``): the rate stepped up, ``--step-seconds`` each;
* ``beats``: the measured run: ``PUT /api/v1/videos/<id>/progress`` offered at a fixed
  ``--rate`` for ``--seconds`` (open loop), each learner beating every ``--period``
  seconds with the interval it "played" since its previous beat, a session id, a
  sequence number and the grant of its previous answer, as the web player does.
  Latency runs from the moment a beat was due, not from when a connection was free, so
  a server that falls behind shows it in the percentiles (no coordinated omission).

Every run also reports the CPU it cost per request (the server and its workers, the
PostgreSQL backends of the bench database, the load process), and the rate two
dedicated cores would allow at that cost: the machine is shared, so throughput alone
says as much about the neighbours as about the app.

After the load it checks that every acknowledged beat is stored: per learner the stored
sequence number is at least the last acknowledged one and the stored watched seconds
at least the acknowledged played seconds (equal when nothing failed), the
``watch_days`` rows add up to the watched seconds, and each learner counted one viewer.
With ``--baseline gunicorn`` the whole run (a fresh database, the same seed and load) is
made first under the baseline server, then under ``--http-server``, back to back in
this process, and the line carries both and their ratios (``ratio_to_baseline``): on a
shared machine only ratios of runs made together compare.
Prints one JSON line and writes it to ``bench/results/heartbeats-<timestamp>.json``::

    .venv/bin/python -m bench.heartbeats [--rate 2000] [--seconds 60] [--workers 4] [--threads 32]
        [--pool 40] [--find-max --steps 1000,1500,2000] [--http-server gunicorn]
        [--baseline gunicorn]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.app_server import SERVERS, app_server, server_argv

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DATABASE = "bench_heartbeats"
VIDEO_SECONDS = 3600.0
REQUEST_TIMEOUT = 10.0


# --------------------------------------------------------------------------- database


def _admin(server: str, sql: str) -> None:
    import psycopg  # noqa: PLC0415  (only the orchestrator needs the driver directly)

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """``bench_heartbeats`` on ``server``, created empty and dropped afterwards."""
    _admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _admin(server, f"CREATE DATABASE {DATABASE}")
    try:
        yield f"{server}/{DATABASE}"
    finally:
        _admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@dataclass(frozen=True)
class Viewer:
    """One simulated learner watching one recording."""

    token: str
    video_id: int


def seed(viewers: int, videos: int) -> list[Viewer]:
    """Migrate the database named by DATABASE_URL and bulk-insert the bench's rows."""
    from flask_migrate import upgrade  # noqa: PLC0415  (after DATABASE_URL is set)
    from sqlalchemy import insert  # noqa: PLC0415

    from webapp import create_app  # noqa: PLC0415
    from webapp.auth.passwords import hash_password  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415
    from webapp.models import ApiToken, Module, User, Video  # noqa: PLC0415

    app = create_app()
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        password = hash_password("bench-password-1")
        user = {"name": "", "password_hash": password, "active": True, "created_at": now}
        db.session.execute(
            insert(User), [{**user, "email": "owner@bench.example", "role": "instructor"}]
        )
        db.session.execute(
            insert(User),
            [
                {**user, "email": f"viewer{i}@bench.example", "role": "learner"}
                for i in range(viewers)
            ],
        )
        ids = {email: uid for email, uid in db.session.execute(db.select(User.email, User.id))}
        owner_id = ids["owner@bench.example"]
        learner_ids = [ids[f"viewer{i}@bench.example"] for i in range(viewers)]
        video_rows = [
            {
                "title": f"Bench lesson {i}",
                "description": "",
                "owner_id": owner_id,
                "state": "ready",
                "duration": VIDEO_SECONDS,
                "source_filename": "",
                "hls_prefix": f"videos/bench/{i}",
                "created_at": now,
            }
            for i in range(videos)
        ]
        db.session.execute(insert(Video), video_rows)
        video_ids = db.session.scalars(db.select(Video.id).order_by(Video.id)).all()
        db.session.execute(
            insert(Module),
            [
                {
                    "video_id": vid,
                    "title": f"Bench lesson {vid}",
                    "description": "",
                    "level": "foundation",
                    "tags": [],
                    "duration": VIDEO_SECONDS,
                    "listed": True,
                    "views": 0,
                    "created_at": now,
                }
                for vid in video_ids
            ],
        )
        tokens = [secrets.token_urlsafe(32) for _ in learner_ids]
        db.session.execute(
            insert(ApiToken),
            [
                {
                    "user_id": uid,
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
                for uid, token in zip(learner_ids, tokens, strict=True)
            ],
        )
        db.session.commit()
        db.engine.dispose()
    return [Viewer(t, video_ids[i % len(video_ids)]) for i, t in enumerate(tokens)]


def stored(viewers: int) -> dict[str, Any]:
    """Per learner (in seeding order): stored sequence and watched seconds; day totals."""
    import psycopg  # noqa: PLC0415

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT u.email, p.beat_seq, p.watched_seconds FROM watch_progress p "
            "JOIN users u ON u.id = p.user_id"
        ).fetchall()
        days = conn.execute("SELECT coalesce(sum(seconds), 0) FROM watch_days").fetchone()[0]
        views = conn.execute("SELECT coalesce(sum(views), 0) FROM modules").fetchone()[0]
    seq = [-1] * viewers
    watched = [0.0] * viewers
    for email, beat_seq, seconds in rows:
        index = int(email.removeprefix("viewer").partition("@")[0])
        seq[index], watched[index] = beat_seq, seconds
    return {"seq": seq, "watched": watched, "days": days, "rows": len(rows), "views": views}


# --------------------------------------------------------------------------- load


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        """Connect to the server on loopback."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, str | None]:
        """Send one request, read the whole response; its status and heartbeat grant."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, grant = 0, None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"x-heartbeat-grant":
                grant = value.strip().decode()
        await self.reader.readexactly(length)
        return status, grant

    def close(self) -> None:
        """Drop the connection."""
        self.writer.close()


class Pool:
    """Idle connections to reuse; opens more when all are busy (up to ``limit``)."""

    def __init__(self, port: int, limit: int) -> None:
        self.port, self.limit = port, limit
        self.idle: asyncio.Queue[Connection] = asyncio.Queue()
        self.opened = 0

    async def take(self) -> Connection:
        """An idle connection, a new one, or the next one freed."""
        if self.idle.empty() and self.opened < self.limit:
            self.opened += 1
            try:
                return await Connection.open(self.port)
            except OSError:
                self.opened -= 1
                raise
        return await self.idle.get()

    def give(self, conn: Connection | None) -> None:
        """Return a healthy connection, or account for a broken one."""
        if conn is None:
            self.opened -= 1
        else:
            self.idle.put_nowait(conn)


class CpuMeter:
    """CPU seconds used so far by the app server (gunicorn and its workers), the
    database's backends for the bench database, and this load process: on a machine
    shared with other work the CPU cost per request is steadier than the throughput."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        self.server_pid, self.database_url = server_pid, database_url
        self.tick = os.sysconf("SC_CLK_TCK")

    def _seconds(self, pids: list[int]) -> float:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / self.tick

    def _server_pids(self) -> list[int]:
        pids = [self.server_pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.server_pid:
                    pids.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return pids

    def _database_pids(self) -> list[int]:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchall()
        return [pid for (pid,) in rows]

    def sample(self) -> dict[str, float]:
        """Cumulative CPU seconds of each party."""
        return {
            "app": self._seconds(self._server_pids()),
            "db": self._seconds(self._database_pids()),
            "client": time.process_time(),
        }

    @staticmethod
    def per_request(before: dict[str, float], after: dict[str, float], n: int) -> dict:
        """Milliseconds of CPU per request, and the rate two dedicated cores would allow."""
        ms = {k: round(1000 * (after[k] - before[k]) / max(1, n), 3) for k in before}
        total = sum(ms.values())
        return {
            **{f"{k}_ms": v for k, v in ms.items()},
            "total_ms": round(total, 3),
            "per_second_on_2_cores": round(2000 / total) if total else None,
        }


@dataclass
class Tally:
    """Outcomes of one measured run."""

    expected: str = "2"  # status prefix that counts as success
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0

    def count(self, status: str) -> None:
        """One response (or failure) with this status."""
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def summary(self) -> dict[str, Any]:
        """Throughput, percentiles and error count."""
        ok = sum(n for s, n in self.statuses.items() if s.startswith(self.expected))
        ordered = sorted(self.latencies)
        seconds = max(1e-9, self.finished - self.started)

        def pct(p: float) -> float | None:
            return (
                round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)
                if ordered
                else None
            )

        return {
            "requests": sum(self.statuses.values()),
            "ok": ok,
            "per_second": round(ok / seconds, 1),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(1000 * ordered[-1], 2) if ordered else None,
            "errors": sum(self.statuses.values()) - ok,
            "statuses": dict(sorted(self.statuses.items())),
        }


async def _one(
    pool: Pool, request: bytes, due: float, tally: Tally
) -> tuple[int, str | None] | None:
    loop = asyncio.get_running_loop()
    conn = None
    try:
        conn = await pool.take()
        status, grant = await asyncio.wait_for(conn.exchange(request), REQUEST_TIMEOUT)
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
        if conn is not None:
            conn.close()
            pool.give(None)
        tally.count(type(exc).__name__)
        return None
    pool.give(conn)
    tally.latencies.append(loop.time() - due)
    tally.count(str(status))
    return status, grant


async def closed_loop(
    port: int, path: str, seconds: float, connections: int, expected: str = "2"
) -> Tally:
    """``connections`` clients each sending ``GET path`` back to back for ``seconds``."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    pool = Pool(port, connections)
    tally = Tally(expected)
    loop = asyncio.get_running_loop()

    async def client(until: float) -> None:
        while loop.time() < until:
            await _one(pool, request, loop.time(), tally)

    tally.started = loop.time()
    await asyncio.gather(*(client(tally.started + seconds) for _ in range(connections)))
    tally.finished = loop.time()
    return tally


@dataclass
class Learner:
    """What one simulated player knows: its session, sequence and media position."""

    viewer: Viewer
    session: str
    seq: int = 0
    position: float = 0.0
    last_due: float | None = None
    grant: str | None = None
    acked_seq: int = -1
    acked_seconds: float = 0.0


def beat_request(learner: Learner, due: float, period: float) -> tuple[bytes, int, float]:
    """The next heartbeat of ``learner``: the media it played since its previous beat
    (none in its first, which opens its watch session and gets its grant: watched time
    is credited only from then on)."""
    played = 0.0 if learner.last_due is None else min(due - learner.last_due, 2 * period)
    start = learner.position
    learner.position = min(VIDEO_SECONDS, start + played)
    if learner.last_due is not None:  # the first beat's clock starts at its answer
        learner.last_due = due
    learner.seq += 1
    body = json.dumps(
        {
            "session": learner.session,
            "seq": learner.seq,
            "position": round(learner.position, 3),
            "rate": 1,
            "played": [[round(start, 3), round(learner.position, 3)]],
        }
    ).encode()
    head = (
        f"PUT /api/v1/videos/{learner.viewer.video_id}/progress HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {learner.viewer.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        + (f"X-Heartbeat-Grant: {learner.grant}\r\n" if learner.grant else "")
        + "\r\n"
    ).encode()
    return head + body, learner.seq, round(learner.position, 3) - round(start, 3)


def acknowledge(learner: Learner, seq: int, played: float, grant: str | None, now: float) -> None:
    """Note a 2xx answer to beat ``seq`` of ``learner``, received at ``now``."""
    if learner.last_due is None:
        # The server opened the watch session when this first beat arrived, which under
        # queueing is later than it was due: play is claimed from the answer on.
        learner.last_due = now
    learner.acked_seq = max(learner.acked_seq, seq)
    learner.acked_seconds += played
    learner.grant = grant or learner.grant


async def open_loop(
    port: int, learners: list[Learner], rate: float, seconds: float, period: float, limit: int
) -> Tally:
    """Beats offered at ``rate`` per second for ``seconds``, round-robin over learners."""
    loop = asyncio.get_running_loop()
    pool = Pool(port, limit)
    tally = Tally()
    total = int(rate * seconds)
    tasks: set[asyncio.Task] = set()

    async def send(learner: Learner, due: float) -> None:
        request, seq, played = beat_request(learner, due, period)
        answer = await _one(pool, request, due, tally)
        if answer is not None and 200 <= answer[0] < 300:
            acknowledge(learner, seq, played, answer[1], loop.time())

    tally.started = start = loop.time() + 0.2
    sent = 0
    while sent < total:
        now = loop.time()
        while sent < total and start + sent / rate <= now:
            task = loop.create_task(send(learners[sent % len(learners)], start + sent / rate))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        await asyncio.sleep(0.001)
    await asyncio.gather(*tasks)
    tally.finished = max(loop.time(), start + seconds)
    return tally


def drive(plan: dict[str, Any], viewers: list[Viewer], out: Any) -> None:
    """The load process: baselines, then the beats; sends results back over ``out``."""
    meter = CpuMeter(plan["server_pid"], plan["database_url"])

    async def measured(run: Any, **extra: Any) -> dict[str, Any]:
        before = meter.sample()
        tally = await run
        cpu = CpuMeter.per_request(before, meter.sample(), sum(tally.statuses.values()))
        return {**extra, **tally.summary(), "cpu": cpu}

    async def run() -> dict[str, Any]:
        port, period, conns = plan["port"], plan["period"], plan["connections"]
        baseline = plan["baseline_seconds"], plan["baseline_connections"]
        result: dict[str, Any] = {
            "healthz": await measured(closed_loop(port, "/healthz", *baseline)),
            "api_404": await measured(
                closed_loop(port, "/api/v1/no-such-route", *baseline, expected="404")
            ),
        }
        learners = [Learner(v, secrets.token_hex(8)) for v in viewers]
        # Every learner's first beat runs the access checks and creates its row; the
        # measured runs are the steady state after it (learners keep their grants).
        warm = plan["warmup_rate"]
        result["warmup"] = await measured(
            open_loop(port, learners, warm, len(learners) / warm, period, conns),
            offered_per_second=warm,
        )
        await asyncio.sleep(2)
        result["steps"] = []
        for rate in plan["steps"]:
            n = max(1, int(rate * period))
            result["steps"].append(
                await measured(
                    open_loop(port, learners[:n], rate, plan["step_seconds"], period, conns),
                    offered_per_second=rate,
                )
            )
            await asyncio.sleep(2)
        n = max(1, int(plan["rate"] * period))
        result["beats"] = await measured(
            open_loop(port, learners[:n], plan["rate"], plan["seconds"], period, conns),
            offered_per_second=plan["rate"],
        )
        result["acked_seq"] = [lr.acked_seq for lr in learners]
        result["acked_seconds"] = [lr.acked_seconds for lr in learners]
        return result

    out.send(asyncio.run(run()))
    out.close()


# --------------------------------------------------------------------------- report


def verify(result: dict[str, Any], db: dict[str, Any]) -> dict[str, Any]:
    """Every acknowledged beat is in the database (and the day totals agree)."""
    acked_seq, acked_seconds = result["acked_seq"], result["acked_seconds"]
    missing_seq = sum(
        1 for a, s in zip(acked_seq, db["seq"], strict=True) if a >= 0 and (s or -1) < a
    )
    short = sum(1 for a, w in zip(acked_seconds, db["watched"], strict=True) if w < a - 0.01)
    acked_total, stored_total = sum(acked_seconds), sum(db["watched"])
    return {
        "learners_with_acked_beats": sum(1 for a in acked_seq if a >= 0),
        "progress_rows": db["rows"],
        "rows_missing_an_acked_seq": missing_seq,
        "rows_short_of_acked_seconds": short,
        "acked_watched_seconds": round(acked_total, 1),
        "stored_watched_seconds": round(stored_total, 1),
        "watch_days_seconds": round(db["days"], 1),
        "module_views": db["views"],
        "every_ack_stored": missing_seq == 0 and short == 0,
        "views_match_rows": db["views"] == db["rows"],
        "days_match": abs(db["days"] - stored_total) < 0.01 * max(1.0, stored_total / 1000),
    }


def best_step(steps: list[dict[str, Any]], p99_ms: float) -> float | None:
    """The highest offered rate that met the latency target with no errors."""
    good = [
        s["offered_per_second"] for s in steps if s["errors"] == 0 and (s["p99_ms"] or 1e9) < p99_ms
    ]
    return max(good) if good else None


def write_result(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Keep the JSON line under bench/results/."""
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"heartbeats-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def measure_server(args: argparse.Namespace, kind: str, steps: list[float]) -> dict[str, Any]:
    """One whole run under the server ``kind``: a throwaway database, seeded, the app
    under ``kind``, the load, the check; the fields of the result line."""
    viewers_needed = int(max([args.rate, *steps]) * args.period)
    with throwaway_database(args.server) as url:
        os.environ["DATABASE_URL"] = url
        viewers = seed(viewers_needed, args.videos)
        with app_server(kind, args.workers, args.threads, args.pool) as (port, server_pid):
            plan = {
                "port": port,
                "server_pid": server_pid,
                "database_url": url,
                "period": args.period,
                "rate": args.rate,
                "seconds": args.seconds,
                "steps": steps,
                "step_seconds": args.step_seconds,
                "connections": args.connections,
                "baseline_seconds": args.baseline_seconds,
                "baseline_connections": args.baseline_connections,
                "warmup_rate": args.warmup_rate,
            }
            ctx = multiprocessing.get_context("spawn")
            receive, send = ctx.Pipe(duplex=False)
            driver = ctx.Process(target=drive, args=(plan, viewers, send))
            driver.start()
            result = receive.recv()
            driver.join()
        check = verify(result, stored(viewers_needed))
    beats, health = result["beats"], result["healthz"]
    line = {
        "server": " ".join(
            [kind, *server_argv(kind, 0, args.workers, args.threads, args.pool)[1:]]
        ),
        "beats": beats,
        "healthz": health,
        "api_404": result["api_404"],
        "warmup": result["warmup"],
        "ratio_beats_to_healthz": round(beats["per_second"] / max(1e-9, health["per_second"]), 2),
        "ratio_beats_to_api_404": round(
            beats["per_second"] / max(1e-9, result["api_404"]["per_second"]), 2
        ),
        "met": beats["per_second"] >= 0.99 * args.rate
        and (beats["p99_ms"] or 1e9) < args.p99_ms
        and beats["errors"] == 0
        and check["every_ack_stored"],
        "verify": check,
    }
    if steps:
        line["steps"] = result["steps"]
        line["highest_rate_meeting_target"] = best_step(result["steps"], args.p99_ms)
    return line


def ratios(run: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """The server under test over the baseline: stored beats per second, p99, CPU per
    beat (app and in all) and the ``api_404`` floor's rate."""

    def over(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    beats, base = run["beats"], baseline["beats"]
    return {
        "beats_per_second": over(beats["per_second"], base["per_second"]),
        "beats_p99_ms": over(beats["p99_ms"], base["p99_ms"]),
        "app_cpu_ms_per_beat": over(beats["cpu"]["app_ms"], base["cpu"]["app_ms"]),
        "total_cpu_ms_per_beat": over(beats["cpu"]["total_ms"], base["cpu"]["total_ms"]),
        "api_404_per_second": over(run["api_404"]["per_second"], baseline["api_404"]["per_second"]),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2000.0, help="offered beats per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the measured run")
    parser.add_argument(
        "--period", type=float, default=10.0, help="seconds between a learner's beats"
    )
    parser.add_argument("--videos", type=int, default=50)
    parser.add_argument("--http-server", choices=SERVERS, default="granian")
    parser.add_argument(
        "--baseline", choices=SERVERS, help="also run under this server first; report ratios"
    )
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--threads", type=int, default=32, help="request threads per worker")
    parser.add_argument(
        "--pool", type=int, default=20, help="database pool size per worker (0: the app's)"
    )
    parser.add_argument("--connections", type=int, default=512, help="client connection limit")
    parser.add_argument(
        "--warmup-rate", type=float, default=500.0, help="rate of every learner's first beat"
    )
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--baseline-connections", type=int, default=16)
    parser.add_argument("--find-max", action="store_true", help="step the rate up first")
    parser.add_argument("--steps", default="500,1000,1500,2000,2500,3000")
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--p99-ms", type=float, default=50.0)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-write", action="store_true", help="do not keep a results file")
    args = parser.parse_args(argv)

    steps = [float(s) for s in args.steps.split(",")] if args.find_max else []
    os.environ.pop("S3_BUCKET", None)
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("SECRET_KEY", "bench-heartbeats")
    baseline = measure_server(args, args.baseline, steps) if args.baseline else None
    run = measure_server(args, args.http_server, steps)
    line = {
        "bench": "heartbeats",
        "cpus": os.cpu_count(),
        **run,
        "target": {"per_second": 2000, "p99_ms": args.p99_ms, "errors": 0},
        "load_1min_after": round(os.getloadavg()[0], 2),
    }
    if baseline is not None:
        line["baseline"] = baseline
        line["ratio_to_baseline"] = ratios(run, baseline)
    print(json.dumps(line))
    if not args.no_write:
        write_result(line)
    return line


if __name__ == "__main__":
    main()
