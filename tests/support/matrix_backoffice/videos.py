"""Route-matrix entries: videos (back office). The video manager's pages and its API
routes on the public video and on cohort A's private recording; deletes run on a
throw-away video of the same kind, so the shared world is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from webapp.catalogue.services import sync_video_module
from webapp.cohorts import services as cohorts
from webapp.extensions import db
from webapp.models import Cohort, Video, VideoState

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def fresh_video(world: World, which: str) -> dict[str, object]:
    """A READY video of instructor A: listed (``public``) or a recording of a past class
    of cohort A (``cohort``). No ladder: deleting it needs none."""
    video = Video(
        title=f"Spare {which} video",
        owner_id=world.users["instructor_a"],
        state=VideoState.READY.value,
        duration=10.0,
        hls_prefix="videos/spare/hls/j0a0",
    )
    db.session.add(video)
    db.session.flush()
    sync_video_module(video)
    if which == "cohort":
        cohort = db.session.get(Cohort, world.cohort_a)
        past = cohorts.add_class(
            cohort, "Spare class", datetime.now(UTC) - timedelta(days=3), 60, allow_past=True
        )
        cohorts.attach_recording(past, video)
    db.session.commit()
    return {"video_id": video.id}


def entries() -> Iterator[Entry]:
    """The video manager: the list for uploaders, the rest for the video's managers."""
    from tests.support.route_matrix import MANAGE, OBJECTS, TARGETS, UPLOADER, _at, _e

    yield _e("videos.index", "GET", UPLOADER)
    for which in TARGETS:
        manage = MANAGE[which]
        video = _at(video_id=OBJECTS[which]["video_id"])
        spare = partial(fresh_video, which=which)
        # A cohort recording is deleted only with "remove it from them" (force).
        force = {"force": "1"} if which == "cohort" else {}
        yield _e("videos.edit", "GET", manage, video, variant=which)
        # Past every access check, refused by the form (no title): 400.
        yield _e("videos.edit", "POST", manage, video, ok=400, form=lambda w: {}, variant=which)
        yield _e("videos.confirm_delete", "GET", manage, video, variant=which)
        yield _e(
            "videos.delete",
            "POST",
            manage,
            _at(),
            fresh=spare,
            ok=302,
            form=lambda w, force=force: dict(force),
            variant=which,
        )
        yield _e("api.update_video", "PATCH", manage, video, json=lambda w: {}, variant=which)
        yield _e(
            "api.delete_video",
            "DELETE",
            manage,
            _at({"force": "true"} if which == "cohort" else {}),
            fresh=spare,
            ok=204,
            variant=which,
        )
