"""Pages: set one module's audience and free preview (a clip's module has no other
page; a whole recording's module is also set on the video manager's page)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.access import can_edit_audience, managed_video_or_404
from webapp.audiences import services
from webapp.audiences.forms import ModuleAudienceForm
from webapp.audiences.queries import organisation_choices, organisation_slug
from webapp.extensions import db
from webapp.models import Module

bp = Blueprint("audiences", __name__, url_prefix="/manage/modules")


def _module_or_abort(module_id: int) -> Module:
    """The module if the user may set its audience: 404 when they may not even see its
    recording, 403 when they may see it but not change it."""
    module = db.session.get(Module, module_id)
    if module is None:
        abort(404, _("No such module."))
    managed_video_or_404(module.video_id, current_user)  # 404 / 403 as its video's page
    if not can_edit_audience(current_user, module):
        abort(403, _("Only the recording's instructor and admins set who may watch it."))
    return module


@bp.route("/<int:module_id>/audience", methods=["GET", "POST"])
@login_required
def edit(module_id: int):
    """Show and set who may watch the module; 400 with the choice kept on bad input."""
    module = _module_or_abort(module_id)
    initial = {
        "audience": module.audience.value if module.audience else services.DEFAULT,
        "organisation": organisation_slug(module.organisation_id),
        "free_preview": module.free_preview,
    }
    form = ModuleAudienceForm(data=None if request.method == "POST" else initial)
    form.set_organisations(organisation_choices())
    if form.validate_on_submit():
        try:
            services.set_module_audience(
                module,
                form.audience.data,
                bool(form.free_preview.data),
                organisation=form.organisation.data or None,
            )
        except services.AudienceError as exc:
            db.session.rollback()
            form.audience.errors = [*form.audience.errors, str(exc).capitalize() + "."]
        else:
            db.session.commit()
            flash(_("Saved who may watch “%(title)s”.", title=module.title))
            return redirect(url_for("audiences.edit", module_id=module.id))
    status = 400 if request.method == "POST" else 200
    return render_template("audiences/edit.html", form=form, module=module), status
