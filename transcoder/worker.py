"""Worker entry point: ``celery -A transcoder.worker worker``."""

from transcoder import tasks  # noqa: F401  (registers the tasks)
from webapp import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
