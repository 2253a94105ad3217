"""Command-line interface: ``flask --app webapp users|videos|jobs|seed|serve``."""

from __future__ import annotations

from flask import Flask

from webapp.cli.devserver import serve
from webapp.cli.jobs import jobs
from webapp.cli.seed import seed
from webapp.cli.users import users
from webapp.cli.videos import videos


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    for command in (users, videos, jobs, seed, serve):
        app.cli.add_command(command)
