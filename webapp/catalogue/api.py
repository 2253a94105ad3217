"""API routes for the catalogue: list modules (every signed-in user), curate one
(its recording's instructor or an admin)."""

from __future__ import annotations

from flask import abort, g, jsonify, request, url_for

from webapp.access import can_manage, can_view
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.catalogue import services
from webapp.catalogue.queries import ModuleItem, browse, parse_filters, topics
from webapp.catalogue.services import CatalogueError
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Module
from webapp.progress.queries import ModuleProgress


def progress_json(progress: ModuleProgress) -> dict:
    """The caller's standing on a module."""
    return {
        "percent": progress.percent,
        "completed": progress.completed,
        "position": progress.position,
        "watched_seconds": progress.watched_seconds,
    }


def module_json(module: Module) -> dict:
    """A module as the catalogue shows it (without the caller's progress)."""
    clip = module.clip
    body = {
        "id": module.id,
        "kind": "clip" if clip is not None else "video",
        "title": module.title,
        "description": module.description,
        "topic": ({"name": module.topic.name, "slug": module.topic.slug} if module.topic else None),
        "level": module.level,
        "tags": list(module.tags or []),
        "duration": round(module.duration or 0.0, 3),
        "views": module.views,
        "video_id": module.video_id,
        "clip_id": module.clip_id,
        "watch_url": (
            url_for("clips.watch", clip_id=clip.id)
            if clip is not None
            else url_for("playback.watch", video_id=module.video_id)
        ),
        "poster_url": (
            url_for("playback.poster", video_id=module.video_id)
            if module.video.poster_key
            else None
        ),
        "created_at": module.created_at.isoformat() if module.created_at else None,
    }
    if clip is not None:
        body["from"] = {
            "video_id": module.video_id,
            "title": module.video.title,
            "start": clip.start,
            "url": url_for("playback.watch", video_id=module.video_id, t=clip.start),
        }
    return body


def item_json(item: ModuleItem) -> dict:
    """A listed module with the caller's progress and any caption match."""
    body = module_json(item.module)
    body["progress"] = progress_json(item.progress)
    if item.match_at is not None:
        body["match"] = {
            "at": item.match_at,
            "url": url_for("playback.watch", video_id=item.module.video_id, t=item.match_at),
        }
    return body


@bp.errorhandler(CatalogueError)
def _catalogue_error(exc: CatalogueError):
    db.session.rollback()
    return error_response(400, str(exc))


@bp.get("/modules")
@api_login_required
def list_modules():
    """Listed modules: ``topic`` (slug or name), ``level``, ``duration`` (under-5, 5-15,
    15-60, over-60), ``q``, ``sort`` (newest, popular), ``page``, ``per_page`` (≤ 100)."""
    known = topics()
    filters = parse_filters(request.args, known, strict=True)
    result = browse(g.user.id, filters, known)
    return jsonify(
        items=[item_json(item) for item in result.items],
        total=result.total,
        page=result.page,
        per_page=filters.per_page,
        pages=result.pages,
    )


@bp.patch("/modules/<int:module_id>")
@api_login_required
def update_module(module_id: int):
    """Curate a module: ``{"topic"?, "level"?, "tags"?, "description"?}`` only."""
    module = db.session.get(Module, module_id)
    if module is None or not can_view(g.user, module.video):
        abort(404, "No such module.")
    if not can_manage(g.user, module.video):
        abort(403, "Only the recording's instructor or an admin may change this module.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CatalogueError("send a JSON object")
    services.update_module(module, body)
    db.session.commit()
    return jsonify(module_json(module))
