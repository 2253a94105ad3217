"""The upload page's script texts, translated for the page (upload.js reads them from
``<script type="application/json" id="upload-i18n">``; English when one is missing)."""

from __future__ import annotations

from flask_babel import gettext as _


def upload_strings() -> dict[str, str]:
    """English text → its translation in the request's language."""
    return {
        "%(done)s of %(total)s at %(rate)s/s": _("%(done)s of %(total)s at %(rate)s/s"),
        "%(done)s of %(total)s": _("%(done)s of %(total)s"),
        "Comma-separated, e.g. python, statistics": _("Comma-separated, e.g. python, statistics"),
        "Description": _("Description"),
        "Level": _("Level"),
        "Listed in the library": _("Listed in the library"),
        "Plain text": _("Plain text"),
        "Resuming your unfinished upload…": _("Resuming your unfinished upload…"),
        "Tags": _("Tags"),
        "Title": _("Title"),
        "Topic": _("Topic"),
        "Unlisted": _("Unlisted"),
        "Visibility": _("Visibility"),
        "What is this recording about?": _("What is this recording about?"),
        "the upload failed.": _("the upload failed."),
        "“%(title)s” is uploaded; it is being transcoded.": _(
            "“%(title)s” is uploaded; it is being transcoded."
        ),
    }
