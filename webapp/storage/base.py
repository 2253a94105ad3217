"""The one storage interface every backend implements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")


class StorageError(Exception):
    """The store failed (transient: worth a retry)."""


class ObjectNotFound(StorageError):
    """No object under that key."""


def check_key(key: str) -> str:
    """Reject keys that could escape the store's root or are otherwise odd."""
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key or key.endswith("/"):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class Storage(Protocol):
    """put / get / delete / list over flat keys such as ``videos/12/hls/3/master.m3u8``."""

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Store the file at ``path`` under ``key`` (readers never see a partial object)."""

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Store ``data`` under ``key``."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object; raises ObjectNotFound."""

    def get_bytes(self, key: str) -> bytes:
        """The whole object (for small ones such as playlists); raises ObjectNotFound."""

    def download(self, key: str, dest: Path) -> None:
        """Copy the object to the local file ``dest``."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""

    def size(self, key: str) -> int:
        """The object's size in bytes; raises ObjectNotFound."""

    def delete(self, key: str) -> None:
        """Delete one object; deleting a missing object is not an error."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix/``; returns how many."""

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under ``prefix/``, in no particular order."""

    def check(self) -> None:
        """Raise StorageError unless the store is reachable and writable."""
