"""Certificates: a rule per program says what earns one; issued once, at the event that
meets the rule's last requirement, downloadable as a PDF, verifiable (or seen revoked)
by anyone through a public code."""

from webapp.certificates import manage_views as _manage_views  # noqa: F401  (its routes)
from webapp.certificates import tasks as _tasks  # noqa: F401  (registers the Celery tasks)
from webapp.certificates.views import bp

__all__ = ["bp"]
