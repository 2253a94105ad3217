"""``GET /api/v1/admin/overview``: the admin home's figures as JSON (admins only)."""

from __future__ import annotations

from flask import g
from pydantic import Field

from webapp.access import can_see_admin_home
from webapp.admin import queries
from webapp.api.blueprint import bp
from webapp.api.contract import Output, Timestamp, operation
from webapp.problems import ApiError


class StorageOut(Output):
    """Bytes stored (see the admin home for what each figure counts)."""

    sources_bytes: int = Field(description="Every video's source file, as recorded.")
    exports_bytes: int = Field(description="Every finished clip export, as recorded.")
    recorded_bytes: int = Field(description="sources_bytes + exports_bytes.")
    media_folder_bytes: int | None = Field(
        description="Every file under the media folder (local disk; null on S3)."
    )


class JobOut(Output):
    """A running or failed background job."""

    kind: str = Field(description="transcode or clip_export.")
    id: int
    state: str
    progress: float
    attempts: int
    error: str | None = Field(description="Why it failed (null while it runs).")
    subject: str = Field(description="The video's or clip's title.")
    video_id: int
    at: Timestamp | None = Field(description="When it failed, or when a running one started.")


class SignupOut(Output):
    """A recent account."""

    id: int
    email: str
    name: str
    role: str
    created_at: Timestamp


class OverviewOut(Output):
    """The figures of the admin home."""

    active_learners: int = Field(description="Distinct learners who watched in the last 7 days.")
    active_since: Timestamp
    ready_videos: int
    ready_hours: float = Field(description="Total length of the READY videos, in hours.")
    storage: StorageOut
    running_jobs: list[JobOut]
    failed_jobs: list[JobOut] = Field(description="Failed jobs still their object's latest.")
    pending_invitations: int
    recent_signups: list[SignupOut]


def _job(row: queries.JobRow) -> JobOut:
    return JobOut(**row.__dict__)


@operation(bp, "GET", "/admin/overview", responses={200: OverviewOut}, errors=(403,), tag="admin")
def admin_overview() -> OverviewOut:
    """Active learners, videos and hours, storage, jobs, invitations, sign-ups (admins)."""
    if not can_see_admin_home(g.user):
        raise ApiError(403, "The admin overview is for admins.")
    found = queries.overview()
    storage = found.storage
    return OverviewOut(
        active_learners=found.active_learners,
        active_since=found.active_since,
        ready_videos=found.ready_videos,
        ready_hours=round(found.ready_seconds / 3600, 2),
        storage=StorageOut(
            sources_bytes=storage.sources,
            exports_bytes=storage.exports,
            recorded_bytes=storage.recorded,
            media_folder_bytes=storage.on_disk,
        ),
        running_jobs=[_job(r) for r in found.running],
        failed_jobs=[_job(r) for r in found.failed],
        pending_invitations=found.pending_invitations,
        recent_signups=[SignupOut(**s.__dict__) for s in found.recent_signups],
    )
