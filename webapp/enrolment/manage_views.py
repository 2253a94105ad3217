"""Back-office pages of fees (admins): orders with "record payment", and vouchers."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from webapp.access import can_manage_fees
from webapp.enrolment import queries, services
from webapp.enrolment.forms import PaymentForm, VoucherForm
from webapp.extensions import db
from webapp.learning.formatting import format_fee
from webapp.models import OrderStatus, Program, Voucher

bp = Blueprint("enrolment_manage", __name__, url_prefix="/manage")


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"fee": format_fee}


STATUS_FILTERS = ("awaiting_payment", "paid", "cancelled")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not can_manage_fees(current_user):
        abort(403, _("Only admins manage orders and vouchers."))


def _orders_page(
    status_code: int = 200, failed: str | None = None, form: PaymentForm | None = None
):
    status = request.args.get("status", "awaiting_payment")
    chosen = OrderStatus(status) if status in STATUS_FILTERS else None
    return (
        render_template(
            "enrolment/manage_orders.html",
            orders=queries.orders(None, chosen),
            status=status if chosen else "all",
            filters=STATUS_FILTERS,
            form=form or PaymentForm(),
            failed=failed,
        ),
        status_code,
    )


@bp.get("/orders")
def orders():
    """Orders, by status (awaiting payment first), with a "record payment" form each."""
    return _orders_page()


@bp.post("/orders/<number>/payment")
def record_payment(number: str):
    """Record an order's payment (a transfer seen): the enrolment becomes active."""
    order = services.order_by_number(number)
    if order is None:
        abort(404, _("No such order."))
    form = PaymentForm()
    if not form.validate_on_submit():
        return _orders_page(400, number, form)
    try:
        services.record_payment(
            order, current_user, form.reference.data or "", form.note.data or ""
        )
    except services.OrderStateError as exc:
        db.session.rollback()
        form.reference.errors = [str(exc)]
        return _orders_page(409, number, form)
    db.session.commit()
    flash(_("Payment of order %(number)s recorded.", number=number), "success")
    return redirect(url_for(".orders"))


def _vouchers_page(form: VoucherForm, status_code: int = 200):
    form.program.choices = [SelectChoice("", "All programs")] + [
        SelectChoice(p.slug, p.title)
        for p in db.session.scalars(db.select(Program).order_by(Program.title))
    ]
    return (
        render_template("enrolment/manage_vouchers.html", form=form, vouchers=queries.vouchers()),
        status_code,
    )


@bp.get("/vouchers")
def vouchers():
    """Every voucher and a form for a new one."""
    return _vouchers_page(VoucherForm())


@bp.post("/vouchers")
def create_voucher():
    """Create a voucher; a rejected form re-renders with what was typed."""
    form = VoucherForm()
    if form.validate_on_submit():
        program = None
        if form.program.data:
            program = db.session.scalar(db.select(Program).where(Program.slug == form.program.data))
            if program is None:
                form.program.errors = [_("Choose a program from the list.")]
                return _vouchers_page(form, 400)
        expires = form.expires_at.data.replace(tzinfo=UTC) if form.expires_at.data else None
        try:
            voucher = services.create_voucher(
                form.code.data or "",
                form.percent.data or 0,
                program=program,
                max_uses=form.max_uses.data,
                expires_at=expires,
            )
        except services.VoucherError as exc:
            db.session.rollback()
            getattr(form, exc.field or "code", form.code).errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Voucher %(code)s created.", code=voucher.code), "success")
            return redirect(url_for(".vouchers"))
    return _vouchers_page(form, 400)


@bp.post("/vouchers/<int:voucher_id>/delete")
def delete_voucher(voucher_id: int):
    """Delete a voucher (orders keep the code they used)."""
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None:
        abort(404, _("No such voucher."))
    services.delete_voucher(voucher)
    db.session.commit()
    flash(_("Voucher deleted."), "success")
    return redirect(url_for(".vouchers"))
