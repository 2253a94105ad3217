"""Local-disk storage: the embedded default.

Layout under ``root``: objects at their key; multipart uploads staged in
``.uploads/<upload id>/`` and the ETags of objects joined from parts in ``.meta/``.
Keys start with a letter or digit, so neither dot-folder can collide with one.
"""

from __future__ import annotations

import builtins  # annotations below the `list` method must name the builtin
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

from webapp.storage.base import (
    MIN_PART_SIZE,
    InvalidUpload,
    MultipartInfo,
    ObjectNotFound,
    ObjectStat,
    PartInfo,
    StorageError,
    UploadNotFound,
    check_expiry,
    check_key,
    check_part_number,
    file_md5,
    multipart_etag,
    quote_etag,
)
from webapp.storage.content_types import content_type as type_for_key

_UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_PART_RE = re.compile(r"^(\d{5})\.part$")
_TEMP_PREFIX = ".part-"
_CHUNK = 1024 * 1024


class LocalStorage:
    """Objects are files under ``root``; writes go to a temp file and are renamed in."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._uploads = self.root / ".uploads"
        self._meta = self.root / ".meta"

    def path(self, key: str) -> Path:
        """The file that holds ``key`` (it may not exist)."""
        return self.root / check_key(key)

    def _write_atomically(self, key: str, fill: Callable[[BinaryIO], object]) -> Path:
        dest = self.path(key)
        fd, tmp = self._temp_beside(dest)
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._meta_path(key).unlink(missing_ok=True)
        return dest

    def _temp_beside(self, dest: Path) -> tuple[int, str]:
        """A temp file in ``dest``'s folder, made if missing. A delete that prunes the
        folder as it empties may race with this: making it again is enough."""
        for _ in range(3):
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                return tempfile.mkstemp(dir=dest.parent, prefix=_TEMP_PREFIX)
            except FileNotFoundError:
                continue
        raise StorageError(f"could not create a file in {dest.parent}")

    def _prune(self, folder: Path, top: Path) -> None:
        """Remove ``folder`` and its parents up to (not including) ``top`` while they are
        empty: a deleted object leaves no empty folder behind."""
        while folder != top and folder.is_relative_to(top):
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone with its parent): stop
                return
            folder = folder.parent

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Copy ``path`` in under ``key``."""
        with open(path, "rb") as src:
            self._write_atomically(key, lambda fh: shutil.copyfileobj(src, fh, _CHUNK))

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Write ``data`` under ``key``."""
        self._write_atomically(key, lambda fh: fh.write(data))

    def open(self, key: str) -> BinaryIO:
        """Open the object for reading."""
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ObjectNotFound(key) from exc

    def get_bytes(self, key: str) -> bytes:
        """Read the whole file."""
        with self.open(key) as fh:
            return fh.read()

    def download(self, key: str, dest: Path) -> None:
        """Copy the object to ``dest``."""
        with self.open(key) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        """The file's size."""
        return self._stat_file(key).st_size

    def _stat_file(self, key: str) -> os.stat_result:
        path = self.path(key)
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        if not path.is_file():
            raise ObjectNotFound(key)
        return st

    def stat(self, key: str) -> ObjectStat:
        """Size and ETag: md5 of the file, or S3's multipart form if it was joined from parts."""
        st = self._stat_file(key)
        etag = self._recorded_etag(key, st) or file_md5(self.path(key))
        return ObjectStat(size=st.st_size, etag=etag, content_type=type_for_key(key))

    def file_etag(self, path: Path) -> str:
        """``put_file`` copies bytes as they are: the file's md5."""
        return file_md5(path)

    def _meta_path(self, key: str) -> Path:
        return self._meta / f"{check_key(key)}.etag"

    def _recorded_etag(self, key: str, st: os.stat_result) -> str | None:
        """The multipart ETag recorded at completion, if the file is still that one."""
        try:
            ino, size, mtime_ns, etag = self._meta_path(key).read_text().split()
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None
        if (int(ino), int(size), int(mtime_ns)) != (st.st_ino, st.st_size, st.st_mtime_ns):
            return None
        return etag

    def delete(self, key: str) -> None:
        """Remove the file if present, and the folders it leaves empty."""
        path = self.path(key)
        meta = self._meta_path(key)
        path.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        self._prune(path.parent, self.root)
        self._prune(meta.parent, self._meta)

    def delete_prefix(self, prefix: str) -> int:
        """Remove the whole directory under ``prefix``."""
        folder = self.path(prefix)
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        shutil.rmtree(self._meta / prefix, ignore_errors=True)
        self._prune(folder.parent, self.root)
        self._prune((self._meta / prefix).parent, self._meta)
        return count

    def list(self, prefix: str) -> Iterator[str]:
        """Every file under ``prefix`` (or the root) as a key; temp and dot-folders excluded."""
        folder = self.path(prefix) if prefix else self.root
        if not folder.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(folder):
            here = Path(dirpath)
            if here == self.root:
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                filenames = [f for f in filenames if not f.startswith(".")]
            for name in filenames:
                if not name.startswith(_TEMP_PREFIX):
                    yield (here / name).relative_to(self.root).as_posix()

    def check(self) -> None:
        """The root must exist and be writable."""
        if not (self.root.is_dir() and os.access(self.root, os.W_OK)):
            raise StorageError(f"media root {self.root} is not a writable directory")

    # ------------------------------------------------------------------ direct delivery

    def presign_get(
        self, key: str, expires_in: int, *, download_name: str | None = None
    ) -> str | None:
        """No direct URL on local disk: the app serves the file (signed app URL)."""
        check_key(key)
        check_expiry(expires_in)
        return None

    # ------------------------------------------------------------------ multipart uploads

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        """Make the staging folder, complete with its manifest, in one rename."""
        check_key(key)
        self._uploads.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_hex(16)
        staging = Path(tempfile.mkdtemp(dir=self._uploads, prefix=".new-"))
        manifest = {"key": key, "initiated": datetime.now(UTC).isoformat()}
        (staging / "upload.json").write_text(json.dumps(manifest))
        os.rename(staging, self._uploads / upload_id)
        return upload_id

    def _upload_dir(self, key: str, upload_id: str) -> Path:
        """The staging folder of ``upload_id``, which must be an upload to ``key``."""
        check_key(key)
        if not _UPLOAD_ID_RE.match(upload_id):
            raise UploadNotFound(upload_id)
        folder = self._uploads / upload_id
        try:
            manifest = json.loads((folder / "upload.json").read_text())
        except FileNotFoundError as exc:
            raise UploadNotFound(upload_id) from exc
        if manifest["key"] != key:
            raise UploadNotFound(upload_id)
        return folder

    def presign_part(
        self, key: str, upload_id: str, part_number: int, expires_in: int
    ) -> str | None:
        """No direct URL on local disk: the app takes the part and calls ``upload_part``."""
        check_key(key)
        check_part_number(part_number)
        check_expiry(expires_in)
        return None

    def upload_part(self, key: str, upload_id: str, part_number: int, data: IO[bytes]) -> str:
        """Write the part to a temp file, then rename it (and its ETag) over any earlier one."""
        folder = self._upload_dir(key, upload_id)
        check_part_number(part_number)
        digest = hashlib.md5()
        temps: list[str] = []
        try:
            fd, part_tmp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)
            temps.append(part_tmp)
            with os.fdopen(fd, "wb") as fh:
                while block := data.read(_CHUNK):
                    digest.update(block)
                    fh.write(block)
            # The ETag file names the part's inode, so a reader can tell whether a pair of
            # concurrent re-sends left it next to the other sender's part.
            fd, etag_tmp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)
            temps.append(etag_tmp)
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.stat(part_tmp).st_ino} {digest.hexdigest()}")
            os.replace(part_tmp, folder / f"{part_number:05d}.part")
            os.replace(etag_tmp, folder / f"{part_number:05d}.etag")
        except FileNotFoundError as exc:  # aborted meanwhile
            raise UploadNotFound(upload_id) from exc
        finally:
            for tmp in temps:
                Path(tmp).unlink(missing_ok=True)
        return quote_etag(digest.hexdigest())

    def _part_etag(self, part: Path) -> str:
        try:
            ino, hexdigest = part.with_suffix(".etag").read_text().split()
            if int(ino) == part.stat().st_ino:
                return quote_etag(hexdigest)
        except (FileNotFoundError, ValueError):
            pass
        return file_md5(part)

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """The staged parts, by number."""
        folder = self._upload_dir(key, upload_id)
        parts = []
        for part in sorted(folder.iterdir()):
            match = _PART_RE.match(part.name)
            if match:
                size = part.stat().st_size
                parts.append(PartInfo(int(match.group(1)), self._part_etag(part), size))
        return parts

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]
    ) -> None:
        """Check the parts as S3 would, concatenate them into the object, drop the staging."""
        try:
            folder = self._upload_dir(key, upload_id)
            stored = {part.number: part for part in self.list_parts(key, upload_id)}
        except (UploadNotFound, FileNotFoundError):
            if self._completed_as(key, parts):
                return  # a retried completion whose first attempt succeeded
            raise UploadNotFound(upload_id) from None
        _check_completion(parts, stored)

        def fill(fh: BinaryIO) -> None:
            # Hash while copying: a part re-sent since the check must not slip in.
            for number, etag in parts:
                digest = hashlib.md5()
                with open(folder / f"{number:05d}.part", "rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        fh.write(block)
                if quote_etag(digest.hexdigest()) != quote_etag(etag):
                    raise InvalidUpload(f"part {number} changed during completion")

        try:
            dest = self._write_atomically(key, fill)
        except FileNotFoundError as exc:  # aborted or completed meanwhile
            raise UploadNotFound(upload_id) from exc
        self._record_etag(key, dest, multipart_etag([etag for _, etag in parts]))
        shutil.rmtree(folder, ignore_errors=True)

    def _record_etag(self, key: str, dest: Path, etag: str) -> None:
        """Remember a joined object's ETag, tied to this very file (inode, size, mtime)."""
        st = dest.stat()
        meta = self._meta_path(key)
        fd, tmp = self._temp_beside(meta)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {etag}")
        os.replace(tmp, meta)

    def _completed_as(self, key: str, parts: builtins.list[tuple[int, str]]) -> bool:
        try:
            return bool(parts) and self.stat(key).etag == multipart_etag([e for _, e in parts])
        except ObjectNotFound:
            return False

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Remove the staging folder, if there is one."""
        try:
            folder = self._upload_dir(key, upload_id)
        except UploadNotFound:
            return
        shutil.rmtree(folder, ignore_errors=True)

    def list_multipart_uploads(self, prefix: str) -> builtins.list[MultipartInfo]:
        """Every staged upload whose key is under ``prefix/``."""
        if prefix:
            check_key(prefix)
        if not self._uploads.is_dir():
            return []
        uploads = []
        for folder in self._uploads.iterdir():
            if not _UPLOAD_ID_RE.match(folder.name):
                continue
            try:
                manifest = json.loads((folder / "upload.json").read_text())
            except FileNotFoundError:
                continue  # aborted meanwhile
            if not prefix or manifest["key"].startswith(prefix + "/"):
                initiated = datetime.fromisoformat(manifest["initiated"])
                uploads.append(MultipartInfo(manifest["key"], folder.name, initiated))
        return uploads


def _check_completion(parts: list[tuple[int, str]], stored: dict[int, PartInfo]) -> None:
    """Refuse a completion S3 would refuse (InvalidUpload)."""
    if not parts:
        raise InvalidUpload("no parts given")
    numbers = [number for number, _ in parts]
    if numbers != sorted(set(numbers)):
        raise InvalidUpload("parts must be listed in ascending order, each once")
    for index, (number, etag) in enumerate(parts):
        part = stored.get(number)
        if part is None or part.etag.strip('"') != etag.strip('"'):
            raise InvalidUpload(f"part {number} is missing or its ETag does not match")
        if index < len(parts) - 1 and part.size < MIN_PART_SIZE:
            raise InvalidUpload(f"part {number} is smaller than {MIN_PART_SIZE} bytes")
