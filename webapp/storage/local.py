"""Local-disk storage: the embedded default."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from webapp.storage.base import ObjectNotFound, StorageError, check_key


class LocalStorage:
    """Objects are files under ``root``; writes go to a temp file and are renamed in."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file that holds ``key`` (it may not exist)."""
        return self.root / check_key(key)

    def _write_atomically(self, key: str, fill) -> None:
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Copy ``path`` in under ``key``."""
        with open(path, "rb") as src:
            self._write_atomically(key, lambda fh: shutil.copyfileobj(src, fh, 1024 * 1024))

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Write ``data`` under ``key``."""
        self._write_atomically(key, lambda fh: fh.write(data))

    def open(self, key: str) -> BinaryIO:
        """Open the object for reading."""
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    def get_bytes(self, key: str) -> bytes:
        """Read the whole file."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    def download(self, key: str, dest: Path) -> None:
        """Copy the object to ``dest``."""
        with self.open(key) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        """The file's size."""
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    def delete(self, key: str) -> None:
        """Remove the file if present."""
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        """Remove the whole directory under ``prefix``."""
        folder = self.path(prefix)
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        return count

    def list(self, prefix: str) -> Iterator[str]:
        """Every file under ``prefix`` as a key (temp files excluded)."""
        folder = self.path(prefix)
        if not folder.is_dir():
            return
        for p in folder.rglob("*"):
            if p.is_file() and not p.name.startswith(".part-"):
                yield p.relative_to(self.root).as_posix()

    def check(self) -> None:
        """The root must exist and be writable."""
        if not (self.root.is_dir() and os.access(self.root, os.W_OK)):
            raise StorageError(f"media root {self.root} is not a writable directory")
