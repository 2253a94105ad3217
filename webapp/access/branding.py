"""Who may change the platform's name, colour, logo and favicon."""

from __future__ import annotations

from webapp.models import User


def can_manage_branding(user: User) -> bool:
    """Admins only: the look is the whole site's."""
    return bool(user.is_authenticated and user.is_admin)
