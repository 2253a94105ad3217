"""People: one's own profile (name, time zone, e-mail change, API tokens) and the admin
user list (search, roles, deactivation)."""

from webapp.people.views import bp

__all__ = ["bp"]
