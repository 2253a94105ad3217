"""What the back-office pages for courses and programs share: their blueprint, the
SortableJS module their order lists load, and the save-and-redirect flows of their forms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.learning.services import LearningError
from webapp.models import Course, Program

bp = Blueprint("learning_manage", __name__, url_prefix="/manage")

VENDOR_FILES = {"sortable.esm.js": "sortablejs/modular/sortable.esm.js"}

Saved = TypeVar("Saved", Course, Program)


# --------------------------------------------------------------------------- shared


@bp.get("/vendor/<name>")
@login_required
def vendor(name: str):
    """SortableJS's ES module from ``node_modules`` (the order lists' drag and drop)."""
    if not current_user.can_upload:
        abort(403)
    rel = VENDOR_FILES.get(name)
    if rel is None:
        abort(404)
    path = Path(current_app.config["NODE_MODULES"]) / rel
    if not path.is_file():
        abort(404, f"{name} is not installed (run `npm ci`).")
    return send_file(path, max_age=3600, mimetype="text/javascript")


def show_error(form: Any, exc: LearningError) -> None:
    """Put the service's message beside its field (or above the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def moved_message(title: str, ids: list[Any], ident: Any) -> str:
    """The flash after a move: where ``ident`` now stands in ``ids``."""
    return _(
        "‘%(title)s’ is now at position %(position)d of %(count)d.",
        title=title,
        position=ids.index(ident) + 1,
        count=len(ids),
    )


def submit(
    form: Any,
    save: Callable[[], Saved],
    page: Callable[[int], Any],
    done: Callable[[Saved], str],
    endpoint: str,
):
    """The details form's flow: validate, ``save``, commit and go to ``endpoint`` of the
    saved object; a rejected form is ``page``'s (after a rollback, with the error shown)."""
    if not form.validate_on_submit():
        return page(400 if request.method == "POST" else 200)
    try:
        saved = save()
    except LearningError as exc:
        db.session.rollback()
        show_error(form, exc)
        return page(400)
    db.session.commit()
    flash(done(saved), "success")
    return redirect(url_for(endpoint, slug=saved.slug))


def save_order(save: Callable[[], object], endpoint: str, slug: str, message: str, anchor: str):
    """Save a new order of items, commit and go back to the edit page ``endpoint``."""
    try:
        save()
    except LearningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(endpoint, slug=slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, slug=slug, _anchor=anchor or None))


def direction() -> int:
    """The posted ``direction`` as a step: -1 (up) or 1 (down); 400 for anything else."""
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "direction must be up or down")
    return -1 if direction == "up" else 1
