"""Manager/admin reports: learners' progress per path and per cohort, filters, CSV."""

from webapp.reports.views import bp

__all__ = ["bp"]
