"""Learners' and instructors' text (questions, answers, feedback) as safe HTML.

Markdown is rendered by markdown-it-py with raw HTML switched off, then the result is
cleaned by nh3 (an allow-list sanitiser): whatever the renderer lets through, only the
tags and attributes below reach a page, and every link leaves with
``rel="nofollow noopener noreferrer"``. Store the source text; render when showing it.

Services refuse raw HTML at the door (``html_problem``): sanitising would silently
drop what was typed, so the author is told instead, and code about HTML still has a
place between backticks.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "del", "table", "thead", "tbody", "tr", "th", "td"}
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # "js-default": CommonMark without raw HTML, plus tables and strikethrough.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False})


RAW_HTML = "Raw HTML is not allowed: write Markdown, and put code between backticks (`<b>`)."
PLAIN_HTML = "HTML tags are not allowed here."
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with HTML on, only to find where raw HTML would be (never to render).
    return MarkdownIt("commonmark")


def _tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        found.extend(_tokens(token.children or []))
    return found


def html_problem(text: str, *, markdown: bool = True) -> str | None:
    """Why ``text`` is refused, or None. Markdown: raw HTML outside code spans and code
    blocks (``<script>``, ``<b>``, comments). Plain text (titles, choices): anything
    that looks like a tag. ``x < 5`` and autolinks like ``<https://…>`` are fine."""
    if markdown:
        raw = any(t.type.startswith("html_") for t in _tokens(_parser().parse(text or "")))
        return RAW_HTML if raw else None
    return PLAIN_HTML if _TAG.search(text or "") else None


def to_html(source: str) -> str:
    """``source`` (Markdown) as sanitised HTML: no raw HTML, scripts, styles, event
    handlers or ``javascript:`` links survive."""
    rendered = _renderer().render(source or "")
    return nh3.clean(
        rendered,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    ).strip()
