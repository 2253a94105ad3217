"""Back-office pages for courses and programs: list, create, edit details, order the
modules or courses (drag and drop, or Move up / Move down forms that work without
JavaScript), and delete after a confirmation. Every write is a service of
``webapp.learning.services``; the JSON API calls the same ones.

The blueprint is ``manage_common``'s; importing this module registers the routes of
``manage_courses``, ``manage_programs`` and ``manage_enrolments`` on it."""

from webapp.learning import manage_courses, manage_enrolments, manage_programs  # noqa: F401
from webapp.learning.manage_common import VENDOR_FILES, bp

__all__ = ["VENDOR_FILES", "bp"]
