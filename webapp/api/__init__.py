"""JSON API under ``/api/v1``: the contract layer every feature's ``api.py`` declares its
routes with (``contract.py``), the OpenAPI document generated from them (``openapi.py``,
served at ``/api/v1/openapi.json``, browsable at ``/api/docs/``), and the caller's identity
(``auth.py``). Importing this package registers every feature's routes on ``bp``."""

from webapp.accounts import api as _accounts  # noqa: F401  (invitations, password resets)
from webapp.admin import api as _admin  # noqa: F401  (the admin home's figures)
from webapp.analytics import api as _analytics  # noqa: F401  (instructor analytics)
from webapp.api import docs as _docs  # noqa: F401  (the OpenAPI document)
from webapp.api.blueprint import bp
from webapp.api.docs import docs_bp
from webapp.auth import api as _auth  # noqa: F401  (API tokens)
from webapp.captions import api as _captions  # noqa: F401  (captions, player preferences)
from webapp.catalogue import api as _catalogue  # noqa: F401  (the catalogue of modules)
from webapp.certificates import api as _certificates  # noqa: F401  (certificates)
from webapp.clips import api as _clips  # noqa: F401  (clips, chapters, suggestions, exports)
from webapp.cohorts import api as _cohorts  # noqa: F401  (blended learning)
from webapp.enrolment import api as _enrolment  # noqa: F401  (orders, vouchers, seats)
from webapp.exams import api as _exams  # noqa: F401  (graded exam attempts)
from webapp.learning import api as _learning  # noqa: F401  (learning paths)
from webapp.notes import api as _notes  # noqa: F401  (notes and bookmarks)
from webapp.notifications import api as _notifications  # noqa: F401  (the bell)
from webapp.organisations import api as _organisations  # noqa: F401  (organisations)
from webapp.people import api as _people  # noqa: F401  (profile, admin user list)
from webapp.playback import api as _playback  # noqa: F401  (videos)
from webapp.progress import api as _progress  # noqa: F401  (progress and heartbeats)
from webapp.projects import api as _projects  # noqa: F401  (projects, issue 21)
from webapp.questions import api as _questions  # noqa: F401  (questions at the moment)
from webapp.quizzes import api as _quizzes  # noqa: F401  (in-video quizzes)
from webapp.reports import api as _reports  # noqa: F401  (reports)
from webapp.uploads import api as _uploads  # noqa: F401  (direct multipart uploads)
from webapp.videos import api as _videos  # noqa: F401  (the video manager)

__all__ = ["bp", "docs_bp"]
