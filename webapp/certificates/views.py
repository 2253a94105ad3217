"""Certificate pages: the learner's list, the PDF download, and public verification."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.certificates import codes, queries
from webapp.certificates.pdf import issue_day, render_certificate, revoke_day
from webapp.learning.queries import enrolled_programs
from webapp.models import Certificate

bp = Blueprint("certificates", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"display_code": codes.display, "issue_day": issue_day, "revoke_day": revoke_day}


def verify_url(certificate: Certificate) -> str:
    """The absolute public URL that confirms ``certificate``."""
    return url_for("certificates.verify_code", code=certificate.code, _external=True)


def _public(response: Response) -> Response:
    # Verification pages carry a person's name: keep them out of search engines, and the
    # code out of Referer headers sent to other sites.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def pdf_response(certificate: Certificate) -> Response:
    """The certificate's PDF as a download that is never cached by shared caches."""
    response = make_response(render_certificate(certificate, verify_url(certificate)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/certificates")
@login_required
def my_certificates():
    """The learner's certificates, and for each enrolled program without one what is
    left to earn it (certificates are issued at events, never by this page)."""
    certificates = queries.certificates_of(current_user.id)
    held = {c.program_id for c in certificates}
    pending = [
        (program, queries.verdict_of(current_user.id, program.id))
        for program in enrolled_programs(current_user.id)
        if program.id not in held
    ]
    return render_template(
        "certificates/list.html",
        certificates=certificates,
        pending=pending,
        verify_url=verify_url,
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    """The certificate as a PDF attachment: its learner and admins only (others 403)."""
    certificate = queries.by_code(code)
    if certificate is None:
        abort(404, "No such certificate.")
    if certificate.user_id != current_user.id and not current_user.is_admin:
        abort(403, "Only the learner and administrators can download this certificate.")
    return pdf_response(certificate)


@bp.get("/verify")
def verify_form():
    """The public form; a submitted code goes to its canonical verification URL."""
    typed = request.args.get("code")
    if typed is None:
        return _public(make_response(render_template("certificates/verify.html", asked=False)))
    code = codes.normalize(typed)
    if code is None:
        html = render_template("certificates/verify.html", asked=True, certificate=None)
        return _public(make_response(html, 404))
    return redirect(url_for("certificates.verify_code", code=code))


@bp.get("/verify/<code>")
def verify_code(code: str):
    """Public: valid, revoked or unknown; for a known code only the learner's name, the
    program title, the issue date and, when revoked, its date and reason (no sign-in)."""
    certificate = queries.by_code(code)
    html = render_template("certificates/verify.html", asked=True, certificate=certificate)
    return _public(make_response(html, 200 if certificate is not None else 404))
