"""Joining and getting back in: sign-up policy, open sign-up, invitations, password reset."""

from webapp.accounts.views import bp

__all__ = ["bp"]
