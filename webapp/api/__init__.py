"""JSON API under ``/api/v1``: the contract layer every feature's ``api.py`` declares its
routes with (``contract.py``), the OpenAPI document generated from them (``openapi.py``,
served at ``/api/v1/openapi.json``, browsable at ``/api/docs/``), and the caller's identity
(``auth.py``). Importing this package registers every feature's routes on ``bp``."""

from webapp.api import captions as _captions  # noqa: F401  (captions, player preferences)
from webapp.api import catalogue, clips  # noqa: F401  (route modules register on bp)
from webapp.api import cohorts as _cohorts  # noqa: F401  (blended learning)
from webapp.api import docs as _docs  # noqa: F401  (the OpenAPI document)
from webapp.api import paths as _paths  # noqa: F401  (learning paths)
from webapp.api import reports as _reports  # noqa: F401  (analytics and reports)
from webapp.api.blueprint import bp
from webapp.api.docs import docs_bp
from webapp.auth import api as _auth  # noqa: F401  (API tokens)
from webapp.certificates import api as _certificates  # noqa: F401  (certificates)
from webapp.notes import api as _notes  # noqa: F401  (notes and bookmarks)
from webapp.playback import api as _playback  # noqa: F401  (videos)
from webapp.progress import api as _progress  # noqa: F401  (progress and heartbeats)
from webapp.uploads import api as _uploads  # noqa: F401  (direct multipart uploads)

__all__ = ["bp", "docs_bp"]
