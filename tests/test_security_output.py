"""User-supplied text is inert wherever it is shown: pages, nav, CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from webapp.auth.services import MAX_NAME_LENGTH, clean_name, create_user
from webapp.clips.services import create_chapter
from webapp.extensions import db
from webapp.models import User, Video
from webapp.reports.csv_export import safe_cell

TEMPLATES = Path(__file__).resolve().parent.parent / "webapp" / "templates"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>\"'</script><script>alert(2)</script>{{7*7}}"
ESCAPED_TITLE = "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&lt;/script&gt;&lt;script&gt;"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ann Archer", "Ann Archer"),
        ("\u202eredro\u202c Eve", "redro Eve"),  # RIGHT-TO-LEFT OVERRIDE and POP gone
        ("a\u2066b\u2069c\u200fd\u200ee", "abcde"),  # isolates and direction marks gone
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
        ("line\nbreak\ttab\x00nul\x1b[31m", "line break tabnul[31m"),
        ("  many   spaces  ", "many spaces"),
        ("Zoe\u0308", "Zoë"),  # NFC
        ("क्\u200dष", "क्\u200dष"),  # a joiner some scripts need stays
        ("<b>bold</b>", "<b>bold</b>"),  # markup is kept as text: escaping is the page's job
        ("x" * 500, "x" * MAX_NAME_LENGTH),
    ],
)
def test_display_names_lose_bidi_and_control_characters(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_accounts_are_created_with_clean_names(app: Flask) -> None:
    with app.app_context():
        user = create_user("rtl@example.com", "long-enough-pw", name="Mallory\u202e nimda")
        db.session.commit()
        assert db.session.get(User, user.id).name == "Mallory nimda"


def test_nav_isolates_and_escapes_the_display_name(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user("eve@example.com", "long-enough-pw", name="<i>Eve</i> \u202eevil")
        db.session.commit()
    Auth(client).login("eve@example.com", "long-enough-pw")
    html = client.get("/").get_data(as_text=True)
    who = re.search(r'<span class="who">(.*?)</span>', html)[1]
    assert who == "<bdi>&lt;i&gt;Eve&lt;/i&gt; evil</bdi> · learner"
    assert "\u202e" not in html


def test_a_name_with_bidi_controls_stored_earlier_is_still_isolated(
    app: Flask, client: FlaskClient, make_user
) -> None:
    """Rows written before the input cleaning (or by hand) cannot reorder the nav."""
    user = make_user("learner")
    with app.app_context():
        db.session.get(User, user.id).name = "\u202eevil"
        db.session.commit()
    Auth(client).login(user.email)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="who"><bdi>\u202eevil</bdi> · learner</span>' in html


# --------------------------------------------------------------------------- pages


def test_hostile_titles_descriptions_and_chapters_render_as_text(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    owner = make_user("instructor")
    video_id = make_ready_video(owner.id, HOSTILE_TITLE)
    with app.app_context():
        video = db.session.get(Video, video_id)
        video.description = HOSTILE_TITLE
        create_chapter(video, {"title": HOSTILE_TITLE, "start": 1})
        db.session.commit()
    auth.login(owner.email)
    for page in ("/", f"/videos/{video_id}", "/upload", "/analytics"):
        html = client.get(page).get_data(as_text=True)
        assert ESCAPED_TITLE in html, page
        assert "<img src=x" not in html and "<script>alert" not in html, page
        assert "{{7*7}}" in html and ">49<" not in html, page  # no template evaluation
    api = client.get(f"/api/v1/videos/{video_id}").get_json()
    assert api["title"] == HOSTILE_TITLE  # JSON carries the text as it was typed


JSON_DATA_BLOCK = re.compile(
    r'<script type="application/json" id="[a-z0-9-]+">\{\{[^{}]*\|\s*tojson\s*\}\}</script>'
)


def test_no_template_marks_text_safe_or_embeds_a_script() -> None:
    """Autoescaping is never switched off, and no page has an inline script (which the
    CSP would refuse anyway): JSON reaches scripts through escaped data attributes, or a
    JSON data block that holds nothing but one ``tojson`` value (never run; ``tojson``
    writes <, > and & as ``\\u`` escapes, so the value cannot close the block)."""
    for template in TEMPLATES.rglob("*.html"):
        name = template.relative_to(TEMPLATES)
        text = JSON_DATA_BLOCK.sub("", template.read_text())
        assert not re.search(r"\|\s*safe\b", text), name
        assert "autoescape false" not in text, name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), name
        assert not re.search(r"\son[a-z]+\s*=", text), name  # no inline event handlers
        for use in re.findall(r"\|\s*tojson[^}]*}}", text):
            assert "forceescape" in use, name


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    "risky",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "=", "-"],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(risky: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(risky)])
    cell = next(csv.reader(io.StringIO(out.getvalue())))[0]
    assert cell == "'" + risky
    assert cell.startswith("'")


@pytest.mark.parametrize("harmless", ["Ann", "a=b", "x-1", "", "'quoted"])
def test_csv_leaves_ordinary_text_alone(harmless: str) -> None:
    assert safe_cell(harmless) == harmless


def test_csv_keeps_numbers_as_numbers() -> None:
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) == ""
