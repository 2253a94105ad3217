"""The one storage interface every backend implements."""

from __future__ import annotations

import builtins  # annotations below the `list` method must name the builtin
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO, Protocol

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")

# S3's rules for multipart uploads, kept by every backend so they behave alike.
MIN_PART_SIZE = 5 * 1024**2
MAX_PART_NUMBER = 10_000
# SigV4 presigned URLs live at most a week.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600


class StorageError(Exception):
    """The store failed (transient: worth a retry, unless ``transient`` says otherwise)."""

    transient = True


class ObjectNotFound(StorageError):
    """No object under that key."""

    transient = False


class UploadNotFound(StorageError):
    """No multipart upload with that id for that key (never started, completed or aborted)."""

    transient = False


class InvalidUpload(StorageError):
    """A multipart completion the store refuses: a part missing, mismatched or too small."""

    transient = False


@dataclass(frozen=True)
class ObjectStat:
    """What the store knows about one object; ``etag`` is quoted, as S3 sends it."""

    size: int
    etag: str
    content_type: str


@dataclass(frozen=True)
class PartInfo:
    """One uploaded part of a multipart upload."""

    number: int
    etag: str
    size: int


@dataclass(frozen=True)
class MultipartInfo:
    """A multipart upload in progress (``initiated`` is an aware UTC datetime)."""

    key: str
    upload_id: str
    initiated: datetime


def check_key(key: str) -> str:
    """Reject keys that could escape the store's root or are otherwise odd."""
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key or key.endswith("/"):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def check_part_number(number: int) -> int:
    """Part numbers run from 1 to 10,000, as in S3."""
    if not 1 <= number <= MAX_PART_NUMBER:
        raise ValueError(f"part number out of range: {number}")
    return number


def check_expiry(seconds: int) -> int:
    """A presigned URL's lifetime: at least a second, at most a week."""
    if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
        raise ValueError(f"expiry out of range: {seconds}")
    return seconds


def quote_etag(hexdigest: str) -> str:
    """An ETag in S3's wire form: the hex digest in double quotes."""
    return '"' + hexdigest.strip('"') + '"'


def multipart_etag(part_etags: list[str]) -> str:
    """The ETag S3 gives a multipart object: md5 of the parts' binary md5s, then ``-N``."""
    digest = hashlib.md5()
    for etag in part_etags:
        digest.update(bytes.fromhex(etag.strip('"')))
    return quote_etag(f"{digest.hexdigest()}-{len(part_etags)}")


def file_md5(path: Path, chunk: int = 1024**2) -> str:
    """The quoted md5 of a whole file (the ETag of a single-PUT object)."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return quote_etag(digest.hexdigest())


def file_multipart_etag(path: Path, part_size: int) -> str:
    """The ETag of ``path`` uploaded in ``part_size`` parts."""
    etags = []
    with open(path, "rb") as fh:
        while block := fh.read(part_size):
            etags.append(quote_etag(hashlib.md5(block).hexdigest()))
    return multipart_etag(etags)


class Storage(Protocol):
    """put / get / delete / list over flat keys such as ``videos/12/hls/3/master.m3u8``.

    Multipart uploads follow S3's rules on every backend: parts numbered 1..10,000, each
    at least ``MIN_PART_SIZE`` except the last; re-sending a part replaces it.
    """

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

    def stat(self, key: str) -> ObjectStat:
        """Size, ETag and content type of the object; raises ObjectNotFound."""

    def file_etag(self, path: Path) -> str:
        """The ETag ``put_file(key, path)`` would give the object here."""

    def delete(self, key: str) -> None:
        """Delete one object; deleting a missing object is not an error."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix/``; returns how many."""

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under ``prefix/`` (every key when ``prefix`` is empty), in no set order."""

    def check(self) -> None:
        """Raise StorageError unless the store is reachable and writable."""

    def presign_get(
        self, key: str, expires_in: int, *, download_name: str | None = None
    ) -> str | None:
        """A URL that GETs the object directly, or None: serve it through the app."""

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        """Start a multipart upload to ``key``; returns its upload id."""

    def presign_part(
        self, key: str, upload_id: str, part_number: int, expires_in: int
    ) -> str | None:
        """A URL a client PUTs one part to, or None: the app accepts the part itself."""

    def upload_part(self, key: str, upload_id: str, part_number: int, data: IO[bytes]) -> str:
        """Store one part (replacing an earlier one of that number); returns its ETag."""

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """The parts stored so far, by number; raises UploadNotFound."""

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]
    ) -> None:
        """Join the given (number, etag) parts, in order, into the object under ``key``."""

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop an upload and its parts; aborting an unknown upload is not an error."""

    def list_multipart_uploads(self, prefix: str) -> builtins.list[MultipartInfo]:
        """Uploads in progress for keys under ``prefix/`` (all when ``prefix`` is empty)."""
