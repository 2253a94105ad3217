"""Every job kind, by name: the sweeper recovers each one of them.

Adding a kind (caption generation, e-mail, …): a table with ``JobMixin``'s columns (and
its migration), a ``JobKind`` with its hooks in a module of this package, an entry
here, a run function that claims → works → finishes through ``webapp.jobs.lifecycle``,
and a task in ``webapp.jobs.tasks`` that calls ``execution.run_with_retries``.
"""

from __future__ import annotations

from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.jobs.lifecycle import JobKind
from webapp.jobs.transcode import TRANSCODE

KINDS: dict[str, JobKind] = {kind.name: kind for kind in (TRANSCODE, CLIP_EXPORT)}


def kind_named(name: str) -> JobKind:
    """The registered kind ``name`` (KeyError if there is none)."""
    return KINDS[name]
