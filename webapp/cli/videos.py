"""``flask videos import PATH`` for one file, a folder, or a CSV manifest.

A batch goes through the same ingest path as an upload (probe, quota, stored source, a
queued job), one commit per file, under one progress bar; files whose SHA-256 is already
a video's source are skipped, so running it again imports only what is new.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp import jobs
from webapp.csvinput import CsvError, read_rows
from webapp.extensions import db
from webapp.models import JobState, Role, TranscodeJob, User, Video
from webapp.uploads.details import Details, DetailsRejected, check_details
from webapp.uploads.rules import CONTAINERS
from webapp.uploads.services import MediaToolsUnavailable, UploadRejected, ingest

videos = AppGroup("videos", help="Manage videos.")

MANIFEST_COLUMNS = ("title", "description", "topic", "level", "tags", "owner")


@dataclass(frozen=True)
class Item:
    """One file of a batch and what it should become; ``problem`` says why not."""

    label: str
    path: Path | None = None
    details: Details | None = None
    owner: User | None = None
    problem: str | None = None


def _default_owner() -> User:
    owner = db.session.scalar(
        select(User).where(User.role.in_([Role.ADMIN, Role.INSTRUCTOR])).order_by(User.id)
    )
    if owner is None:
        raise click.ClickException("no instructor or admin exists: create one with `users create`")
    return owner


def _uploader(email: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    return user if user is not None and user.can_upload else None


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@videos.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--title", default=None, help="One file's title (default: its name).")
@click.option("--owner", "owner_email", default=None, help="Instructor e-mail (default: first).")
@click.option("--wait", is_flag=True, help="One file: wait until READY (exit 0) or FAILED (1).")
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait at most.")
def import_video(
    path: Path, title: str | None, owner_email: str | None, wait: bool, timeout: int
) -> None:
    """Import a recording, a folder of recordings, or those a CSV manifest lists
    (columns path, title, description, topic, level, tags, owner; paths relative to
    the manifest's folder).

    One file: prints the new video id alone on the first line. A folder or manifest:
    one progress bar, then what was imported, skipped (already imported, by checksum)
    and refused, row by row; exits 1 when something was refused.
    """
    owner = _default_owner()
    if owner_email:
        named = _uploader(owner_email)
        if named is None:
            raise click.ClickException(f"{owner_email} is not an instructor or admin")
        owner = named
    if path.is_file() and path.suffix.lower() != ".csv":
        _import_one(path, title, owner, wait, timeout)
        return
    if title is not None or wait:
        raise click.ClickException("--title and --wait work with one file, not a batch")
    items = _manifest_items(path, owner) if path.is_file() else _folder_items(path, owner)
    sys.exit(_import_batch(items))


def _import_one(path: Path, title: str | None, owner: User, wait: bool, timeout: int) -> None:
    try:
        details = check_details(title=title if title is not None else path.stem)
        video, job = ingest(
            path, owner=owner, filename=path.name, details=details, sha256=sha256_of(path)
        )
        db.session.commit()
    except UploadRejected as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(video.id)
    if not jobs.dispatch(job.id):
        click.echo("warning: the queue is unreachable; the job stays queued", err=True)
    if wait:
        sys.exit(_wait(job.id, timeout))


def _folder_items(folder: Path, owner: User) -> list[Item]:
    """Every recording directly in ``folder`` (by extension), titled by file name."""
    items = []
    for entry in sorted(folder.iterdir()):
        if entry.suffix.lower() not in CONTAINERS:
            continue
        if entry.is_symlink():
            items.append(Item(entry.name, problem="is a symbolic link; copy the file instead"))
        elif entry.is_file():
            items.append(_item(entry.name, entry, owner, {"title": entry.stem}))
    return items


def _manifest_items(manifest: Path, owner: User) -> list[Item]:
    """The manifest's rows as items; a row's problems are kept for the report."""
    try:
        rows = read_rows(manifest.read_bytes(), required=["path"], optional=MANIFEST_COLUMNS)
    except CsvError as exc:
        raise click.ClickException(f"{manifest.name}: {exc}") from exc
    items = []
    for row in rows:
        label = f"line {row.line} ({row.cells['path'] or 'no path'})"
        where = _manifest_path(manifest.parent, row.cells["path"])
        if isinstance(where, str):
            items.append(Item(label, problem=where))
            continue
        row_owner: User | None = owner
        if row.cells.get("owner"):
            row_owner = _uploader(row.cells["owner"])
            if row_owner is None:
                problem = f"owner {row.cells['owner']} is not an instructor or admin"
                items.append(Item(label, problem=problem))
                continue
        cells = dict(row.cells)
        cells["title"] = cells.get("title") or where.stem
        items.append(_item(label, where, row_owner, cells))
    return items


def _manifest_path(folder: Path, raw: str) -> Path | str:
    """The file a manifest row names, inside ``folder`` and through no symbolic link;
    else the reason it is refused."""
    if not raw:
        return "has no path"
    relative = Path(raw)
    if relative.is_absolute() or ".." in relative.parts:
        return "path must be relative to the manifest's folder, inside it"
    candidate = folder
    for part in relative.parts:
        candidate = candidate / part
        if candidate.is_symlink():
            return "path goes through a symbolic link; copy the file instead"
    if not candidate.resolve().is_relative_to(folder.resolve()):
        return "path is outside the manifest's folder"
    if not candidate.is_file():
        return "no such file"
    return candidate


def _item(label: str, path: Path, owner: User | None, cells: dict[str, str]) -> Item:
    try:
        details = check_details(
            title=cells.get("title"),
            description=cells.get("description"),
            topic=cells.get("topic"),
            level=cells.get("level"),
            tags=cells.get("tags"),
        )
    except DetailsRejected as exc:
        problem = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
        return Item(label, problem=problem)
    return Item(label, path, details, owner)


def _import_batch(items: list[Item]) -> int:
    """Import each item (one commit each); prints the report; 1 if any was refused."""
    report: list[tuple[str, str]] = []
    with click.progressbar(items, label="importing", file=sys.stderr) as bar:
        for item in bar:
            report.append(_import_item(item))
    for outcome, line in report:
        click.echo(f"{outcome:<9}{line}")
    counts = {kind: sum(1 for outcome, _ in report if outcome == kind) for kind in _KINDS}
    click.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 1 if counts["refused"] else 0


_KINDS = ("imported", "skipped", "refused")


def _import_item(item: Item) -> tuple[str, str]:
    if item.problem is not None or item.path is None or item.details is None:
        return "refused", f"{item.label}: {item.problem}"
    assert item.owner is not None
    checksum = sha256_of(item.path)
    known = db.session.scalar(select(Video.id).where(Video.source_sha256 == checksum).limit(1))
    if known is not None:
        return "skipped", f"{item.label}: already imported as video {known}"
    try:
        video, job = ingest(
            item.path,
            owner=item.owner,
            filename=item.path.name,
            details=item.details,
            sha256=checksum,
        )
        db.session.commit()
    except (UploadRejected, MediaToolsUnavailable) as exc:
        db.session.rollback()
        return "refused", f"{item.label}: {exc}"
    queued = "" if jobs.dispatch(job.id) else " (queue unreachable: the job stays queued)"
    return "imported", f"{item.label}: video {video.id} “{video.title}”{queued}"


def _wait(job_id: int, timeout: int) -> int:
    deadline = time.monotonic() + timeout
    shown = 0
    with click.progressbar(length=100, label="transcoding", file=sys.stderr) as bar:
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get_one(TranscodeJob, job_id)
            bar.update(int(job.progress) - shown)
            shown = int(job.progress)
            if job.state == JobState.READY:
                bar.update(100 - shown)
                return 0
            if job.state == JobState.FAILED:
                click.echo(f"\nFAILED: {job.error}", err=True)
                return 1
            db.session.rollback()
            time.sleep(1)
    click.echo(f"\ntimed out after {timeout}s (job {job_id} still {job.state})", err=True)
    return 2
