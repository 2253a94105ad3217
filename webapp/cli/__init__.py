"""Command-line interface: ``flask --app webapp users|videos|jobs|seed|serve|storage``."""

from __future__ import annotations

from flask import Flask

from webapp.catalogue.cli import catalogue
from webapp.cli.devserver import serve
from webapp.cli.jobs import jobs
from webapp.cli.seed import seed
from webapp.cli.storage import storage_cli
from webapp.cli.users import users
from webapp.cli.videos import videos
from webapp.cohorts.cli import cohorts
from webapp.learning.cli import learning


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    for command in (users, videos, jobs, seed, serve, catalogue, storage_cli):
        app.cli.add_command(command)
    app.cli.add_command(learning)
    app.cli.add_command(cohorts)
