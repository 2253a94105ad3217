"""JSON API under ``/api/v1`` (documented in docs/api.md)."""

from webapp.api import clips, views  # noqa: F401  (route modules register on bp)
from webapp.api.blueprint import bp

__all__ = ["bp"]
