"""Sign-in, sign-out, roles and API tokens."""

from webapp.auth.views import bp

__all__ = ["bp"]
