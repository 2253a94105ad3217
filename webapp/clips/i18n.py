"""The clip editor's own texts, translated for the page (editor.js reads them from
``<script type="application/json" id="editor-i18n">``; English when one is missing)."""

from __future__ import annotations

from flask_babel import gettext as _


def editor_strings() -> dict[str, str]:
    """English text → its translation in the request's language."""
    return {
        "%(duration)s long": _("%(duration)s long"),
        "(no label)": _("(no label)"),
        "A chapter needs a title.": _("A chapter needs a title."),
        "Accept the %(kind)s suggestion at %(time)s": _(
            "Accept the %(kind)s suggestion at %(time)s"
        ),
        "Accept": _("Accept"),
        "Accepted: chapter “%(title)s” added.": _("Accepted: chapter “%(title)s” added."),
        "Accepted: clip “%(title)s” created.": _("Accepted: clip “%(title)s” created."),
        "Cancel": _("Cancel"),
        "Chapter deleted.": _("Chapter deleted."),
        "Chapter renamed to “%(title)s”.": _("Chapter renamed to “%(title)s”."),
        "Chapter “%(title)s” added at %(time)s.": _("Chapter “%(title)s” added at %(time)s."),
        "Clip deleted.": _("Clip deleted."),
        "Confirm deleting “%(title)s”": _("Confirm deleting “%(title)s”"),
        "Delete clip “%(title)s”": _("Delete clip “%(title)s”"),
        "Delete clip": _("Delete clip"),
        "Delete the chapter at %(time)s": _("Delete the chapter at %(time)s"),
        "Delete “%(title)s” and its export?": _("Delete “%(title)s” and its export?"),
        "Delete": _("Delete"),
        "Discard the %(kind)s suggestion at %(time)s": _(
            "Discard the %(kind)s suggestion at %(time)s"
        ),
        "Discard": _("Discard"),
        "Download MP4": _("Download MP4"),
        "Export MP4 of “%(title)s”": _("Export MP4 of “%(title)s”"),
        "Export MP4": _("Export MP4"),
        "Export failed: %(error)s": _("Export failed: %(error)s"),
        "Export progress": _("Export progress"),
        "Export queued…": _("Export queued…"),
        "Export started.": _("Export started."),
        "Exporting… %(percent)s": _("Exporting… %(percent)s"),
        "Give the clip a title.": _("Give the clip a title."),
        "In point set at %(time)s.": _("In point set at %(time)s."),
        "Keep clip “%(title)s”": _("Keep clip “%(title)s”"),
        "Made clip “%(title)s” from the chapter.": _("Made clip “%(title)s” from the chapter."),
        "Make clip of the chapter at %(time)s": _("Make clip of the chapter at %(time)s"),
        "Make clip": _("Make clip"),
        "Out point set at %(time)s.": _("Out point set at %(time)s."),
        "Play clip “%(title)s”": _("Play clip “%(title)s”"),
        "Play": _("Play"),
        "Rename the chapter at %(time)s": _("Rename the chapter at %(time)s"),
        "Rename": _("Rename"),
        "Saved clip “%(title)s” (%(start)s–%(end)s).": _(
            "Saved clip “%(title)s” (%(start)s–%(end)s)."
        ),
        "Seek to %(time)s": _("Seek to %(time)s"),
        "Set the in point (press I, or type m:ss or seconds).": _(
            "Set the in point (press I, or type m:ss or seconds)."
        ),
        "Set the out point (press O, or type m:ss or seconds).": _(
            "Set the out point (press O, or type m:ss or seconds)."
        ),
        "Suggestion discarded.": _("Suggestion discarded."),
        "The MP4 of clip %(id)s is ready to download.": _(
            "The MP4 of clip %(id)s is ready to download."
        ),
        "The out point is past the end of the recording (%(end)s).": _(
            "The out point is past the end of the recording (%(end)s)."
        ),
        "The out point must come after the in point.": _(
            "The out point must come after the in point."
        ),
        "The recording cannot be played: %(details)s": _(
            "The recording cannot be played: %(details)s"
        ),
        "The storyboard thumbnails could not be loaded.": _(
            "The storyboard thumbnails could not be loaded."
        ),
        "This browser cannot play HLS video.": _("This browser cannot play HLS video."),
        "Title of the chapter at %(time)s": _("Title of the chapter at %(time)s"),
        "Type a chapter title first.": _("Type a chapter title first."),
        "Yes, delete clip “%(title)s”": _("Yes, delete clip “%(title)s”"),
        "unknown error": _("unknown error"),
    }
