"""Worker entry point: ``celery -A webapp.jobs.worker worker`` (and ``… beat``)."""

from webapp import create_app
from webapp.jobs import tasks  # noqa: F401  (registers the tasks)

flask_app = create_app()
celery = flask_app.extensions["celery"]
