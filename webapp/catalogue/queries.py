"""Reads for the catalogue: filter, search, sort and page modules (constant query count).

A page costs three statements whatever its size: the count, the page of modules (with
their recording, clip and topic joined in), and the viewer's progress on all of them.
The topic list for the filter form is a fourth, shared by the filter parsing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import contains_eager

from webapp.audiences.decision import locks_for_listing
from webapp.audiences.rules import visible_module_rule
from webapp.catalogue.search import MAX_QUERY, SearchMatch, caption_moments, search_terms
from webapp.catalogue.services import slugify
from webapp.extensions import db
from webapp.models import Level, Module, Topic, User, Video, VideoState
from webapp.progress.queries import ModuleProgress, module_progress

DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100


class Sort(StrEnum):
    """Result order."""

    RELEVANCE = "relevance"  # best match first when searching, else newest
    NEWEST = "newest"
    POPULAR = "popular"


# key → (label, lower bound inclusive, upper bound exclusive), in seconds.
DURATION_BUCKETS: dict[str, tuple[str, float | None, float | None]] = {
    "under-5": ("Under 5 min", None, 300.0),
    "5-15": ("5–15 min", 300.0, 900.0),
    "15-60": ("15–60 min", 900.0, 3600.0),
    "over-60": ("Over 1 h", 3600.0, None),
}


@dataclass(frozen=True)
class Filters:
    """What the learner asked for; every field is already validated."""

    topic: str | None = None  # topic slug
    level: str | None = None
    duration: str | None = None  # a DURATION_BUCKETS key
    q: str = ""
    sort: str = Sort.RELEVANCE.value
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def query_args(self, **changes: object) -> dict[str, object]:
        """URL arguments reproducing these filters (defaults left out)."""
        values = replace(self, **changes)  # type: ignore[arg-type]
        args: dict[str, object] = {}
        for key in ("q", "topic", "level", "duration"):
            if getattr(values, key):
                args[key] = getattr(values, key)
        if values.sort != Sort.RELEVANCE.value:
            args["sort"] = values.sort
        if values.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = values.per_page
        if values.page != 1:
            args["page"] = values.page
        return args

    @property
    def is_filtered(self) -> bool:
        """Anything narrowing the list (search or a filter)."""
        return bool(self.q or self.topic or self.level or self.duration)


def topics() -> list[Topic]:
    """All topics by name (for the filter form and for parsing ``topic``)."""
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def topic_slug(value: str, known_topics: Sequence[Topic]) -> str | None:
    """The slug of the known topic ``value`` names (its slug, or its name in any case)."""
    slugs = {t.slug for t in known_topics}
    by_name = {t.name.lower(): t.slug for t in known_topics}
    slug = value if value in slugs else by_name.get(value.lower()) or slugify(value)
    return slug if slug in slugs else None


def parse_filters(args: Mapping[str, str], known_topics: Sequence[Topic]) -> Filters:
    """Filters from the library page's query string: a bad value (only edited URLs
    contain them) is dropped and the default used. (The API declares its parameters in
    ``webapp/catalogue/api.py`` and refuses bad ones.)"""
    values: dict[str, object] = {}
    topic = (args.get("topic") or "").strip()
    slug = topic_slug(topic, known_topics) if topic else None
    if slug is not None:
        values["topic"] = slug
    level = (args.get("level") or "").strip().lower()
    if level in set(Level):
        values["level"] = Level(level)
    duration = (args.get("duration") or "").strip()
    if duration in DURATION_BUCKETS:
        values["duration"] = duration
    q = (args.get("q") or "").strip()
    if len(q) <= MAX_QUERY:
        values["q"] = q
    sort = (args.get("sort") or "").strip().lower()
    if sort in {s.value for s in Sort}:
        values["sort"] = sort
    page = _int_arg(args, "page", 1, None)
    if page is not None:
        values["page"] = page
    per_page = _int_arg(args, "per_page", 1, MAX_PER_PAGE)
    if per_page is not None:
        values["per_page"] = per_page
    return Filters(**values)  # type: ignore[arg-type]


def _int_arg(args: Mapping[str, str], name: str, low: int, high: int | None) -> int | None:
    raw = str(args.get(name) or "").strip()
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value and (high is None or value <= high) else None


@dataclass(frozen=True)
class ModuleItem:
    """A module of a page, with the viewer's progress and any caption match time."""

    module: Module
    progress: ModuleProgress
    match_at: float | None = None
    # Why the viewer may not play it yet ("Complete ‘SEO Basics’ first"); "" if playable.
    locked_reason: str = ""

    @property
    def kind(self) -> str:
        """``clip`` or ``video``."""
        return "clip" if self.module.is_clip else "video"

    @property
    def percent(self) -> int:
        """Share watched, 0–100 (whole percent)."""
        return int(self.progress.percent)


