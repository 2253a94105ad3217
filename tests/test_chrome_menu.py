"""The menu each role sees (rendered on the server), and the page furniture every page
shares: the theme script in <head>, the icon link, the menu button."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth

MAIN = ["Home", "Library", "Programs", "Classes", "Masterclasses", "Certificates", "My notes"]


def _nav(html: str, label: str) -> str | None:
    found = re.search(rf'<nav aria-label="{label}"[^>]*>(.*?)</nav>', html, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("role", "groups"),
    [("learner", []), ("instructor", ["Teaching"]), ("admin", ["Admin"])],
)
def test_each_role_sees_the_main_menu_and_its_own_group(
    app: Flask, client: FlaskClient, role: str, groups: list[str]
) -> None:
    Auth(client).login(factories.create_user(app, role).email)
    html = client.get("/classes").get_data(as_text=True)
    main = _nav(html, "Main")
    assert main is not None
    endpoints = set(app.view_functions)
    for label in MAIN:
        if label == "My notes" and "notes.index" not in endpoints:
            continue
        assert f">{label}</a>" in main, label
    assert (">Upload</a>" in main) == (role != "learner")
    for group in ("Teaching", "Admin"):
        shown = f"<summary>{group}</summary>" in html
        assert shown == (group in groups), group
        assert (_nav(html, group) is not None) == (group in groups)
    assert 'id="menu-toggle" aria-expanded="false" aria-controls="site-menu"' in html.replace(
        'class="menu-toggle" ', ""
    )
    # Masterclasses are one click from the classes page for everyone, in a cohort or not.
    assert re.search(r'<p class="kicker">[^<]*<a href="/masterclasses">', html)


def test_every_page_loads_the_theme_first_and_names_its_icon(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    head = html.split("</head>")[0]
    theme = head.index("js/theme.js")
    assert theme < head.index("app.css")  # applied before the styles paint anything
    assert "<script>" not in head  # the CSP allows no inline script
    assert '<link rel="icon" href="/favicon.ico' in head
    assert 'id="theme-switch"' in html
