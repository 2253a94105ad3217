"""The notification pages: the list, opening one (marks it read), "mark all read", and
the choice of e-mails. The bell itself is in the site header (``_bell.html``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import may_read_notification
from webapp.extensions import db
from webapp.models import EmailChoice, Notification, User
from webapp.notifications import services
from webapp.notifications.forms import EmailChoiceForm, MarkAllForm
from webapp.notifications.links import safe_path
from webapp.notifications.queries import email_choice, notification_page

bp = Blueprint("notifications", __name__)

Page = str | tuple[str, int] | Response
MAX_PAGE = 100_000


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


@bp.get("/notifications")
@login_required
def index() -> Page:
    """The caller's notifications, newest first, paged; unread ones marked."""
    result = notification_page(_me().id, _page_number())
    return render_template("notifications/index.html", result=result, form=MarkAllForm())


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> Page:
    """Open one of one's notifications: it is marked read, then its page opens (only a
    path of this site; anything else lands on the list)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not may_read_notification(_me(), notification):
        abort(404, "No such notification.")
    target = safe_path(notification.url) or url_for("notifications.index")
    services.mark_read(_me().id, [notification.id])
    db.session.commit()
    return redirect(target)


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Page:
    """Mark every notification of the caller read."""
    if not MarkAllForm().validate():
        abort(400, "The form expired; try again.")
    count = services.mark_all_read(_me().id)
    db.session.commit()
    flash(
        ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.", count)
        if count
        else _("Nothing was unread."),
        "success",
    )
    return redirect(url_for("notifications.index"))


def email_form() -> EmailChoiceForm:
    """The e-mail choice form filled with the caller's choice (for the profile page)."""
    return EmailChoiceForm(formdata=None, data={"notification_email": email_choice(_me().id).value})


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def preferences() -> Page:
    """Choose the notification e-mails: each as it happens, an hourly digest, or none."""
    if request.method == "GET":
        return render_template("notifications/settings.html", form=email_form())
    form = EmailChoiceForm()
    if not form.validate():
        return render_template("notifications/settings.html", form=form), 400
    services.set_email_choice(_me().id, EmailChoice(form.notification_email.data))
    db.session.commit()
    flash(_("Notification e-mails saved."), "success")
    back = request.args.get("back") == "profile"
    return redirect(url_for("people.profile" if back else "notifications.preferences"))
