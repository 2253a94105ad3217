"""Question texts on the exam pages: Markdown through ``webapp.markdown.to_html`` (which
sanitises it), handed to the templates as markup so no template needs ``| safe``."""

from __future__ import annotations

from markupsafe import Markup

from webapp.markdown import to_html


def rendered(source: str) -> Markup:
    """``source`` as sanitised HTML, safe to insert."""
    return Markup(to_html(source))  # nh3 has cleaned it
