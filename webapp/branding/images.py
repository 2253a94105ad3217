"""What an uploaded logo or favicon is, told from its first bytes (never its name or the
browser's word). SVG is refused: it can carry script, and only our own shipped SVGs are
served."""

from __future__ import annotations

from flask_babel import gettext as _

MAX_IMAGE_BYTES = 512 * 1024

# (magic prefix, offset, content type, extension)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x00\x00\x01\x00", 0, "image/x-icon", "ico"),
)
EXTENSIONS = {ctype: ext for _, _, ctype, ext in SIGNATURES} | {"image/webp": "webp"}
ACCEPTED = "PNG, JPEG, WebP or ICO"


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message says why."""


def sniff(data: bytes) -> str:
    """The content type of ``data`` (PNG, JPEG, WebP, ICO); ImageRejected otherwise."""
    if not data:
        raise ImageRejected(_("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected(_("The file is larger than %(kb)d KB.", kb=MAX_IMAGE_BYTES // 1024))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, ctype, _extension in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return ctype
    raise ImageRejected(
        _("Upload a %(types)s image (SVG and other files are refused).", types=ACCEPTED)
    )
