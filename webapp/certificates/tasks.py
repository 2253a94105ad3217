"""Celery tasks that evaluate certificate rules and issue (ids in, never ORM objects).

A task commits its issue, then e-mails the learner; only the task whose insert created
the certificate sends, so a certificate is e-mailed exactly once whatever the number of
events that raced to it. A database error before the commit retries the task, which is
safe: issuing is idempotent.
"""

from __future__ import annotations

from celery import shared_task
from flask import current_app, url_for
from sqlalchemy.exc import OperationalError

from webapp.certificates import queries
from webapp.certificates.completion import issue_due
from webapp.extensions import db
from webapp.mail import send
from webapp.models import Certificate, CertificateRule, User

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 2, "max_retries": 5}


def _issue_and_announce(user_id: int, program_ids: list[int] | None) -> list[str]:
    issued = issue_due(user_id, program_ids)
    db.session.commit()
    for certificate in issued:
        announce(certificate)
    return [c.code for c in issued]


def announce(certificate: Certificate) -> None:
    """E-mail the learner their new certificate (after the commit)."""
    from webapp.certificates.views import verify_url

    user = db.session.get(User, certificate.user_id)
    if user is None:
        return
    base = current_app.config["PUBLIC_BASE_URL"]
    with current_app.test_request_context(base_url=base):
        send(
            "certificate_issued",
            user.email,
            name=certificate.learner_name,
            program=certificate.program_title,
            verify=verify_url(certificate),
            mine=url_for("certificates.my_certificates", _external=True),
        )


@shared_task(name="certificates.evaluate", **RETRY)
def evaluate(user_id: int, program_ids: list[int] | None = None) -> list[str]:
    """Evaluate the learner's programs (these, or every enrolled one); issue what is due."""
    return _issue_and_announce(int(user_id), program_ids)


@shared_task(name="certificates.module_watched", **RETRY)
def module_watched(user_id: int, video_id: int, clip_id: int | None) -> list[str]:
    """A committed heartbeat batch took the module past a watched share that matters."""
    programs = queries.programs_with_module(int(user_id), int(video_id), clip_id)
    return _issue_and_announce(int(user_id), programs) if programs else []


@shared_task(name="certificates.program_changed", **RETRY)
def program_changed(program_id: int, revision: str | None = None) -> int:
    """A program's rule changed: evaluate every enrolled learner (one commit each).
    With ``revision``, only while the rule is still that save (a later save sends its
    own passes; a deleted program has nobody to evaluate), so a late or repeated
    message never acts on a rule it was not sent for."""
    if revision is not None:
        rule = db.session.get(CertificateRule, int(program_id))
        if rule is None or rule.revision != revision:
            return 0
    count = 0
    for user_id in queries.enrolled_user_ids(int(program_id)):
        count += len(_issue_and_announce(user_id, [int(program_id)]))
    return count
