"""How early is a recording watchable? Time to the first playable preview vs to READY.

Runs the real job runner (storage writes and DB switch included) on a generated
lecture-like recording in a throwaway instance, while a second thread polls the
database as the web app would. Prints one JSON line:

    .venv/bin/python -m bench.preview [--seconds 120] [--width 1920 --height 1080]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path


def _measure(seconds: float, width: int, height: int, work: Path) -> dict[str, float]:
    os.environ["LEARNSTREAM_INSTANCE"] = str(work / "instance")
    # Imported here: the app reads its settings from the environment set just above.
    from flask_migrate import upgrade  # noqa: PLC0415

    from transcoder.synth import generate_lecture  # noqa: PLC0415
    from webapp import create_app  # noqa: PLC0415
    from webapp.auth.services import create_user  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415
    from webapp.models import Video  # noqa: PLC0415
    from webapp.transcoding.runner import run_job  # noqa: PLC0415
    from webapp.uploads.services import ingest  # noqa: PLC0415

    source = generate_lecture(work / "class.mp4", seconds, width=width, height=height)
    app = create_app()
    with app.app_context():
        upgrade()
        owner = create_user("bench@example.com", "bench-password", "instructor")
        video, job = ingest(source, title="Bench class", owner=owner)
        db.session.commit()
        video_id, job_id = video.id, job.id
    seen: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        with app.app_context():
            while not done.is_set():
                db.session.expire_all()
                if db.session.get(Video, video_id).preview_prefix and "preview" not in seen:
                    seen["preview"] = time.perf_counter()
                db.session.rollback()
                time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    with app.app_context():
        state = run_job(job_id)
    ready = time.perf_counter() - start
    done.set()
    watcher.join()
    preview = seen.get("preview", float("nan")) - start
    return {
        "media_seconds": seconds,
        "source": f"{width}x{height}",
        "state": state,
        "seconds_to_preview": round(preview, 2),
        "seconds_to_ready": round(ready, 2),
        "preview_share_of_ready": round(preview / ready, 3),
        "ready_speed_x_realtime": round(seconds / ready, 2),
    }


def main() -> None:
    """Parse options, run one measurement, print it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(_measure(args.seconds, args.width, args.height, Path(tmp))))


if __name__ == "__main__":
    main()
