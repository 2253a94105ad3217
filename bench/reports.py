"""How long does a path report over 1,000 learners x 200 modules take on PostgreSQL?

On a database of its own (its name must start with ``bench``: the public schema is
dropped and rebuilt by the migrations), ``seed_scale`` bulk-inserts 1,000 learners of one
cohort of a 200-module path (10 courses of 20), each with a progress row on every module
(200,000 rows) and 10 past live classes. Then, in one process with the Flask test client
signed in as an admin and rotating the order every round, it times:

| key | what |
| --- | --- |
| ``page`` | ``GET /reports/paths/<slug>``: the HTML page (1,000 rows, chart, series table) |
| ``csv`` | ``GET /reports/paths/<slug>/export.csv`` |
| ``api`` | ``GET /api/v1/reports/paths/<slug>`` |
| ``sql`` | ``build_report`` alone: the SQL aggregates and row objects, no rendering |
| ``index_page`` | ``GET /reports``: a trivial signed-in page (two small queries) |
| ``select1`` | ``SELECT 1`` through the same session: the trivial query baseline |

Prints one JSON line (medians in seconds and ratios) and writes it to
``bench/results/reports-<timestamp>.json``::

    psql -h 127.0.0.1 -U postgres -c 'create database bench_reports'
    .venv/bin/python -m bench.reports \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_reports [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LEARNERS, COURSES, MODULES_PER_COURSE = 1000, 10, 20
SLUG = "scale-path"
PASSWORD = "bench-password-1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

SEED_STATEMENTS = [
    """INSERT INTO users (email, name, password_hash, role, active, created_at)
       SELECT 'scale' || g || '@example.com', 'Scale ' || g, 'x', 'learner', true, now()
       FROM generate_series(1, :learners) AS g""",
    """INSERT INTO users (email, name, password_hash, role, active, created_at)
       VALUES ('scale-owner@example.com', 'Owner', 'x', 'instructor', true, now())""",
    """INSERT INTO videos (title, description, owner_id, state, duration, source_filename,
                           created_at)
       SELECT 'Scale video ' || g, '',
              (SELECT id FROM users WHERE email = 'scale-owner@example.com'),
              'ready', 600, '', now()
       FROM generate_series(1, :modules) AS g""",
    """INSERT INTO modules (video_id, title, description, level, tags, duration, listed,
                            views, created_at)
       SELECT id, title, '', 'foundation', '[]', 600, true, 0, now() FROM videos
       WHERE title LIKE 'Scale video %'""",
    """INSERT INTO programs (title, slug, description, level, length_weeks, fee_cents,
                             currency, certificate, self_enrol)
       VALUES ('Scale path', :slug, '', 'foundation', 0, 0, 'EUR', '', true)""",
    """INSERT INTO courses (title, slug, description, level)
       SELECT 'Scale course ' || g, 'scale-course-' || g, '', 'foundation'
       FROM generate_series(1, :courses) AS g""",
    """INSERT INTO program_courses (program_id, course_id, position)
       SELECT (SELECT id FROM programs WHERE slug = :slug), id, id FROM courses
       WHERE slug LIKE 'scale-course-%'""",
    """INSERT INTO course_modules (course_id, module_id, position)
       SELECT c.id, m.id, m.rn
       FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM modules
             WHERE title LIKE 'Scale video %') AS m
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM courses
             WHERE slug LIKE 'scale-course-%') AS c ON c.rn = m.rn / :per_course""",
    """INSERT INTO cohorts (program_id, name, starts_on, time_zone)
       VALUES ((SELECT id FROM programs WHERE slug = :slug), 'Scale cohort',
               DATE '2026-01-05', 'UTC')""",
    """INSERT INTO cohort_members (cohort_id, user_id, role)
       SELECT (SELECT id FROM cohorts WHERE name = 'Scale cohort'), id, 'learner'
       FROM users WHERE email LIKE 'scale%@example.com' AND role = 'learner'""",
    """INSERT INTO live_classes (cohort_id, title, starts_at, duration_minutes, join_url,
                                 recording_id)
       SELECT (SELECT id FROM cohorts WHERE name = 'Scale cohort'), 'Class ' || g,
              TIMESTAMPTZ '2026-01-05 10:00+00' + g * INTERVAL '1 week', 60, '',
              (SELECT min(id) FROM videos WHERE title LIKE 'Scale video %')
       FROM generate_series(0, 9) AS g""",
    # Learners whose id is a multiple of 5 completed everything; the others a fifth.
    """INSERT INTO watch_progress (user_id, video_id, clip_id, position, intervals,
                                   watched_seconds, completed_at, updated_at)
       SELECT u.id, v.id, NULL, 0,
              json_build_array(json_build_array(0, 600 * ((u.id + v.id) % 5) / 4.0)),
              600 * ((u.id + v.id) % 5) / 4.0,
              CASE WHEN u.id % 5 = 0 OR (u.id + v.id) % 5 = 4
                   THEN TIMESTAMPTZ '2026-01-05' + (v.id % 60) * INTERVAL '1 day' END,
              now()
       FROM users AS u CROSS JOIN videos AS v
       WHERE u.email LIKE 'scale%@example.com' AND u.role = 'learner'
         AND v.title LIKE 'Scale video %'""",
]


def seed_scale(session: Any, slug: str = SLUG) -> int:
    """Bulk-insert the 1,000 x 200 data set (PostgreSQL SQL, no ORM objects) and commit;
    returns the number of progress rows."""
    params = {
        "learners": LEARNERS,
        "modules": COURSES * MODULES_PER_COURSE,
        "courses": COURSES,
        "per_course": MODULES_PER_COURSE,
        "slug": slug,
    }
    for statement in SEED_STATEMENTS:
        session.execute(text(statement), params)
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    return session.scalar(text("SELECT count(*) FROM watch_progress"))


def _timed(action: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def _check_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not (parsed.database or "").startswith("bench"):
        raise SystemExit("use a PostgreSQL database whose name starts with 'bench'")


def measure(database_url: str, rounds: int) -> dict[str, Any]:
    """Build the schema, seed, sign in, and time every key ``rounds`` times."""
    _check_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["LEARNSTREAM_INSTANCE"] = tempfile.mkdtemp(prefix="bench-reports-")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from flask_migrate import upgrade  # noqa: PLC0415  (after the environment is set)

    from webapp import create_app  # noqa: PLC0415
    from webapp.auth.services import create_user  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415
    from webapp.reports.filters import ReportFilters  # noqa: PLC0415
    from webapp.reports.queries import build_report  # noqa: PLC0415
    from webapp.reports.scope import ReportScope  # noqa: PLC0415

    app = create_app()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        rows = seed_scale(db.session)
        create_user("bench-admin@example.com", PASSWORD, "admin")
        db.session.commit()

    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post(
        "/login",
        data={"email": "bench-admin@example.com", "password": PASSWORD, "csrf_token": token},
    )

    def get(url: str) -> Callable[[], object]:
        def _get() -> object:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response.get_data()

        return _get

    def sql() -> object:
        with app.app_context():
            from webapp.models import Cohort, Program  # noqa: PLC0415

            program = db.session.scalar(db.select(Program).where(Program.slug == SLUG))
            cohorts = tuple(db.session.scalars(db.select(Cohort)))
            return build_report(ReportScope(program, cohorts, everyone=True), ReportFilters())

    def select1() -> object:
        with app.app_context():
            return db.session.execute(text("SELECT 1")).scalar()

    actions = {
        "page": get(f"/reports/paths/{SLUG}"),
        "csv": get(f"/reports/paths/{SLUG}/export.csv"),
        "api": get(f"/api/v1/reports/paths/{SLUG}"),
        "sql": sql,
        "index_page": get("/reports"),
        "select1": select1,
    }
    for action in actions.values():  # warm up: connections, templates, plans
        action()
    samples: dict[str, list[float]] = {key: [] for key in actions}
    order = list(actions)
    for i in range(rounds):
        for key in order[i % len(order) :] + order[: i % len(order)]:
            samples[key] += _timed(actions[key], 1)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    return {
        "learners": LEARNERS,
        "modules": COURSES * MODULES_PER_COURSE,
        "progress_rows": rows,
        "rounds": rounds,
        "seconds_median": {k: round(v, 5) for k, v in medians.items()},
        "ratios": {
            f"{key}_vs_{base}": round(medians[key] / medians[base], 1)
            for key in ("page", "csv", "api", "sql")
            for base in ("select1", "index_page")
        },
        "load_1min_after": os.getloadavg()[0],
    }


def write_result(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``result`` as JSON to ``results_dir/reports-<timestamp>.json``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"reports-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def main() -> None:
    """Parse arguments, measure, print and write one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    result = measure(args.database_url, args.rounds)
    print(json.dumps(result))
    write_result(result)


if __name__ == "__main__":
    main()
