"""Clip exports as the clip pages and the API see them; the lifecycle is ``webapp.jobs``."""

from webapp.jobs.clip_export import dispatch, latest_export

__all__ = ["dispatch", "latest_export"]
