"""Heartbeat load for the restart and shutdown tests: learners beating over real HTTP.

Each learner's thread plays a one-hour lecture and sends a heartbeat after every step;
afterwards :func:`assert_no_acked_beat_lost` proves every acknowledged beat was stored.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from tests.support import factories
from tests.support.waiting import wait_until
from webapp.auth.services import issue_token
from webapp.extensions import db
from webapp.models import User, Video, VideoState, WatchProgress

LECTURE_SECONDS = 3600.0
BEAT_STEP = 0.1  # video seconds between the starts of two consecutive beats' ranges
BEAT_LENGTH = 0.02  # each beat reports its own short range, so the stored union shows it
BEAT_PAUSE = 0.05  # between one learner's beats: well inside the wall-clock credit


@dataclass(frozen=True)
class SentBeat:
    """One heartbeat and the HTTP status it got (0: no answer at all)."""

    learner: int
    seq: int
    played: tuple[float, float]
    status: int

    @property
    def acked(self) -> bool:
        """A 2xx: the server said it is stored."""
        return 200 <= self.status < 300


class HeartbeatLoad:
    """One thread per learner playing a lecture and sending a heartbeat after every
    step, over real HTTP with a bearer token and the grant the server hands back."""

    def __init__(self, base_url: str, video_id: int, tokens: dict[int, str]) -> None:
        self.url = f"{base_url}/api/v1/videos/{video_id}/progress"
        self.tokens = tokens
        self.sent: list[SentBeat] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._play, args=(learner,), daemon=True) for learner in tokens
        ]

    def __enter__(self) -> HeartbeatLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _play(self, learner: int) -> None:
        # Reading the progress starts the watch session (as the player's page load does):
        # beats may then report what could have been played since.
        grant = ""
        while not grant and not self._stop.is_set():
            grant = self._open(learner)
            self._stop.wait(BEAT_PAUSE)
        seq = 0
        while not self._stop.is_set():
            seq += 1
            start = round(seq * BEAT_STEP, 3)
            played = (start, round(start + BEAT_LENGTH, 3))
            body = {
                "position": played[1],
                "played": [list(played)],
                "session": f"load-{learner}",
                "seq": seq,
                "rate": 1.0,
            }
            status, grant = self._send(learner, body, grant)
            with self._lock:
                self.sent.append(SentBeat(learner, seq, played, status))
            self._stop.wait(BEAT_PAUSE)

    def _open(self, learner: int) -> str:
        """The grant of a progress read ("" if the server did not answer it)."""
        request = urllib.request.Request(
            self.url, headers={"Authorization": f"Bearer {self.tokens[learner]}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.headers.get("X-Heartbeat-Grant") or ""
        except urllib.error.HTTPError as exc:
            exc.close()
            return ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return ""

    def _send(self, learner: int, body: dict, grant: str) -> tuple[int, str]:
        headers = {
            "Authorization": f"Bearer {self.tokens[learner]}",
            "Content-Type": "application/json",
        }
        if grant:
            headers["X-Heartbeat-Grant"] = grant
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="PUT"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.headers.get("X-Heartbeat-Grant") or grant
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response's socket
            return exc.code, grant
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, grant

    def beats(self) -> list[SentBeat]:
        """Every beat sent so far, with its answer."""
        with self._lock:
            return list(self.sent)

    def count(self, acked: bool, since: int = 0) -> int:
        """Beats acknowledged (or not) among those sent after the first ``since``."""
        return sum(1 for beat in self.beats()[since:] if beat.acked is acked)

    def wait_for(self, acked: bool, count: int, what: str, since: int = 0) -> None:
        """Until ``count`` more beats were acknowledged (or refused) after ``since``."""
        wait_until(
            lambda: self.count(acked, since) >= count,
            90,
            f"gave up waiting for {what}",
            interval=0.2,
        )


def lecture_and_learners(app: Flask, learners: int = 3) -> tuple[int, dict[int, str]]:
    """A READY one-hour lecture and bearer tokens of ``learners`` new learners."""
    owner = factories.create_user(app, "instructor")
    ids = [factories.create_user(app).id for _ in range(learners)]
    with app.app_context():
        video = Video(
            title="Lecture under load",
            owner_id=owner.id,
            state=VideoState.READY.value,
            duration=LECTURE_SECONDS,
            hls_prefix="videos/under-load/v1",
        )
        db.session.add(video)
        tokens = {uid: issue_token(db.session.get(User, uid), days=1) for uid in ids}
        db.session.commit()
        return video.id, tokens


def assert_no_acked_beat_lost(app: Flask, video_id: int, load: HeartbeatLoad) -> None:
    """Every acknowledged beat's range is in the stored union, the union holds nothing
    that was never sent, and the resume position is that of the newest stored beat."""
    sent = load.beats()
    with app.app_context():
        rows = db.session.scalars(
            select(WatchProgress).where(WatchProgress.video_id == video_id)
        ).all()
        stored = {
            row.user_id: (
                {(round(a, 3), round(b, 3)) for a, b in row.intervals},
                row.position,
                row.beat_seq,
            )
            for row in rows
        }
    for learner in load.tokens:
        mine = [beat for beat in sent if beat.learner == learner]
        ranges, position, seq = stored[learner]
        acked = {beat.played for beat in mine if beat.acked}
        assert acked, f"learner {learner}: no beat was acknowledged at all"
        assert acked <= ranges, f"acknowledged but lost: {sorted(acked - ranges)[:5]}"
        assert ranges <= {beat.played for beat in mine}, "stored ranges nobody sent"
        newest = max(beat.seq for beat in mine if beat.played in ranges)
        assert seq == newest and position == mine[newest - 1].played[1]
        assert seq >= max(beat.seq for beat in mine if beat.acked)
