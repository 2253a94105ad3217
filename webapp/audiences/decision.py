"""The one access decision: may this user watch this video, clip or module, and if they
see it but may not play it yet, why ("Complete ‘SEO Basics’ first").

Visibility comes from the audience rules (``rules.py``, SQL, shared with the lists).
Prerequisites lock what is visible: a module in courses whose prerequisite courses the
learner has not completed (every course containing it locked) is locked, with the reason
naming the courses to complete. Admins and the content's instructors are never locked
out; a free preview is never locked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from webapp.audiences.rules import (
    teaches_module_rule,
    teaches_video_rule,
    visible_module_rule,
    visible_video_rule,
)
from webapp.extensions import db
from webapp.models import Clip, CourseModule, Module, User, Video, VideoState


@dataclass(frozen=True)
class Decision:
    """What ``user`` may do with one piece of content.

    ``visible`` False: they may not know it exists (404 on pages and the API, 403 on
    media). Visible but ``locked_reason`` set: 403 with that reason, nothing minted.
    """

    visible: bool
    locked_reason: str = ""

    @property
    def allowed(self) -> bool:
        """May play it (and be handed links, grants, notes…)."""
        return self.visible and not self.locked_reason


HIDDEN = Decision(False)
ALLOWED = Decision(True)


def whole_module(video_id: int) -> Module | None:
    """The whole-recording module of a video, if any."""
    return db.session.scalars(
        select(Module).where(Module.video_id == video_id, Module.clip_id.is_(None))
    ).first()


def _video_standing(user: User, video: Video) -> tuple[bool, bool]:
    """(may see it, never locked for them): one query at most."""
    if not user.is_authenticated:
        return False, False
    if user.is_admin or video.owner_id == user.id:
        return True, True
    if not video.is_playable:
        return False, False
    row = db.session.execute(
        select(teaches_video_rule(Video, user)).where(
            Video.id == video.id, visible_video_rule(user)
        )
    ).first()
    if row is None:
        return False, False
    return True, bool(row[0])


def video_visible(user: User, video: Video) -> bool:
    """Whether ``user`` may see ``video`` at all (one query; locks aside)."""
    return _video_standing(user, video)[0]


def decide_video(user: User, video: Video) -> Decision:
    """May ``user`` watch the whole recording ``video``? Owners and admins see it in
    any state; others only once playable, if the audience rules let them (one query),
    and not while its module is locked by prerequisites."""
    visible, exempt = _video_standing(user, video)
    if not visible:
        return HIDDEN
    if exempt:
        return ALLOWED
    module = whole_module(video.id)
    if module is None:
        return ALLOWED
    return Decision(True, lock_reasons(user, [module]).get(module.id, ""))


def decide_clip(user: User, clip: Clip) -> Decision:
    """May ``user`` watch ``clip``? Its recording must be READY; then its module's rule
    (the recording's audience and its own) and its prerequisites decide."""
    if not user.is_authenticated or clip.video.state != VideoState.READY:
        return HIDDEN
    if user.is_admin or clip.video.owner_id == user.id:
        return ALLOWED
    module = db.session.scalars(select(Module).where(Module.clip_id == clip.id)).first()
    if module is None:  # not in the catalogue: as visible as its recording
        return ALLOWED if video_visible(user, clip.video) else HIDDEN
    return decide_module(user, module)


def decide_module(user: User, module: Module) -> Decision:
    """May ``user`` watch ``module`` (a whole recording or a clip)? One query for the
    audience, and up to three for its prerequisites."""
    if not user.is_authenticated:
        return HIDDEN
    if user.is_admin:
        return ALLOWED
    row = db.session.execute(
        select(teaches_module_rule(Module, user)).where(
            Module.id == module.id, visible_module_rule(user)
        )
    ).first()
    if row is None:
        return HIDDEN
    if row[0]:
        return ALLOWED
    return Decision(True, lock_reasons(user, [module]).get(module.id, ""))


def lock_reasons(user: User, modules: Sequence[Module]) -> dict[int, str]:
    """Module id → why it is locked for ``user`` (absent: not locked), for modules the
    caller already knows ``user`` may see and does not teach. Three queries at most,
    however many modules: their courses, the prerequisites, the learner's progress."""
    from webapp.learning.queries import prerequisites
    from webapp.learning.rollups import course_modules, is_completed, unlock_hint
    from webapp.progress.queries import module_progress

    if not user.is_authenticated or user.is_admin:
        return {}
    ids = [m.id for m in modules if not m.free_preview]
    if not ids:
        return {}
    courses_of: dict[int, list[int]] = {}
    for module_id, course_id in db.session.execute(
        select(CourseModule.module_id, CourseModule.course_id)
        .where(CourseModule.module_id.in_(ids))
        .order_by(CourseModule.module_id, CourseModule.id)
    ):
        courses_of.setdefault(module_id, []).append(course_id)
    if not courses_of:
        return {}
    requires = prerequisites(c for cs in courses_of.values() for c in cs)
    if not requires:
        return {}
    required_modules = {
        m.id: m for courses in requires.values() for c in courses for m in course_modules(c)
    }
    progress = module_progress(user.id, list(required_modules.values()))
    blockers = {
        course_id: [r.title for r in required if not is_completed(r, progress)]
        for course_id, required in requires.items()
    }
    reasons: dict[int, str] = {}
    for module_id, course_ids in courses_of.items():
        per_course = [blockers.get(c, []) for c in course_ids]
        if per_course and all(per_course):
            reasons[module_id] = unlock_hint(per_course[0])
    return reasons


def teaching_module_ids(user: User, module_ids: Iterable[int]) -> set[int]:
    """Those of ``module_ids`` that ``user`` teaches (never locked for them): one query."""
    ids = list(module_ids)
    if not ids or not user.is_authenticated:
        return set()
    if user.is_admin:
        return set(ids)
    return set(
        db.session.scalars(
            select(Module.id).where(Module.id.in_(ids), teaches_module_rule(Module, user))
        )
    )


def locks_for_listing(user: User, modules: Sequence[Module]) -> dict[int, str]:
    """Module id → lock reason for a page of visible modules: one query when none of
    them is in a course, four at most otherwise."""
    if not modules or not user.is_authenticated or user.is_admin:
        return {}
    reasons = lock_reasons(user, modules)
    if reasons:
        for module_id in teaching_module_ids(user, reasons):
            del reasons[module_id]
    return reasons
