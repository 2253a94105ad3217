"""Branding: the platform's name, logo, primary colour and favicon, set by an admin."""

from __future__ import annotations

from flask import Flask

from webapp.branding.queries import current_look
from webapp.branding.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the pages and make ``look()`` (the current branding) a template global."""
    app.register_blueprint(bp)
    app.add_template_global(current_look, "look")
