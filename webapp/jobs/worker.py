"""Worker entry point: ``celery -A webapp.jobs.worker worker`` (and ``… beat``)."""

import config
from webapp import create_app
from webapp.jobs import tasks  # noqa: F401  (registers the tasks)

flask_app = create_app(config.worker_overrides())
celery = flask_app.extensions["celery"]
