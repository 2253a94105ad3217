"""The certificate as a one-page PDF (fpdf2, with an embedded DejaVu Sans subset).

Everything printed comes from the certificate row, whose name and title were cleaned at
issue time (``names.clean_text``); text is drawn as plain glyphs (no markdown, links or
actions), so nothing a learner typed can act inside a PDF viewer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from webapp.certificates import codes
from webapp.models import Certificate
from webapp.models.base import as_utc
from webapp.timefmt import LOCALE, long_day

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
MARGIN = 20.0
WIDTH = PAGE_W - 2 * MARGIN
INK = (33, 37, 41)
ACCENT = (31, 78, 121)
MUTED = (108, 117, 125)


def issue_day(certificate: Certificate) -> date:
    """The issue date printed and shown everywhere (the UTC calendar date)."""
    return as_utc(certificate.issued_at).date()


def revoke_day(certificate: Certificate) -> date | None:
    """The day the certificate was revoked (UTC calendar date), if it was."""
    return as_utc(certificate.revoked_at).date() if certificate.revoked_at else None


def _document(certificate: Certificate) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    # Fixed metadata, so the same certificate always downloads as the same bytes.
    pdf.set_creation_date(as_utc(certificate.issued_at))
    pdf.set_creator("Learnstream")
    pdf.set_title(_("Certificate of completion"))
    return pdf


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)


def _line(pdf: FPDF, text: str, size: float, *, bold: bool = False, color=INK) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.cell(WIDTH, size * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _fitted(pdf: FPDF, text: str, largest: float, smallest: float, *, max_lines: int) -> None:
    """``text`` centred in the largest size that fits one line, down to ``smallest``;
    beyond that it wraps onto at most ``max_lines`` lines."""
    pdf.set_font(FAMILY, "B", largest)
    width = pdf.get_string_width(text)
    size = largest if width <= WIDTH else max(smallest, largest * WIDTH / width * 0.98)
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*INK)
    # fpdf2 types the result as the union of every ``output`` mode; LINES gives list[str].
    lines = cast(
        "list[str]",
        pdf.multi_cell(WIDTH, size * 0.5, text, align=Align.C, dry_run=True, output="LINES"),
    )
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip() + "…"
    for line in lines:
        pdf.cell(WIDTH, size * 0.5, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _locale() -> str:
    """The language the certificate is printed in: the request's (English outside one)."""
    current = get_locale()
    return LOCALE if current is None or current.language == "en" else str(current)


def render_certificate(certificate: Certificate, verify_url: str) -> bytes:
    """The PDF of ``certificate``; ``verify_url`` is the public page that confirms it,
    printed in the request's language."""
    locale = _locale()
    pdf = _document(certificate)
    pdf.add_page()
    _frame(pdf)
    pdf.set_y(28)
    _line(pdf, "LEARNSTREAM", 11, bold=True, color=ACCENT)
    pdf.ln(6)
    _line(pdf, _("Certificate of completion"), 30, bold=True)
    pdf.ln(8)
    _line(pdf, _("This certifies that"), 13, color=MUTED)
    pdf.ln(3)
    _fitted(pdf, certificate.learner_name, 28, 12, max_lines=3)
    pdf.ln(3)
    _line(pdf, _("has completed the program"), 13, color=MUTED)
    pdf.ln(3)
    _fitted(pdf, certificate.program_title, 20, 11, max_lines=4)
    pdf.ln(6)
    issued = long_day(issue_day(certificate), locale)
    _line(pdf, _("Issued on %(date)s", date=issued), 13)
    revoked = revoke_day(certificate)
    if revoked is not None:  # a copy downloaded after revocation must not pass for valid
        pdf.ln(4)
        notice = _("REVOKED on %(date)s: not valid", date=long_day(revoked, locale))
        _line(pdf, notice, 16, bold=True, color=ACCENT)
    pdf.set_y(PAGE_H - 42)
    code = codes.display(certificate.code)
    _line(pdf, _("Verification code: %(code)s", code=code), 11, bold=True)
    pdf.ln(1)
    _line(pdf, _("Verify at %(url)s", url=verify_url), 9, color=MUTED)
    return bytes(pdf.output())
