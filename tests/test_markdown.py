"""Markdown to sanitised HTML (webapp/markdown.py): what learners type never runs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from webapp.markdown import PLAIN_HTML, RAW_HTML, TAGS, html_problem, to_html


class _Tags(HTMLParser):
    """The tags and attributes of a piece of HTML (text, escaped or not, is ignored)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src='https://example.com'></iframe>",
        "<style>body{display:none}</style>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_no_raw_html_or_script_link_survives(source: str) -> None:
    html = to_html(source)
    for tag, attrs in _tags(html):
        assert tag in TAGS, html
        assert not any(name.startswith("on") for name in attrs), html
        assert not (attrs.get("href") or "").startswith(("javascript:", "data:")), html


def test_markdown_is_rendered_and_links_are_marked() -> None:
    html = to_html("**Why** is `x` 0 at [0:42](https://example.com/v?t=42)?\n\n- one\n- two")
    assert "<strong>Why</strong>" in html and "<code>x</code>" in html
    assert '<a href="https://example.com/v?t=42" rel="nofollow noopener noreferrer">0:42</a>' in (
        html
    )
    assert "<ul>" in html and "<li>two</li>" in html
    assert to_html("") == ""


@pytest.mark.parametrize(
    "source", ["<script>alert(1)</script>", "a <b>bold</b> claim", "<!-- hidden -->", "<img src=x>"]
)
def test_raw_html_is_refused_with_a_reason(source: str) -> None:
    assert html_problem(source) == RAW_HTML
    assert html_problem(source, markdown=False) == PLAIN_HTML


@pytest.mark.parametrize(
    "source",
    ["Why does `<script>` not run?", "```\n<div>\n```", "x < 5 and y > 3", "<https://x.org>"],
)
def test_code_comparisons_and_autolinks_are_not_html(source: str) -> None:
    assert html_problem(source) is None


def test_plain_text_refuses_tags_but_not_comparisons() -> None:
    assert html_problem("x < 5 and y > 3", markdown=False) is None
    assert html_problem("Pick <i>one</i>", markdown=False) == PLAIN_HTML
