"""API routes for certificates: the caller's list, PDF download (the learner and admins),
and public verification by code (no sign-in)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, url_for

from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.certificates import codes, queries
from webapp.certificates.completion import issue_due_certificates
from webapp.certificates.pdf import issue_day
from webapp.certificates.views import pdf_response, verify_url
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Certificate


def certificate_json(certificate: Certificate) -> dict[str, Any]:
    """A certificate as its learner sees it."""
    return {
        "code": certificate.code,
        "display_code": codes.display(certificate.code),
        "learner_name": certificate.learner_name,
        "program_title": certificate.program_title,
        "program": certificate.program.slug if certificate.program is not None else None,
        "issued_on": issue_day(certificate).isoformat(),
        "pdf_url": url_for("api.certificate_pdf", code=certificate.code),
        "verify_url": verify_url(certificate),
    }


def verification_json(certificate: Certificate) -> dict[str, Any]:
    """What anyone may learn from a valid code, and nothing more."""
    return {
        "valid": True,
        "learner_name": certificate.learner_name,
        "program_title": certificate.program_title,
        "issued_on": issue_day(certificate).isoformat(),
    }


@bp.get("/me/certificates")
@api_login_required
def my_certificates():
    """The caller's certificates, newest first (newly earned ones are issued first)."""
    if issue_due_certificates(g.user.id):
        db.session.commit()
    return jsonify(certificates=[certificate_json(c) for c in queries.certificates_of(g.user.id)])


@bp.get("/certificates/<code>.pdf")
@api_login_required
def certificate_pdf(code: str):
    """The PDF: the certificate's learner and admins (others 403; unknown code 404)."""
    certificate = queries.by_code(code)
    if certificate is None:
        return error_response(404, "no certificate has this code")
    if certificate.user_id != g.user.id and not g.user.is_admin:
        return error_response(403, "only the learner and admins can download this certificate")
    return pdf_response(certificate)


@bp.get("/verify/<code>")
def verify_certificate(code: str):
    """Public: ``{"valid": true, learner_name, program_title, issued_on}`` or 404."""
    certificate = queries.by_code(code)
    if certificate is None:
        return jsonify(valid=False, error="no certificate has this code"), 404
    return jsonify(verification_json(certificate))
