"""API routes for certificates: the caller's list, PDF download (the learner and admins),
and public verification by code (no sign-in)."""

from __future__ import annotations

from flask import Response, g, jsonify, url_for
from pydantic import Field
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.api.blueprint import bp
from webapp.api.contract import Output, operation
from webapp.certificates import codes, queries
from webapp.certificates.completion import issue_due_certificates
from webapp.certificates.pdf import issue_day
from webapp.certificates.views import pdf_response, verify_url
from webapp.extensions import db
from webapp.models import Certificate
from webapp.problems import PROBLEM_TYPE, ApiError, problem_body

NO_SUCH_CODE = "no certificate has this code"
ISSUED_ON = "The day of issue, YYYY-MM-DD (UTC)."


class CertificateOut(Output):
    """A certificate as its learner sees it."""

    code: str
    display_code: str = Field(description="The code in readable groups.")
    learner_name: str
    program_title: str
    program: str | None = Field(description="The program's slug; null once it is deleted.")
    issued_on: str = Field(description=ISSUED_ON)
    pdf_url: str
    verify_url: str = Field(description="The public verification page (absolute).")

    @classmethod
    def of(cls, certificate: Certificate) -> CertificateOut:
        """The shape of ``certificate``."""
        return cls(
            code=certificate.code,
            display_code=codes.display(certificate.code),
            learner_name=certificate.learner_name,
            program_title=certificate.program_title,
            program=certificate.program.slug if certificate.program is not None else None,
            issued_on=issue_day(certificate).isoformat(),
            pdf_url=url_for("api.certificate_pdf", code=certificate.code),
            verify_url=verify_url(certificate),
        )


class CertificateList(Output):
    """The caller's certificates, newest first."""

    certificates: list[CertificateOut]


class Verification(Output):
    """What anyone may learn from a valid code, and nothing more."""

    valid: bool = Field(description="Always true here (an unknown code is a 404 problem).")
    learner_name: str
    program_title: str
    issued_on: str = Field(description=ISSUED_ON)

    @classmethod
    def of(cls, certificate: Certificate) -> Verification:
        """What ``certificate`` shows to anyone holding its code."""
        return cls(
            valid=True,
            learner_name=certificate.learner_name,
            program_title=certificate.program_title,
            issued_on=issue_day(certificate).isoformat(),
        )


@operation(bp, "GET", "/me/certificates", responses={200: CertificateList})
def my_certificates() -> CertificateList:
    """The caller's certificates, newest first (newly earned ones are issued first)."""
    if issue_due_certificates(g.user.id):
        db.session.commit()
    mine = queries.certificates_of(g.user.id)
    return CertificateList(certificates=[CertificateOut.of(c) for c in mine])


@operation(
    bp,
    "GET",
    "/certificates/<code>.pdf",
    responses={200: "application/pdf"},
    errors=(403, 404),
)
def certificate_pdf(code: str) -> WerkzeugResponse:
    """The PDF: the certificate's learner and admins (others 403; unknown code 404)."""
    certificate = queries.by_code(code)
    if certificate is None:
        raise ApiError(404, NO_SUCH_CODE)
    if certificate.user_id != g.user.id and not g.user.is_admin:
        raise ApiError(403, "only the learner and admins can download this certificate")
    return pdf_response(certificate)


@operation(bp, "GET", "/verify/<code>", responses={200: Verification}, errors=(404,), auth="public")
def verify_certificate(code: str) -> Verification | Response:
    """Public: ``{"valid": true, learner_name, program_title, issued_on}`` or 404.

    The 404 problem also carries ``"valid": false`` for clients that read only that.
    """
    certificate = queries.by_code(code)
    if certificate is None:
        return _unknown_code()
    return Verification.of(certificate)


def _unknown_code() -> Response:
    response = jsonify({**problem_body(404, NO_SUCH_CODE), "valid": False})
    response.status_code = 404
    response.mimetype = PROBLEM_TYPE
    return response
