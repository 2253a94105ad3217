"""Route-matrix entries: admin home (back office)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask_mailman import EmailMultiAlternatives

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.transcode import TRANSCODE, create_job
from webapp.mail.outbox import EmailBackend, message_ids, outbox_dir
from webapp.models import Video, VideoState

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def fresh_failed_job(world: World) -> dict[str, object]:
    """A new transcode job of instructor A's that failed (its video FAILED too)."""
    video = Video(title="Broken", owner_id=world.users["instructor_a"], state=VideoState.UPLOADED)
    db.session.add(video)
    db.session.flush()
    job = create_job(video)
    lifecycle.fail(TRANSCODE, job.id, "matrix: made to fail")
    db.session.commit()
    return {"kind": "transcode", "job_id": job.id}


def fresh_message(world: World) -> dict[str, object]:
    """A message (text and HTML) written to the outbox by the default backend; its id."""
    message = EmailMultiAlternatives(
        "Matrix", "Hello", "site@example.com", [world.emails["learner_a"]]
    )
    message.attach_alternative("<p>Hello</p>", "text/html")
    before = set(message_ids(outbox_dir()))
    EmailBackend().send_messages([message])
    (new,) = set(message_ids(outbox_dir())) - before
    return {"message_id": new}


def entries() -> Iterator[Entry]:
    """The admin home, its retry, the outbox, the overview API: admins only."""
    from tests.support.route_matrix import ADMIN, _at, _e  # noqa: PLC0415  (cycle)

    yield _e("admin.home", "GET", ADMIN)
    yield _e("admin.retry_job", "POST", ADMIN, _at(), fresh=fresh_failed_job, ok=302)
    yield _e("admin.outbox", "GET", ADMIN)
    yield _e("admin.outbox_message", "GET", ADMIN, _at(), fresh=fresh_message)
    yield _e("admin.outbox_html", "GET", ADMIN, _at(), fresh=fresh_message)
    yield _e("api.admin_overview", "GET", ADMIN)
