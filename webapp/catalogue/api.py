"""API routes for the catalogue: list modules (every signed-in user), curate one
(its recording's instructor or an admin)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from flask import g, url_for
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticUseDefault
from sqlalchemy import select

from webapp.access import can_manage, can_manage_topics, can_view
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, Timestamp, operation
from webapp.audiences.services import AudienceError, set_module_audience
from webapp.catalogue import services
from webapp.catalogue.queries import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    Filters,
    ModuleItem,
    browse,
    topic_slug,
    topics,
)
from webapp.catalogue.search import MAX_QUERY
from webapp.catalogue.services import MAX_DESCRIPTION, MAX_TOPIC, CatalogueError, TopicInUse
from webapp.extensions import db
from webapp.models import Module, Topic
from webapp.problems import ApiError, FieldError
from webapp.progress.queries import ModuleProgress

LevelName = Literal["foundation", "intermediate", "advanced"]
DurationBucket = Literal["under-5", "5-15", "15-60", "over-60"]
SortName = Literal["relevance", "newest", "popular"]
TAGS_SCHEMA = {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "description": "Comma-separated."},
        {"type": "null"},
    ]
}


def _trimmed(lower: bool) -> Callable[[Any], Any]:
    """Text trimmed (and lower-cased); empty text means "use the default"."""

    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            raise PydanticUseDefault()
        return value.lower() if lower else value

    return clean


def _comma_separated(value: Any) -> Any:
    """``"seo, search"`` → ``["seo", " search"]`` (the service trims each tag)."""
    return value.split(",") if isinstance(value, str) else value


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, not null")
    return value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


Trimmed = BeforeValidator(_trimmed(lower=False))
AnyCase = BeforeValidator(_trimmed(lower=True))


class ModuleFilters(Query):
    """Which modules, in which order, which page (empty parameters are left out)."""

    topic: Annotated[str | None, Trimmed] = Field(None, description="A topic's slug or name.")
    level: Annotated[LevelName | None, AnyCase] = None
    duration: Annotated[DurationBucket | None, Trimmed] = None
    q: Annotated[str, Trimmed] = Field("", max_length=MAX_QUERY, description="Search words.")
    sort: Annotated[SortName, AnyCase] = Field(
        "relevance", description="relevance: best match first when searching, else newest."
    )
    page: Annotated[int, Trimmed] = Field(1, ge=1)
    per_page: Annotated[int, Trimmed] = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)

    def filters(self, known_topics: Sequence[Topic]) -> Filters:
        """The catalogue's filters; the topic must be a known one (400 otherwise)."""
        slug = None
        if self.topic is not None:
            slug = topic_slug(self.topic, known_topics)
            if slug is None:
                message = f"unknown topic {self.topic!r}"
                raise ApiError(400, f"topic: {message}", [FieldError("topic", message)])
        return Filters(
            topic=slug,
            level=self.level,
            duration=self.duration,
            q=self.q,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
        )


class ModuleChange(Input):
    """A curator's change: any of ``topic``, ``level``, ``tags``, ``description``,
    ``audience``, ``free_preview``."""

    topic: str | None = Field(
        None, max_length=MAX_TOPIC, description="A topic's name or slug; null or empty clears it."
    )
    level: Annotated[LevelName | None, BeforeValidator(_lower), AfterValidator(_not_null)] = Field(
        None, description="Any case; may be left out, not null."
    )
    tags: Annotated[
        list[str] | None, BeforeValidator(_comma_separated), WithJsonSchema(TAGS_SCHEMA)
    ] = Field(None, description="A list, or one comma-separated string; null or empty clears them.")
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    audience: Literal["", "open", "program", "cohort", "instructors", "organisation"] | None = (
        Field(
            None,
            description="The module's own audience; null or empty: the default (program "
            "members while it is in a program, else everyone). Its recording's audience "
            "applies too.",
        )
    )
    organisation: str | None = Field(
        None,
        max_length=120,
        description="With audience organisation: the slug of the organisation whose members "
        "may watch it (left out: the one it already belongs to).",
    )
    free_preview: Annotated[bool | None, AfterValidator(_not_null)] = Field(
        None, description="Anyone signed in may watch it, without enrolling or prerequisites."
    )


class TopicOut(Output):
    """A topic."""

    name: str
    slug: str


class SourceOut(Output):
    """Where a clip comes from in its recording."""

    video_id: int
    title: str
    start: float
    url: str


class ProgressOut(Output):
    """The caller's standing on a module."""

    percent: float
    completed: bool
    position: float
    watched_seconds: float

    @classmethod
    def of(cls, progress: ModuleProgress) -> ProgressOut:
        """The standing ``progress``."""
        return cls(
            percent=progress.percent,
            completed=progress.completed,
            position=progress.position,
            watched_seconds=progress.watched_seconds,
        )


class MatchOut(Output):
    """Where in the recording the captions match the search."""

    at: float
    url: str


class ModuleOut(Output):
    """A module as the catalogue shows it (without the caller's progress)."""

    id: int
    kind: Literal["clip", "video"]
    title: str
    description: str
    topic: TopicOut | None
    level: str
    tags: list[str]
    duration: float
    views: int
    audience: str | None = Field(description="Its own audience; null: the default.")
    free_preview: bool
    video_id: int
    clip_id: int | None
    watch_url: str
    poster_url: str | None
    created_at: Timestamp | None
    from_: SourceOut | None = Field(
        None, alias="from", exclude_if=lambda v: v is None, description="Clips only."
    )

    @classmethod
    def fields_of(cls, module: Module) -> dict[str, Any]:
        """The fields of ``module``."""
        clip = module.clip
        source = None
        if clip is not None:
            source = SourceOut(
                video_id=module.video_id,
                title=module.video.title,
                start=clip.start,
                url=url_for("playback.watch", video_id=module.video_id, t=clip.start),
            )
        return {
            "id": module.id,
            "kind": "clip" if clip is not None else "video",
            "title": module.title,
            "description": module.description,
            "topic": (
                TopicOut(name=module.topic.name, slug=module.topic.slug) if module.topic else None
            ),
            "level": module.level,
            "tags": list(module.tags or []),
            "duration": round(module.duration or 0.0, 3),
            "views": module.views,
            "audience": str(module.audience) if module.audience else None,
            "free_preview": module.free_preview,
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
            "created_at": module.created_at,
            "from_": source,
        }

    @classmethod
    def of(cls, module: Module) -> ModuleOut:
        """The module ``module``."""
        return cls(**cls.fields_of(module))


