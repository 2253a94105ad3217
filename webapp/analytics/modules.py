"""Everything the analytics page and API show for one module, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from webapp.analytics.queries import DayPoint, ModuleStats, daily_watch, module_stats
from webapp.analytics.retention import Bucket, DropOff, drop_offs, retention_curve
from webapp.models import Clip, Video
from webapp.models.base import utcnow
from webapp.progress.services import module_duration


@dataclass(frozen=True)
class ModuleAnalytics:
    """A module's aggregates, retention curve and drop-off points."""

    video: Video
    clip: Clip | None
    duration: float
    stats: ModuleStats
    curve: list[Bucket]
    drops: list[DropOff]
    days: list[DayPoint]

    @property
    def title(self) -> str:
        """The clip's title, else the video's."""
        return self.clip.title if self.clip is not None else self.video.title


def analyse(video: Video, clip: Clip | None = None, today: date | None = None) -> ModuleAnalytics:
    """Aggregates, the retention curve and the daily watch time up to ``today`` (UTC) of
    the whole video or of ``clip``: three queries; drop-offs come from the curve."""
    duration = module_duration(video, clip)
    clip_id = clip.id if clip is not None else None
    stats = module_stats(video.id, clip_id, duration)
    curve = retention_curve(video.id, clip_id, duration, stats.viewers) if stats.viewers else []
    days = daily_watch(video.id, clip_id, today or utcnow().date())
    return ModuleAnalytics(video, clip, duration, stats, curve, drop_offs(curve), days)
