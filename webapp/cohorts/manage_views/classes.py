"""Back-office pages of live classes: schedule, edit and delete a cohort's classes and the
public masterclasses."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from webapp.access import require_admin, teaching_class_or_404, teaching_cohort_or_404
from webapp.cohorts import queries, services
from webapp.cohorts.forms import ClassForm, instant, wall_clock
from webapp.cohorts.manage_views import Page, back_to, confirm_page, form_status, save
from webapp.cohorts.timezones import localize
from webapp.cohorts.views import bp
from webapp.extensions import db
from webapp.models import Cohort, LiveClass


def _cohort_of(live_class: LiveClass) -> Cohort | None:
    return db.session.get(Cohort, live_class.cohort_id) if live_class.cohort_id else None


def _class_form(cohort: Cohort | None, live_class: LiveClass | None) -> ClassForm:
    """The form, filled from ``live_class`` on GET; its zone is the cohort's (masterclass:
    typed on the form)."""
    data = None
    if request.method != "POST" and live_class is not None:
        zone = cohort.time_zone if cohort else "UTC"
        data = {
            "title": live_class.title,
            "zone": zone,
            "starts_at": wall_clock(live_class.starts_at, zone),
            "duration_minutes": live_class.duration_minutes,
            "join_url": live_class.join_url,
            "recording_id": live_class.recording_id,
            "topic_id": live_class.topic_id,
        }
    form = ClassForm(data=data)
    if cohort is not None:
        del form.zone
        form.starts_at.label.text = _("Start (%(zone)s)", zone=cohort.time_zone)
    videos = queries.recording_candidates(current_user)
    current = live_class.recording if live_class is not None else None
    if current is not None and current not in videos:
        videos.insert(0, current)
    form.recording_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(v.id), f"{v.title} (#{v.id})") for v in videos
    ]
    form.topic_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(t.id), t.name) for t in queries.topic_choices()
    ]
    return form


def _class_zone(form: ClassForm, cohort: Cohort | None) -> str:
    return cohort.time_zone if cohort is not None else form.zone.data


def _class_values(form: ClassForm, cohort: Cohort | None) -> dict:
    return {
        "title": form.title.data,
        "starts_at": instant(form.starts_at.data, _class_zone(form, cohort)),
        "minutes": form.duration_minutes.data,
        "join_url": form.join_url.data or "",
        "topic_id": form.topic_id.data,
        "recording_id": form.recording_id.data,
        "by": current_user,
    }


def _class_page(form: ClassForm, cohort: Cohort | None, live_class: LiveClass | None) -> Page:
    return render_template(
        "manage/classes_form.html", form=form, cohort=cohort, live_class=live_class
    ), form_status(form)


@bp.route("/manage/cohorts/<int:cohort_id>/classes/new", methods=["GET", "POST"])
@login_required
def new_class(cohort_id: int) -> Page:
    """Schedule a live class of a cohort (its instructors, admins)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = _class_form(cohort, None)
    if save(form, lambda: services.add_class(cohort, **_class_values(form, cohort))):
        flash(_("Class “%(title)s” scheduled.", title=form.title.data), "success")
        return back_to(cohort)
    return _class_page(form, cohort, None)


@bp.get("/manage/masterclasses")
@login_required
def manage_masterclasses() -> Page:
    """Masterclasses with their edit and delete links (admins)."""
    require_admin(current_user)
    return render_template(
        "manage/classes_list.html",
        classes=queries.masterclasses(),
        when=lambda moment: localize(moment, "UTC"),
    )


@bp.route("/manage/masterclasses/new", methods=["GET", "POST"])
@login_required
def new_masterclass() -> Page:
    """Schedule a public masterclass (admins)."""
    require_admin(current_user)
    form = _class_form(None, None)
    if save(form, lambda: services.add_class(None, **_class_values(form, None))):
        flash(_("Masterclass “%(title)s” scheduled.", title=form.title.data), "success")
        return back_to(None)
    return _class_page(form, None, None)


@bp.route("/manage/classes/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit_class(class_id: int) -> Page:
    """Change a class or masterclass (a past one too, e.g. to attach its recording)."""
    live_class = teaching_class_or_404(class_id, current_user)
    cohort = _cohort_of(live_class)
    form = _class_form(cohort, live_class)
    if save(form, lambda: services.update_class(live_class, **_class_values(form, cohort))):
        flash(_("Class saved."), "success")
        return back_to(cohort)
    return _class_page(form, cohort, live_class)


@bp.route("/manage/classes/<int:class_id>/delete", methods=["GET", "POST"])
@login_required
def delete_class(class_id: int) -> Page:
    """Confirm (GET), then delete (POST) a class with its attendance."""
    live_class = teaching_class_or_404(class_id, current_user)
    cohort = _cohort_of(live_class)
    if request.method == "POST":
        title = live_class.title
        services.delete_class(live_class)
        db.session.commit()
        flash(_("Class “%(title)s” deleted.", title=title), "success")
        return back_to(cohort)
    marks = queries.attendance_count(live_class.id)
    goes = [ngettext("%(num)d attendance mark", "%(num)d attendance marks", marks)]
    if live_class.recording_id:
        goes.append(_("(The recording stays as a video of its owner.)"))
    back = back_to(cohort).location
    return confirm_page(
        _("the class “%(title)s”", title=live_class.title),
        goes,
        url_for("cohorts.delete_class", class_id=live_class.id),
        back,
    )
