"""What a learner may hand in: files whose bytes are of an allowed type (sniffed; the
name and the client's Content-Type are never trusted) and http(s) links (pure).

Allowed: PDF; PNG, JPEG, GIF, WebP images; ZIP archives; Word, Excel and PowerPoint
documents (OOXML and the old binary formats) and OpenDocument text, sheets and slides;
plain text and Markdown (UTF-8 that is not HTML, SVG or XML markup). Everything is served
back as an attachment with the sniffed type, never inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import filetype

MAX_FILES = 3
MAX_LINKS = 5
LINK_MAX = 500
NAME_MAX = 120

# Sniffed extension → (served type, extensions a download name may keep).
ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "gif": ("image/gif", (".gif",)),
    "webp": ("image/webp", (".webp",)),
    "zip": ("application/zip", (".zip",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    "doc": ("application/msword", (".doc",)),
    "xls": ("application/vnd.ms-excel", (".xls",)),
    "ppt": ("application/vnd.ms-powerpoint", (".ppt",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (".odp",)),
    "txt": ("text/plain; charset=utf-8", (".txt", ".md", ".markdown")),
}
ACCEPT_ATTRIBUTE = ",".join(ext for _, exts in ALLOWED.values() for ext in exts)
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|\?xml|object|embed)", re.I)
_NAME_UNSAFE = re.compile(r"[^\w.\- ()]+")


class FileRefused(ValueError):
    """A file that may not be handed in (the message says why)."""


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: the served type and a safe download name."""

    content_type: str
    name: str


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def kind_of(data: bytes) -> str | None:
    """The allowed kind of ``data`` (a key of ``ALLOWED``), or None."""
    guess = filetype.guess(data)
    if guess is not None:
        return guess.extension if guess.extension in ALLOWED else None
    if _is_text(data) and not _MARKUP.search(data[:65536]):
        return "txt"
    return None


def safe_name(name: str, kind: str) -> str:
    """The client's file name cleaned for a download, with an extension that matches the
    sniffed kind (a text file called ``x.html`` downloads as ``x.html.txt``)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = _NAME_UNSAFE.sub("_", base).strip(" .") or "file"
    extensions = ALLOWED[kind][1]
    if PurePosixPath(base).suffix.lower() not in extensions:
        base = f"{base}{extensions[0]}"
    if len(base) > NAME_MAX:
        suffix = PurePosixPath(base).suffix
        base = base[: NAME_MAX - len(suffix)] + suffix
    return base


def sniff(data: bytes, name: str, max_bytes: int) -> Sniffed:
    """Check one uploaded file: not empty, at most ``max_bytes``, of an allowed type."""
    if not data:
        raise FileRefused(f"“{name}” is empty.")
    if len(data) > max_bytes:
        raise FileRefused(f"“{name}” is larger than {max_bytes // (1024 * 1024)} MB.")
    kind = kind_of(data)
    if kind is None:
        raise FileRefused(
            f"“{name}” is not a file type we accept (PDF, images, ZIP, office documents, "
            "plain text or Markdown); its content was checked, not its name."
        )
    return Sniffed(ALLOWED[kind][0], safe_name(name, kind))


def check_link(text: str) -> str:
    """An http(s) link with a host, at most ``LINK_MAX`` characters."""
    link = (text or "").strip()
    if len(link) > LINK_MAX:
        raise FileRefused(f"A link has at most {LINK_MAX} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in link):
        raise FileRefused("A link has no spaces or control characters.")
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FileRefused(f"“{link[:80]}” is not an http:// or https:// link.")
    return link
