"""Learner pages of enrolment and fees: choose a cohort (seats shown; a full one offers
its waitlist) and enter a voucher; the order page with its payment instructions and the
PDF invoice; cancelling one's enrolment."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.access import can_see_order
from webapp.enrolment import payments, queries, services
from webapp.enrolment.forms import EnrolForm
from webapp.enrolment.invoice import render_invoice
from webapp.extensions import db
from webapp.learning import queries as learning_queries
from webapp.learning.formatting import format_fee
from webapp.learning.services import EnrolmentNotAllowed
from webapp.learning.services import enrol as learning_enrol
from webapp.models import EnrollmentStatus, Order, Program
from webapp.models.base import utcnow

bp = Blueprint("enrolment", __name__)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"fee": format_fee}


NO_COHORT = "none"


def program_or_404(slug: str) -> Program:
    """The program with this slug (404 otherwise)."""
    program = learning_queries.load_program(slug)
    if program is None:
        abort(404, "No such program.")
    return program


def needs_choice(program: Program) -> bool:
    """Enrolling asks something: the program costs a fee or has upcoming cohorts."""
    return program.fee_cents > 0 or bool(queries.cohort_choices(program, utcnow().date()))


def order_or_404(number: str) -> Order:
    """The order if the signed-in user may see it (buyer, admins); 404 otherwise."""
    order = services.order_by_number(number)
    if order is None or not can_see_order(current_user, order):
        abort(404, "No such order.")
    return order


def _page(program: Program, form: EnrolForm, status: int = 200):
    choices = queries.cohort_choices(program, utcnow().date())
    form.cohort.choices = [(str(c.cohort.id), c.cohort.name) for c in choices]
    mine = queries.enrolment_of(current_user.id, program.id)
    order = services.order_of(mine) if mine is not None else None
    return (
        render_template(
            "enrolment/enrol.html",
            program=program,
            form=form,
            choices=choices,
            mine=mine if mine is not None and mine.status != EnrollmentStatus.CANCELLED else None,
            order=order,
            position=queries.waitlist_position(mine) if mine is not None else None,
        ),
        status,
    )


@bp.get("/programs/<slug>/enrolment")
@login_required
def enrol_page(slug: str):
    """Enrolling: the fee, the upcoming cohorts with start date and seats left (a full
    one offers its waitlist), a voucher field; or where the enrolment stands."""
    program = program_or_404(slug)
    if not program.self_enrol:
        abort(403, f"'{program.title}' is enrolled by your company; ask your administrator")
    return _page(program, EnrolForm())


@bp.post("/programs/<slug>/enrolment")
@login_required
def enrol(slug: str):
    """Enrol with the chosen cohort and voucher; a rejected choice re-renders (400)."""
    program = program_or_404(slug)
    form = EnrolForm()
    choices = queries.cohort_choices(program, utcnow().date())
    if not form.validate_on_submit():
        return _page(program, form, 400)
    picked = form.cohort.data
    cohort_id: int | None = None
    if choices and (picked in (None, "", NO_COHORT)):
        form.cohort.errors = [_("Choose a cohort.")]
        return _page(program, form, 400)
    if picked and picked != NO_COHORT:
        cohort_id = int(picked) if str(picked).isdigit() else -1
    try:
        enrollment, created = learning_enrol(
            current_user, program, cohort=cohort_id, voucher=form.voucher.data or None
        )
    except EnrolmentNotAllowed as exc:
        abort(403, str(exc))
    except services.EnrolmentError as exc:
        db.session.rollback()
        target = form.voucher if exc.field == "voucher" else form.cohort
        target.errors = [_(str(exc))]
        return _page(program, form, 400)
    db.session.commit()
    order = services.order_of(enrollment)
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        flash(
            _("That cohort is full: you are on its waitlist. We e-mail you when a seat frees."),
            "success",
        )
    elif enrollment.status == EnrollmentStatus.AWAITING_PAYMENT and order is not None:
        flash(
            _("Order %(number)s placed: you are enrolled once it is paid.", number=order.number),
            "success",
        )
        return redirect(url_for(".order", number=order.number))
    elif enrollment.status == EnrollmentStatus.ACTIVE:
        flash(_("You are enrolled in ‘%(title)s’.", title=program.title), "success")
        return redirect(url_for("learning.home"))
    return redirect(url_for(".enrol_page", slug=program.slug))


@bp.post("/programs/<slug>/enrolment/cancel")
@login_required
def cancel(slug: str):
    """Cancel one's own enrolment (an unpaid order with it; the seat goes to the
    waitlist)."""
    program = program_or_404(slug)
    mine = queries.enrolment_of(current_user.id, program.id)
    if mine is None or mine.status == EnrollmentStatus.CANCELLED:
        abort(404, "You are not enrolled in this program.")
    services.cancel(mine)
    db.session.commit()
    flash(_("Your enrolment in ‘%(title)s’ is cancelled.", title=program.title), "success")
    return redirect(url_for(".enrol_page", slug=program.slug))


@bp.get("/orders/<number>")
@login_required
def order(number: str):
    """An order: amounts, status, how to pay, the invoice."""
    found = order_or_404(number)
    program = db.session.get(Program, found.program_id) if found.program_id else None
    return render_template(
        "enrolment/order.html",
        order=found,
        program=program,
        payment=payments.provider().start(found),
    )


def seller() -> dict[str, str]:
    """The seller printed on invoices (config)."""
    config = current_app.config
    return {
        "name": config.get("SELLER_NAME", ""),
        "address": config.get("SELLER_ADDRESS", ""),
        "vat_id": config.get("SELLER_VAT_ID", ""),
        "bank": config.get("SELLER_BANK_DETAILS", ""),
    }


@bp.get("/orders/<number>/invoice.pdf")
@login_required
def invoice(number: str):
    """The order's invoice as a PDF (its buyer and admins)."""
    found = order_or_404(number)
    response = FlaskResponse(render_invoice(found, seller()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="invoice-{found.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
