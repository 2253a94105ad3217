"""JSON API under ``/api/v1`` (documented in docs/api.md)."""

from webapp.api import captions as _captions  # noqa: F401  (captions, player preferences)
from webapp.api import catalogue, clips, tokens, views  # noqa: F401  (route modules register on bp)
from webapp.api import certificates as _certificates  # noqa: F401  (certificates)
from webapp.api import cohorts as _cohorts  # noqa: F401  (blended learning)
from webapp.api import notes as _notes  # noqa: F401  (notes and bookmarks)
from webapp.api import paths as _paths  # noqa: F401  (learning paths)
from webapp.api import reports as _reports  # noqa: F401  (analytics and reports)
from webapp.api import uploads as _uploads  # noqa: F401  (direct multipart uploads)
from webapp.api.blueprint import bp

__all__ = ["bp"]
