"""Back-office pages of cohorts: create, edit and delete cohorts, members (search and
CSV), live classes, masterclasses and exams. Who may do what is ``webapp.access``'s
teaching section; every write is a service of ``webapp.cohorts.services``.

This module holds what the pages share (saving a form, the delete confirmation, the way
back); the pages are by concern in ``cohorts`` (cohorts and their members), ``classes``
(live classes and masterclasses) and ``exams``, registered on the cohorts blueprint by the
import at the end."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from webapp.cohorts.services import CohortError
from webapp.extensions import db
from webapp.models import Cohort

Page = str | Response | tuple[str, int]


def _refused(form: FlaskForm, exc: CohortError) -> None:
    """Undo the write and put the service's message beside its field."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def save(form: FlaskForm, write: Callable[[], object]) -> bool:
    """Run ``write`` on a valid POSTed form and commit; False (nothing saved) otherwise."""
    if not form.validate_on_submit():
        return False
    try:
        write()
    except CohortError as exc:
        _refused(form, exc)
        return False
    db.session.commit()
    return True


def form_status(form: FlaskForm) -> int:
    """The status of a form page: 400 when it shows a refused POST, else 200."""
    return 400 if request.method == "POST" else 200


def confirm_page(thing: str, goes: list[str], action: str, back: str) -> str:
    """The delete confirmation: ``thing`` goes with ``goes``; POST to ``action``."""
    return render_template(
        "manage/confirm_delete.html",
        thing=thing,
        goes=goes,
        blockers=[],
        force_label=None,
        action=action,
        back=back,
    )


def back_to(cohort: Cohort | None) -> Response:
    """Back to the cohort's page (no cohort: the masterclasses)."""
    if cohort is None:
        return redirect(url_for("cohorts.manage_masterclasses"))
    return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))


# The pages, by concern; they import the shared pieces above.
from webapp.cohorts.manage_views import classes, cohorts, exams  # noqa: E402, F401
