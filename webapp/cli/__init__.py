"""Command-line interface: ``flask --app webapp users|videos|seed|serve``."""

from __future__ import annotations

from flask import Flask

from webapp.cli.devserver import serve
from webapp.cli.seed import seed
from webapp.cli.users import users
from webapp.cli.videos import videos


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    for command in (users, videos, seed, serve):
        app.cli.add_command(command)
