"""The branding page (admins) and what every page loads from it: the stylesheet with
the primary colour, the logo and the favicon (uploaded ones from the media storage,
else the SVGs shipped in ``static/brand/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import can_manage_branding
from webapp.branding.colour import darker
from webapp.branding.forms import BrandingForm
from webapp.branding.queries import current_look, stored_branding
from webapp.branding.services import BrandingChange, BrandingError, save_branding
from webapp.extensions import db
from webapp.storage import ObjectNotFound, StorageError, get_storage

bp = Blueprint("branding", __name__)

TEMPLATE = "branding/settings.html"
# An uploaded image is shown as an image only: nothing in it may run or load.
IMAGE_POLICY = "default-src 'none'; style-src 'none'; sandbox"
IMAGE_MAX_AGE = 300  # seconds; URLs carry ?v=<version>, so a change shows at once


@bp.route("/admin/branding", methods=["GET", "POST"])
@login_required
def settings() -> Any:
    """Name, colour, logo and favicon of the platform (admins)."""
    if not can_manage_branding(current_user):
        abort(403, _("Only admins change the branding."))
    form = BrandingForm()
    if request.method == "GET":
        look = current_look()
        form.name.data, form.colour.data = look.name, look.colour or ""
        return render_template(TEMPLATE, form=form)
    if not form.validate():
        return render_template(TEMPLATE, form=form), 400
    change = BrandingChange(
        name=form.name.data,
        colour=form.colour.data or "",
        logo=_upload(form.logo.data),
        favicon=_upload(form.favicon.data),
        remove_logo=form.remove_logo.data,
        remove_favicon=form.remove_favicon.data,
    )
    try:
        saved = save_branding(change)
    except BrandingError as exc:
        db.session.rollback()
        getattr(form, exc.field).errors = [str(exc)]
        return render_template(TEMPLATE, form=form), 400
    db.session.commit()
    _delete_quietly(saved.stale_keys)
    flash(_("Branding saved."), "success")
    return redirect(url_for("branding.settings"))


@bp.route("/branding.css")
def stylesheet() -> Response:
    """The primary colour as CSS custom properties (empty without a custom colour)."""
    look = current_look()
    body = ""
    if look.colour:
        body = f":root {{ --brand: {look.colour}; --brand-strong: {darker(look.colour)}; }}\n"
    response = current_app.response_class(body, mimetype="text/css")
    response.set_etag(f"branding-{look.version}")
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.route("/branding/logo")
def logo() -> Response:
    """The uploaded logo, else the shipped one."""
    look = current_look()
    return _image("logo", look.version) if look.custom_logo else _shipped("logo.svg")


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The uploaded favicon, else the shipped one (browsers ask for this path)."""
    look = current_look()
    return _image("favicon", look.version) if look.favicon_type else _shipped("favicon.svg")


def _upload(storage: Any) -> bytes | None:
    """The bytes of an uploaded file field, None when no file was chosen."""
    if not storage or not getattr(storage, "filename", ""):
        return None
    return bytes(storage.read())


def _image(kind: str, version: int) -> Response:
    row = stored_branding()
    key = getattr(row, f"{kind}_key", None)
    if row is None or key is None:
        abort(404)
    try:
        data = get_storage().get_bytes(key)
    except ObjectNotFound:
        abort(404)
    response = current_app.response_class(data, mimetype=getattr(row, f"{kind}_type"))
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}"
    response.set_etag(f"{kind}-{version}")
    return response.make_conditional(request)


def _shipped(name: str) -> Response:
    # Read whole (a few hundred bytes): a file response left unread keeps its file open.
    data = (Path(current_app.static_folder or "static") / "brand" / name).read_bytes()
    response = current_app.response_class(data, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}"
    response.set_etag(f"shipped-{name}-{len(data)}")
    return response.make_conditional(request)


def _delete_quietly(keys: list[str]) -> None:
    """Remove images no longer used; a failure only leaves a small orphan behind."""
    for key in keys:
        try:
            get_storage().delete(key)
        except StorageError:
            current_app.logger.warning("branding: could not delete %s", key)
