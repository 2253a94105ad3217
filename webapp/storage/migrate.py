"""Copy every object from local disk to another store, resumably, verifying each copy.

An object already on the target with the same size and ETag (md5, or S3's multipart
form for the part size the target uses) is skipped, so an interrupted run picks up
where it stopped and a damaged copy is sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from webapp.storage.base import ObjectNotFound, Storage, StorageError
from webapp.storage.content_types import content_type
from webapp.storage.local import LocalStorage

COPIED, SKIPPED, PLANNED = "copied", "skipped", "planned"


class CopyMismatch(StorageError):
    """The object read back from the target is not the one sent."""

    transient = False


@dataclass
class MigrationReport:
    """What a run did, key by key."""

    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)  # --dry-run: would be copied
    failed: dict[str, str] = field(default_factory=dict)
    stopped: str | None = None  # why the run gave up before the end

    @property
    def ok(self) -> bool:
        """Every object is (or, in a dry run, could be) on the target."""
        return not self.failed and self.stopped is None


def migrate(
    source: LocalStorage,
    target: Storage,
    *,
    dry_run: bool = False,
    on_object: Callable[[str, str], None] | None = None,
) -> MigrationReport:
    """Copy every object of ``source`` missing or different on ``target``.

    Raises StorageError if the target is unreachable to begin with; if it becomes
    unreachable midway the run stops there (``report.stopped``), to be run again.
    """
    target.check()
    report = MigrationReport()
    for key in sorted(source.list("")):
        try:
            outcome = _copy(source.path(key), target, key, dry_run)
        except (StorageError, OSError) as exc:
            report.failed[key] = str(exc) or type(exc).__name__
            if isinstance(exc, StorageError) and exc.transient and not _reachable(target):
                report.stopped = f"the target became unreachable at {key}"
                break
            continue
        getattr(report, outcome).append(key)
        if on_object:
            on_object(key, outcome)
    return report


def _copy(path: Path, target: Storage, key: str, dry_run: bool) -> str:
    """Copy one object unless the target already has it; reads the file twice at most."""
    size = path.stat().st_size
    expected = None
    try:
        stat = target.stat(key)
    except ObjectNotFound:
        stat = None
    if stat is not None and stat.size == size:
        expected = target.file_etag(path)
        if stat.etag == expected:
            return SKIPPED
    if dry_run:
        return PLANNED
    expected = expected or target.file_etag(path)
    target.put_file(key, path, content_type(key))
    stat = target.stat(key)
    if stat.size != size or stat.etag != expected:
        raise CopyMismatch(
            f"copy differs: {stat.size} bytes, ETag {stat.etag}; sent {size} bytes, {expected}"
        )
    return COPIED


def _reachable(target: Storage) -> bool:
    try:
        target.check()
    except StorageError:
        return False
    return True