@dataclass(frozen=True)
class CataloguePage:
    """One page of results and how many there are in all."""

    items: list[ModuleItem]
    total: int
    filters: Filters
    topics: list[Topic] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """The search words (for highlighting matches)."""
        return search_terms(self.filters.q)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.filters.per_page))

    @property
    def page(self) -> int:
        """The current page number."""
        return self.filters.page

    def page_numbers(self, window: int = 2) -> list[int | None]:
        """Page links to show: first, last, and ``window`` around the current one;
        ``None`` marks a gap."""
        shown = {1, self.pages} | set(
            range(max(1, self.page - window), min(self.pages, self.page + window) + 1)
        )
        numbers: list[int | None] = []
        previous = 0
        for number in sorted(shown):
            if number - previous > 1:
                numbers.append(None)
            numbers.append(number)
            previous = number
        return numbers


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _conditions(
    filters: Filters, topic_ids: Mapping[str, int], match: SearchMatch
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Module.listed.is_(True),
        Video.state == VideoState.READY,
    ]
    if filters.topic:
        conditions.append(Module.topic_id == topic_ids[filters.topic])
    if filters.level:
        conditions.append(Module.level == filters.level)
    if filters.duration:
        _, low, high = DURATION_BUCKETS[filters.duration]
        if low is not None:
            conditions.append(Module.duration >= low)
        if high is not None:
            conditions.append(Module.duration < high)
    if filters.q:
        conditions.append(match.condition())
    return conditions


def _ordered(query: Select, sort: str, match: SearchMatch) -> Select:
    if sort == Sort.POPULAR.value:
        return query.order_by(Module.views.desc(), Module.created_at.desc(), Module.id.desc())
    if sort == Sort.RELEVANCE.value and match.terms:
        query = query.order_by(match.rank().desc())
    return query.order_by(Module.created_at.desc(), Module.id.desc())


def browse(
    viewer: User, filters: Filters, known_topics: Sequence[Topic], clamp: bool = False
) -> CataloguePage:
    """The listed modules of READY recordings matching ``filters`` that ``viewer`` may
    see (the audience rule), one page of them (best match first for a search sorted by
    relevance), each with ``viewer``'s progress and why it is locked, if it is: five
    queries at most whatever the page size.

    ``clamp`` turns a page past the end into the last page (the HTML library); without
    it such a page is simply empty (the API).
    """
    topic_ids = {t.slug: t.id for t in known_topics}
    terms = search_terms(filters.q)
    match = SearchMatch.build(terms, _dialect()) if filters.q else SearchMatch([], _dialect())
    conditions = [*_conditions(filters, topic_ids, match), visible_module_rule(viewer)]
    total = (
        db.session.scalar(select(func.count(Module.id)).join(Module.video).where(and_(*conditions)))
        or 0
    )
    last_page = max(1, math.ceil(total / filters.per_page))
    if clamp and filters.page > last_page:
        filters = replace(filters, page=last_page)
    modules: list[Module] = []
    if total:
        query = (
            select(Module)
            .join(Module.video)
            .outerjoin(Module.clip)
            .outerjoin(Module.topic)
            .options(
                contains_eager(Module.video),
                contains_eager(Module.clip),
                contains_eager(Module.topic),
            )
            .where(and_(*conditions))
        )
        modules = list(
            db.session.scalars(
                _ordered(query, filters.sort, match)
                .limit(filters.per_page)
                .offset((filters.page - 1) * filters.per_page)
            ).unique()
        )
    progress = module_progress(viewer.id, modules) if modules else {}
    moments = caption_moments(terms, modules)
    locks = locks_for_listing(viewer, modules)
    items = [ModuleItem(m, progress[m.id], moments.get(m.id), locks.get(m.id, "")) for m in modules]
    return CataloguePage(items=items, total=total, filters=filters, topics=list(known_topics))
