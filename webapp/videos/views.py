"""Pages of the video manager: the list ("My videos" / "All videos"), the edit form with
its poster picker, and the delete confirmation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.access import managed_video_or_404
from webapp.audiences.queries import organisation_choices, organisation_slug
from webapp.auth.loaders import uploader_required
from webapp.catalogue.queries import topics
from webapp.catalogue.services import module_of_video
from webapp.extensions import db
from webapp.models import Video, VideoState
from webapp.textfmt import plural
from webapp.timefmt import clock
from webapp.videos import queries, services
from webapp.videos.errors import VideoError, VideoInUse
from webapp.videos.forms import KEEP_POSTER, VideoForm

bp = Blueprint("videos", __name__, url_prefix="/manage/videos")


@bp.get("")
@uploader_required
def index():
    """My videos (an instructor's own) or All videos (an admin: everyone's)."""
    owner_id = request.args.get("owner", type=int) if current_user.is_admin else None
    filters = queries.VideoFilters(
        q=request.args.get("q", "").strip()[:200],
        state=request.args.get("state", ""),
        owner_id=owner_id,
    )
    return render_template(
        "videos/index.html",
        videos=queries.managed_videos(current_user, filters),
        filters=filters,
        states=list(VideoState),
        owners=queries.owners() if current_user.is_admin else [],
        heading=_("All videos") if current_user.is_admin else _("My videos"),
    )


@bp.route("/<int:video_id>", methods=["GET", "POST"])
@login_required
def edit(video_id: int):
    """Edit a video's details and pick its poster; 400 with the form as typed on bad input."""
    video = managed_video_or_404(video_id, current_user)
    module = module_of_video(video.id)
    frames = queries.storyboard_frames(video)
    choices = queries.poster_choices(frames)
    form = VideoForm(obj=None if request.method == "POST" else _initial(video))
    form.set_choices(
        [(t.slug, t.name) for t in topics()], [(str(f.index), clock(f.at)) for f in choices]
    )
    form.set_organisations(organisation_choices())
    if form.validate_on_submit():
        try:
            _save(video, form, module is not None, {f.index: f for f in choices})
        except VideoError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved “%(title)s”.", title=video.title))
            return redirect(url_for("videos.edit", video_id=video.id))
    status = 400 if request.method == "POST" else 200
    video = db.session.get(Video, video_id) or video
    return render_template(
        "videos/edit.html",
        form=form,
        video=video,
        has_module=module is not None,
        clip_modules=queries.clip_modules(video.id),
    ), status


class _Obj:
    """Attributes from a dict (WTForms reads ``obj`` by attribute)."""

    def __init__(self, data: dict) -> None:
        self.__dict__.update(data)


def _initial(video: Video) -> _Obj:
    module = module_of_video(video.id)
    data = {
        "title": video.title,
        "description": video.description,
        "listed": True,
        "audience": video.audience,
        "organisation": organisation_slug(video.organisation_id),
    }
    if module is not None:
        data |= {
            "topic": module.topic.slug if module.topic else "",
            "level": module.level,
            "tags": ", ".join(module.tags or []),
            "listed": module.listed,
            "free_preview": module.free_preview,
        }
    return _Obj(data)


def _save(video: Video, form: VideoForm, has_module: bool, frames: dict) -> None:
    changes: services.VideoChanges = {
        "title": form.title.data or "",
        "description": form.description.data or "",
    }
    if form.audience.data:  # a form without the field keeps the audience
        changes["audience"] = form.audience.data
        changes["organisation"] = form.organisation.data or None
    if has_module:
        changes |= {
            "topic": form.topic.data or None,
            "level": form.level.data or "",
            "tags": form.tags.data or "",
            "listed": bool(form.listed.data),
            "free_preview": bool(form.free_preview.data),
        }
    services.update_video(video, changes)
    if form.poster.data and form.poster.data != KEEP_POSTER:
        frame = frames.get(int(form.poster.data)) if form.poster.data.isdigit() else None
        if frame is None:
            raise VideoError("poster", _("Pick one of the frames shown."))
        services.set_poster(video, frame)


def _field_error(form: VideoForm, exc: VideoError) -> None:
    field = getattr(form, exc.field, None)
    if field is None:
        form.form_errors.append(exc.message)
    else:
        field.errors = [*field.errors, exc.message]


@bp.get("/<int:video_id>/delete")
@login_required
def confirm_delete(video_id: int):
    """What goes with the video, with counts; the reasons it is still in use."""
    video = managed_video_or_404(video_id, current_user)
    return _confirmation(video)


def _confirmation(video: Video, status: int = 200):
    found = queries.consequences(video)
    return render_template(
        "manage/confirm_delete.html",
        thing=f"the video “{video.title}”",
        goes=[plural(n, one, many) for one, many, n in found.goes],
        blockers=found.blockers,
        force_label="Remove it from them, then delete it",
        action=url_for("videos.delete", video_id=video.id),
        back=url_for("videos.edit", video_id=video.id),
    ), status


@bp.post("/<int:video_id>/delete")
@login_required
def delete(video_id: int):
    """Delete the video (``force`` takes it out of classes and courses first)."""
    video = managed_video_or_404(video_id, current_user)
    title = video.title
    try:
        deleted = services.delete_video(video, force=bool(request.form.get("force")))
    except VideoInUse:
        db.session.rollback()
        flash(_("Nothing was deleted: tick the box to remove it from its classes and courses."))
        return _confirmation(video, 409)
    db.session.commit()
    services.remove_media(deleted)
    flash(_("Deleted “%(title)s”.", title=title))
    return redirect(url_for("videos.index"))
