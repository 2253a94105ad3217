"""A learner's notes as Markdown or as a PDF to print, grouped by course then video.

Both are pure functions of the groups from ``queries.grouped_notes`` and a ``link``
function that gives the watch page URL at a moment (``/videos/<id>?t=<seconds>``).

What the learner and instructors typed stays text: in Markdown, characters that would
start HTML, links or headings are escaped, so a viewer that renders Markdown shows them
as typed; the PDF draws plain glyphs (fpdf2 without markup) in DejaVu Sans, the font
the certificates embed, so Latin, Greek, Cyrillic and Hebrew text prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from webapp.certificates.pdf import FAMILY, FONT_DIR
from webapp.models import Note
from webapp.notes.queries import NoteGroup
from webapp.timefmt import clock

LinkFor = Callable[[int, float], str]

# --------------------------------------------------------------------------- shared


def start_second(seconds: float) -> int:
    """The ``?t=`` value that starts playback at the printed timestamp."""
    return max(0, int(seconds))


def kind_label(note: Note) -> str:
    """``Bookmark`` or ``Note``."""
    return _("Bookmark") if note.is_bookmark else _("Note")


# --------------------------------------------------------------------------- Markdown

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")
_BODY_SPECIAL = re.compile(r"([\\<>\[\]`])")
_BLOCK_MARK = re.compile(r"^(\s*)([#>+=-]|[*](?=\s))")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")


def escape_inline(text: str) -> str:
    """A title as literal Markdown text on one line."""
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def escape_body(text: str) -> str:
    """A note's lines as literal text: no HTML, links, code or block syntax; emphasis
    the learner typed (``*word*``) is left to render."""
    lines = []
    for line in text.split("\n"):
        line = _BODY_SPECIAL.sub(r"\\\1", line)
        line = _BLOCK_MARK.sub(r"\1\\\2", line)
        lines.append(_ORDERED.sub(r"\1\\\2", line))
    return "\n".join(lines)


def _markdown_note(note: Note, link: LinkFor) -> list[str]:
    stamp = f"[{clock(note.position)}]({link(note.video_id, note.position)})"
    lines = escape_body(note.body).split("\n") if note.body else []
    label = "**Bookmark**" if note.is_bookmark else ""
    first = " ".join(part for part in (stamp, label, lines[0] if lines else "") if part)
    # Continuation lines stay inside the list item: indented, blank lines kept.
    return [f"- {first}"] + [f"  {line}" if line.strip() else "" for line in lines[1:]]


def markdown(groups: Sequence[NoteGroup], link: LinkFor, heading: str = "My notes") -> str:
    """The notes as one Markdown document: ``##`` per course, ``###`` per video."""
    out = [f"# {escape_inline(heading)}", ""]
    if not groups:
        out += [_("No notes yet."), ""]
    for group in groups:
        out += [f"## {escape_inline(group.title)}", ""]
        for video in group.videos:
            out += [f"### {escape_inline(video.title)}", ""]
            for note in video.notes:
                out += _markdown_note(note, link)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- PDF

MARGIN = 18.0
PAGE_W = 210.0  # A4 portrait, mm
WIDTH = PAGE_W - 2 * MARGIN
STAMP_W = 20.0
LINE = 5.0
INK = (33, 37, 41)
ACCENT = (31, 78, 121)
MUTED = (108, 117, 125)


def _pdf_text(text: str) -> str:
    return text.replace("\t", "    ")


def _document(heading: str, created: datetime) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_creation_date(created)
    pdf.set_creator("Learnstream")
    pdf.set_title(heading)
    return pdf


def _heading(pdf: FPDF, text: str, size: float, color: tuple[int, int, int], gap: float) -> None:
    # A heading never ends a page: keep room for it and at least one line below.
    if pdf.will_page_break(size * 0.6 + gap + 2 * LINE):
        pdf.add_page()
    pdf.ln(gap)
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(
        WIDTH, size * 0.5, _pdf_text(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(1)


def _pdf_note(pdf: FPDF, note: Note, link: LinkFor) -> None:
    if pdf.will_page_break(LINE):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(
        STAMP_W,
        LINE,
        clock(note.position),
        link=link(note.video_id, note.position),
        new_x=XPos.RIGHT,
        new_y=YPos.TOP,
    )
    pdf.set_text_color(*INK)
    if note.is_bookmark:
        pdf.set_font(FAMILY, "B", 10)
        label = _("Bookmark")
        pdf.cell(pdf.get_string_width(label + "  "), LINE, label, new_y=YPos.TOP)
    pdf.set_font(FAMILY, "", 10)
    left = pdf.get_x()
    pdf.multi_cell(
        MARGIN + WIDTH - left,
        LINE,
        _pdf_text(note.body),
        align=Align.L,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)


def pdf(
    groups: Sequence[NoteGroup],
    link: LinkFor,
    created: datetime,
    heading: str = "My notes",
    subtitle: str = "",
) -> bytes:
    """The notes as an A4 PDF: course headings, video headings, then each note with its
    time (a link to that moment) and text."""
    doc = _document(heading, created)
    doc.add_page()
    doc.set_font(FAMILY, "B", 20)
    doc.set_text_color(*INK)
    doc.multi_cell(
        WIDTH, 10, _pdf_text(heading), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if subtitle:
        doc.set_font(FAMILY, "", 10)
        doc.set_text_color(*MUTED)
        doc.multi_cell(
            WIDTH, LINE, _pdf_text(subtitle), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    if not groups:
        doc.ln(4)
        doc.set_font(FAMILY, "", 11)
        doc.set_text_color(*INK)
        doc.multi_cell(
            WIDTH, LINE, _("No notes yet."), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    for group in groups:
        _heading(doc, group.title, 15, ACCENT, 6)
        for video in group.videos:
            _heading(doc, video.title, 12, INK, 2)
            for note in video.notes:
                _pdf_note(doc, note, link)
    return bytes(doc.output())