class ModuleItemOut(ModuleOut):
    """A listed module with the caller's progress and any caption match."""

    progress: ProgressOut
    match: MatchOut | None = Field(
        None, exclude_if=lambda v: v is None, description="Only when ``q`` matched a caption."
    )
    locked: bool = Field(
        False, description="Visible but not playable yet: ``locked_reason`` says why."
    )
    locked_reason: str | None = Field(
        None,
        description='What to complete first ("Complete ‘SEO Basics’ first"); null if playable.',
    )

    @classmethod
    def of_item(cls, item: ModuleItem) -> ModuleItemOut:
        """The listed ``item``."""
        match = None
        if item.match_at is not None:
            match = MatchOut(
                at=item.match_at,
                url=url_for("playback.watch", video_id=item.module.video_id, t=item.match_at),
            )
        return cls(
            **cls.fields_of(item.module),
            progress=ProgressOut.of(item.progress),
            match=match,
            locked=bool(item.locked_reason),
            locked_reason=item.locked_reason or None,
        )


class ModulePage(Output):
    """One page of listed modules."""

    items: list[ModuleItemOut]
    total: int
    page: int
    per_page: int
    pages: int


@operation(bp, "GET", "/modules", query=ModuleFilters, responses={200: ModulePage})
def list_modules(query: ModuleFilters) -> ModulePage:
    """Listed modules, filtered, searched, sorted and paged."""
    known = topics()
    filters = query.filters(known)
    result = browse(g.user, filters, known)
    return ModulePage(
        items=[ModuleItemOut.of_item(item) for item in result.items],
        total=result.total,
        page=result.page,
        per_page=filters.per_page,
        pages=result.pages,
    )


@operation(
    bp,
    "PATCH",
    "/modules/<int:module_id>",
    body=ModuleChange,
    responses={200: ModuleOut},
    errors=(403, 404),
)
def update_module(module_id: int, body: ModuleChange) -> ModuleOut:
    """Curate a module: its topic, level, tags, description, audience or free preview."""
    module = db.session.get(Module, module_id)
    if module is None or not can_view(g.user, module.video):
        raise ApiError(404, "No such module.")
    if not can_manage(g.user, module.video):
        raise ApiError(403, "Only the recording's instructor or an admin may change this module.")
    changes = body.model_dump(exclude_unset=True)
    who = {
        name: changes.pop(name)
        for name in ("audience", "free_preview", "organisation")
        if name in changes
    }
    try:
        services.update_module(module, changes)  # type: ignore[arg-type]
        if who:
            set_module_audience(
                module,
                who.get("audience"),
                who.get("free_preview"),
                keep="audience" not in who,
                organisation=who.get("organisation"),
            )
    except (CatalogueError, AudienceError) as exc:
        raise ApiError(400, str(exc)) from None
    db.session.commit()
    return ModuleOut.of(module)


# --------------------------------------------------------------------------- topics (back office)


class TopicIn(Input):
    """A topic's name (its slug is derived from it)."""

    name: str = Field(max_length=MAX_TOPIC)


def _topic_or_404(slug: str) -> Topic:
    if not can_manage_topics(g.user):
        raise ApiError(403, "Only admins manage topics.")
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
    if topic is None:
        raise ApiError(404, "No such topic.")
    return topic


def _bad_topic(exc: CatalogueError) -> ApiError:
    if isinstance(exc, TopicInUse):
        return ApiError(409, str(exc))
    return ApiError(400, str(exc), [FieldError("name", str(exc))])


@operation(bp, "POST", "/topics", body=TopicIn, responses={201: TopicOut}, errors=(403,))
def create_topic(body: TopicIn) -> tuple[TopicOut, int]:
    """Add a topic (admins)."""
    if not can_manage_topics(g.user):
        raise ApiError(403, "Only admins manage topics.")
    try:
        topic = services.add_topic(body.name)
    except CatalogueError as exc:
        raise _bad_topic(exc) from None
    db.session.commit()
    return TopicOut(name=topic.name, slug=topic.slug), 201


@operation(
    bp, "PATCH", "/topics/<slug>", body=TopicIn, responses={200: TopicOut}, errors=(403, 404)
)
def update_topic(slug: str, body: TopicIn) -> TopicOut:
    """Rename a topic (admins); its slug follows the new name."""
    topic = _topic_or_404(slug)
    try:
        services.rename_topic(topic, body.name)
    except CatalogueError as exc:
        raise _bad_topic(exc) from None
    db.session.commit()
    return TopicOut(name=topic.name, slug=topic.slug)


@operation(bp, "DELETE", "/topics/<slug>", responses={204: None}, errors=(403, 404, 409))
def delete_topic(slug: str) -> None:
    """Delete a topic (admins); 409 naming what still uses it."""
    topic = _topic_or_404(slug)
    try:
        services.delete_topic(topic)
    except CatalogueError as exc:
        raise _bad_topic(exc) from None
    db.session.commit()
