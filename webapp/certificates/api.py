"""API routes for certificates: the caller's list and what is left per program, PDF
download (the learner and admins), public verification by code (no sign-in), and for
admins a program's certificate rule and revocation."""

from __future__ import annotations

from typing import Literal

from flask import Response, g, jsonify, url_for
from pydantic import Field
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.access import can_manage_certificate_rules, can_revoke_certificates
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.certificates import codes, queries, services
from webapp.certificates.pdf import issue_day, revoke_day
from webapp.certificates.views import pdf_response, verify_url
from webapp.extensions import db
from webapp.learning.queries import enrolled_ids
from webapp.models import Certificate, Program
from webapp.models.base import utcnow
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
    revoked: bool
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
            revoked=certificate.revoked,
            pdf_url=url_for("api.certificate_pdf", code=certificate.code),
            verify_url=verify_url(certificate),
        )


class CertificateList(Output):
    """The caller's certificates, newest first."""

    certificates: list[CertificateOut]


class Verification(Output):
    """What anyone may learn from a known code, and nothing more."""

    valid: bool = Field(description="False once revoked (an unknown code is a 404 problem).")
    status: Literal["valid", "revoked"]
    learner_name: str
    program_title: str
    issued_on: str = Field(description=ISSUED_ON)
    revoked_on: str | None = Field(description="YYYY-MM-DD (UTC) when revoked, else null.")
    revoked_reason: str | None = Field(description="Why it was revoked, else null.")

    @classmethod
    def of(cls, certificate: Certificate) -> Verification:
        """What ``certificate`` shows to anyone holding its code."""
        revoked = revoke_day(certificate)
        return cls(
            valid=revoked is None,
            status="revoked" if revoked is not None else "valid",
            learner_name=certificate.learner_name,
            program_title=certificate.program_title,
            issued_on=issue_day(certificate).isoformat(),
            revoked_on=revoked.isoformat() if revoked is not None else None,
            revoked_reason=certificate.revoked_reason,
        )


@operation(bp, "GET", "/me/certificates", responses={200: CertificateList})
def my_certificates() -> CertificateList:
    """The caller's certificates, newest first (issued at events, never by listing)."""
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
    """Public: ``{"valid", "status", learner_name, program_title, issued_on, revoked_on,
    revoked_reason}`` or 404.

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


# --------------------------------------------------------------------------- rules


class RuleOut(Output):
    """What earns a program's certificate (every requirement must hold)."""

    program: str
    min_watched_percent: int = Field(description="Share of each required module watched.")
    modules: list[int] = Field(description="Required module ids (all of the program's).")
    all_modules: bool = Field(description="True when no module is chosen: all are required.")
    min_classes: int = Field(description="Live classes of the program's cohorts attended.")
    exams: list[int] = Field(description="Exam ids to pass (results come from a plug-in).")
    projects: list[int] = Field(
        default_factory=list, description="Project ids to pass (accepted at the pass mark)."
    )

    @classmethod
    def of(cls, program: Program) -> RuleOut:
        """The rule ``program`` applies."""
        view = queries.rule_of(program.id)
        return cls(
            program=program.slug,
            min_watched_percent=round(view.rule.min_share * 100),
            modules=list(view.rule.module_ids),
            all_modules=view.all_modules,
            min_classes=view.rule.min_classes,
            exams=list(view.rule.exam_ids),
            projects=list(view.rule.project_ids),
        )


class RuleIn(Input):
    """A program's certificate rule; omitted fields take their defaults."""

    min_watched_percent: int = Field(90, ge=1, le=100)
    modules: list[int] = Field(default_factory=list, max_length=1000)
    min_classes: int = Field(0, ge=0, le=1000)
    exams: list[int] = Field(default_factory=list, max_length=200)
    projects: list[int] = Field(default_factory=list, max_length=200)


class StatusOut(Output):
    """The caller's standing against a program's certificate rule."""

    program: str
    enrolled: bool
    met: bool
    missing: list[str] = Field(description="What is left, one line per requirement.")
    certificate: CertificateOut | None


class RevokeIn(Input):
    """Why the certificate is revoked (shown on its verification page)."""

    reason: str = Field(min_length=1, max_length=500)


def _program_or_404(slug: str) -> Program:
    program = queries.program_by_slug(slug)
    if program is None:
        raise ApiError(404, "no such program")
    return program


@operation(
    bp,
    "GET",
    "/programs/<slug>/certificate-rule",
    responses={200: RuleOut},
    errors=(403, 404),
    tag="certificates",
)
def get_certificate_rule(slug: str) -> RuleOut:
    """The program's certificate rule (admins)."""
    if not can_manage_certificate_rules(g.user):
        raise ApiError(403, "only administrators see certificate rules")
    return RuleOut.of(_program_or_404(slug))


@operation(
    bp,
    "PUT",
    "/programs/<slug>/certificate-rule",
    body=RuleIn,
    responses={200: RuleOut},
    errors=(403, 404, 422),
    tag="certificates",
)
def put_certificate_rule(slug: str, body: RuleIn) -> RuleOut:
    """Replace the program's certificate rule (admins); learners who now meet it are
    issued theirs."""
    if not can_manage_certificate_rules(g.user):
        raise ApiError(403, "only administrators edit certificate rules")
    program = _program_or_404(slug)
    try:
        services.save_rule(
            program,
            min_watched_percent=body.min_watched_percent,
            min_classes=body.min_classes,
            module_ids=body.modules,
            exam_ids=body.exams,
            allowed_modules=[m.id for m in queries.program_modules(program.id)],
            allowed_exams=[e.id for e in queries.program_exams(program.id)],
            project_ids=body.projects,
            allowed_projects=[p.id for p in queries.program_projects(program.id)],
        )
    except services.CertificateError as exc:
        raise ApiError(422, str(exc)) from None
    db.session.commit()
    return RuleOut.of(program)


@operation(
    bp,
    "GET",
    "/me/programs/<slug>/certificate",
    responses={200: StatusOut},
    errors=(404,),
    tag="certificates",
)
def my_certificate_status(slug: str) -> StatusOut:
    """The caller's certificate of the program, or what is left to earn it."""
    program = _program_or_404(slug)
    held = services.find_certificate(g.user.id, program.id)
    verdict = queries.verdict_of(g.user.id, program.id)
    return StatusOut(
        program=program.slug,
        enrolled=program.id in enrolled_ids(g.user.id),
        met=held is not None or verdict.met,
        missing=[] if held is not None else list(verdict.missing),
        certificate=CertificateOut.of(held) if held is not None else None,
    )


@operation(
    bp,
    "POST",
    "/certificates/<code>/revoke",
    body=RevokeIn,
    responses={200: CertificateOut},
    errors=(403, 404, 409, 422),
    tag="certificates",
)
def revoke_certificate(code: str, body: RevokeIn) -> CertificateOut:
    """Revoke a certificate with a reason (admins); it is not issued again automatically."""
    if not can_revoke_certificates(g.user):
        raise ApiError(403, "only administrators revoke certificates")
    certificate = queries.by_code(code)
    if certificate is None:
        raise ApiError(404, NO_SUCH_CODE)
    try:
        services.revoke(certificate, body.reason, g.user, utcnow())
    except services.AlreadyRevoked as exc:
        raise ApiError(409, str(exc)) from None
    except services.CertificateError as exc:
        raise ApiError(422, str(exc)) from None
    db.session.commit()
    return CertificateOut.of(certificate)
