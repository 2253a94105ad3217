"""Celery bound to the Flask app: every task runs inside an app context."""

from __future__ import annotations

from celery import Celery, Task
from celery.signals import worker_shutting_down
from flask import Flask, current_app

from transcoder.run import request_stop


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app from ``app.config['CELERY']`` and store it on the Flask app."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    celery_app.flask_app = app  # for worker signal handlers that need an app context
    app.extensions["celery"] = celery_app
    return celery_app


def get_celery() -> Celery:
    """The current Flask app's Celery app."""
    return current_app.extensions["celery"]


@worker_shutting_down.connect
def _stop_running_ffmpeg(**_kwargs: object) -> None:
    """SIGTERM or Ctrl-C: a warm shutdown must not wait for a long encode.

    Running ffmpeg processes are killed within a second; their jobs are handed back to
    the queue (``webapp.transcoding.runner``) and start over on the next worker. Runs in
    the worker's signal handler, so it only sets a flag (no logging, no locks).
    """
    request_stop()
