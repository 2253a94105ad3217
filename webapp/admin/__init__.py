"""The admin home: the site's figures, jobs to retry, and the outbox of sent mail."""

from webapp.admin.views import bp

__all__ = ["bp"]
