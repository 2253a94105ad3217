"""The main menu's one helper: ``nav_link(endpoint, label)``, a Jinja global.

It renders a link to a page that takes no URL values, marked ``aria-current="page"`` on
that page, and nothing at all when ``endpoint`` is not registered: the menu can name
pages of features that are merged later without breaking the ones that are not.
"""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from webapp.access import manages_an_organisation, may_manage_cohorts


def nav_link(endpoint: str, label: str) -> Markup:
    """``<a href=…>label</a>`` for ``endpoint``, or empty when it does not exist."""
    if endpoint not in current_app.view_functions:
        return Markup("")
    try:
        href = url_for(endpoint)
    except BuildError:  # it needs URL values: not a menu page
        return Markup("")
    current = ' aria-current="page"' if request.endpoint == endpoint else ""
    return Markup(f'<a href="{escape(href)}"{current}>{escape(label)}</a>')


def init_app(app: Flask) -> None:
    """Make ``nav_link`` (and the one access rule the menu needs) available to templates."""
    app.add_template_global(nav_link, "nav_link")
    app.add_template_global(may_manage_cohorts, "may_manage_cohorts")
    app.add_template_global(manages_an_organisation, "manages_an_organisation")
