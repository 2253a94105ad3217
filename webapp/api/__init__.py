"""JSON API under ``/api/v1`` (documented in docs/api.md)."""

from webapp.api.views import bp

__all__ = ["bp"]
