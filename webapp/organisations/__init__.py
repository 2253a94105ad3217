"""Organisations and managers: companies with members and managers, seats per program,
assignments with due dates, the manager's dashboard and CSV, the weekly digest."""

from webapp.organisations import digest as _digest  # noqa: F401  (registers the beat task)
