"""Branding: the colour and image rules, the admin page (a rejected form keeps what was
typed), and what every page loads from it (name, stylesheet, logo, favicon)."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth
from webapp.branding.colour import contrast, contrast_problem, normalise
from webapp.branding.images import MAX_IMAGE_BYTES, ImageRejected, sniff

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#1F5FBF", "#1f5fbf"),
        (" #abc ", "#aabbcc"),
        ("1f5fbf", None),
        ("#12345g", None),
        ("red", None),
        ("", None),
    ],
)
def test_colours_are_written_as_hex(text: str, expected: str | None) -> None:
    assert normalise(text) == expected


def test_contrast_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    ("colour", "ok"),
    [
        ("#1f5fbf", True),
        ("#000000", True),
        ("#b3261e", True),
        ("#ffcc00", False),
        ("#7a7a7a", False),
        ("#3d8bfd", False),
    ],
)
def test_a_primary_colour_must_reach_aa_with_white_text(colour: str, ok: bool) -> None:
    problem = contrast_problem(colour)
    assert (problem is None) == ok
    if not ok:
        assert "4.5:1" in str(problem)


@pytest.mark.parametrize(
    ("data", "ctype"),
    [
        (png(), "image/png"),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 8, "image/webp"),
        (b"\x00\x00\x01\x00\x01\x00" + b"0" * 20, "image/x-icon"),
    ],
)
def test_images_are_told_by_their_bytes(data: bytes, ctype: str) -> None:
    assert sniff(data) == ctype


@pytest.mark.parametrize(
    "data", [b"", SVG, b"GIF89a" + b"0" * 10, b"%PDF-1.4", png() + b"0" * MAX_IMAGE_BYTES]
)
def test_other_files_are_refused(data: bytes) -> None:
    with pytest.raises(ImageRejected):
        sniff(data)


# ---------------------------------------------------------------- the page


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> Auth:
    auth = Auth(client)
    auth.login(factories.create_user(app, "admin").email)
    return auth


def _post(client: FlaskClient, auth: Auth, **fields: object):
    data = {"name": "Acme Academy", "colour": "", "csrf_token": auth.csrf("/admin/branding")}
    data.update(fields)
    return client.post(
        "/admin/branding", data=data, content_type="multipart/form-data", follow_redirects=False
    )


def test_the_defaults_before_anything_is_saved(app: Flask, client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "<title>Sign in · Learnstream</title>" in html
    assert re.search(r'<link rel="icon" href="/favicon.ico\?v=0">', html)
    assert "/branding.css" not in html  # the default colour lives in app.css
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data and b"<script" not in icon.data
    logo = client.get("/branding/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    assert "default-src 'none'" in logo.headers["Content-Security-Policy"]


def test_an_admin_sets_name_colour_logo_and_favicon(
    app: Flask, client: FlaskClient, admin: Auth
) -> None:
    image = png()
    response = _post(
        client,
        admin,
        colour="#0B5D1E",
        logo=(__import__("io").BytesIO(image), "logo.png"),
        favicon=(__import__("io").BytesIO(image), "icon.png"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get("/programs").get_data(as_text=True)
    assert "· Acme Academy</title>" in html and ">Acme Academy</span>" in html
    css_link = re.search(r'href="(/branding.css\?v=\d+)"', html)
    assert css_link
    css = client.get(css_link.group(1))
    assert "--brand: #0b5d1e" in css.get_data(as_text=True) and css.mimetype == "text/css"
    again = client.get(css_link.group(1), headers={"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304
    for path in ("/branding/logo", "/favicon.ico"):
        served = client.get(path)
        assert served.status_code == 200 and served.data == image
        assert served.mimetype == "image/png"
        assert "sandbox" in served.headers["Content-Security-Policy"]
    # Back to the defaults.
    response = _post(client, admin, remove_logo="y", remove_favicon="y")
    assert response.status_code == 302
    assert client.get("/favicon.ico").mimetype == "image/svg+xml"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"colour": "#ffcc00"}, "colour", "4.5:1"),
        ({"colour": "blue"}, "colour", "#rrggbb"),
        ({"name": ""}, "name", "required"),
        ({"name": "Two\nlines"}, "name", "one line"),
        ({"logo": "svg"}, "logo", "SVG and other files are refused"),
        ({"favicon": "text"}, "favicon", "PNG, JPEG, WebP or ICO"),
    ],
)
def test_a_rejected_form_says_why_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient, admin: Auth, fields: dict, field: str, message: str
) -> None:
    import io

    files = {"svg": (io.BytesIO(SVG), "logo.svg"), "text": (io.BytesIO(b"hello"), "a.ico")}
    data = {k: files.get(v, v) if k in ("logo", "favicon") else v for k, v in fields.items()}
    data.setdefault("colour", "#123456")
    response = _post(client, admin, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message.lower() in error.group(1).lower(), html
    typed = data["colour"]
    assert f'value="{typed}"' in html
    assert client.get("/favicon.ico").mimetype == "image/svg+xml"  # nothing saved


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_only_admins_change_the_branding(app: Flask, client: FlaskClient, role: str) -> None:
    auth = Auth(client)
    auth.login(factories.create_user(app, role).email)
    assert client.get("/admin/branding").status_code == 403
    token = auth.csrf("/")
    response = client.post("/admin/branding", data={"name": "Mine", "csrf_token": token})
    assert response.status_code == 403


def test_the_admin_menu_links_the_branding_page(
    app: Flask, client: FlaskClient, admin: Auth
) -> None:
    html = client.get("/admin").get_data(as_text=True)
    assert '<a href="/admin/branding">Branding</a>' in html
    assert "Branding: platform name" in html
