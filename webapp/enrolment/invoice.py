"""The invoice of an order as a one-page A4 PDF (fpdf2, the certificates' DejaVu Sans).

Seller details come from the config (``SELLER_NAME``, ``SELLER_ADDRESS``,
``SELLER_VAT_ID``, ``SELLER_BANK_DETAILS``); everything else from the order row, which
copied the program's title and the amounts when it was placed. Text is drawn as plain
glyphs, so nothing a learner typed can act inside a PDF viewer.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from webapp.certificates.pdf import FAMILY, FONT_DIR
from webapp.learning.formatting import format_money
from webapp.models import Order, OrderStatus
from webapp.models.base import as_utc
from webapp.timefmt import long_day

MARGIN = 20.0
WIDTH = 210.0 - 2 * MARGIN
STATUS_WORDS = {
    OrderStatus.AWAITING_PAYMENT: "Awaiting payment",
    OrderStatus.PAID: "Paid",
    OrderStatus.CANCELLED: "Cancelled",
}


def money(cents: int, currency: str) -> str:
    """An invoice amount: ``"€499.00"``, and ``"€0.00"`` rather than "Free"."""
    return format_money(cents, currency)


def _row(pdf: FPDF, label: str, value: str, *, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", 11)
    pdf.cell(WIDTH * 0.7, 7, label)
    pdf.cell(WIDTH * 0.3, 7, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_invoice(order: Order, seller: dict[str, str]) -> bytes:
    """The PDF of ``order``'s invoice; ``seller`` holds name, address, vat_id, bank."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_creation_date(as_utc(order.created_at))
    pdf.set_creator("Learnstream")
    pdf.set_title(f"Invoice {order.number}")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(WIDTH, 12, f"Invoice {order.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(
        WIDTH,
        5,
        "\n".join(
            filter(
                None,
                [
                    seller.get("name", ""),
                    seller.get("address", ""),
                    f"VAT ID: {seller['vat_id']}" if seller.get("vat_id") else "",
                ],
            )
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)
    pdf.set_font(FAMILY, "", 11)
    buyer = order.buyer_name or order.buyer_email
    pdf.multi_cell(
        WIDTH, 6, f"Billed to: {buyer}\n{order.buyer_email}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    _row(pdf, "Invoice date", long_day(as_utc(order.created_at).date()))
    _row(pdf, "Status", STATUS_WORDS[order.status])
    if order.paid_at is not None:
        _row(pdf, "Paid on", long_day(as_utc(order.paid_at).date()))
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(WIDTH, 6, f"Program: {order.program_title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _row(pdf, "Fee", money(order.fee_cents, order.currency))
    if order.discount_cents:
        _row(
            pdf, f"Voucher {order.voucher_code}", "−" + money(order.discount_cents, order.currency)
        )
    _row(pdf, "Total", money(order.total_cents, order.currency), bold=True)
    if order.status == OrderStatus.AWAITING_PAYMENT and seller.get("bank"):
        pdf.ln(6)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(
            WIDTH,
            5,
            f"Please transfer the total to {seller['bank']}, with the reference {order.number}.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())
