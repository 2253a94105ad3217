"""Languages: the language a request is answered in (the profile's choice, else the
browser's, else English), German plural forms, dates, numbers and prices by locale, e-mails
in the recipient's language, the profile's language field, and the German catalogue: every
string of the source translated, the committed ``.mo`` the same as the ``.po``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import format_decimal, ngettext

import config
from tests.support.auth import Auth
from tests.support.paths import ROOT
from webapp import create_app, timefmt
from webapp.extensions import db
from webapp.learning.formatting import format_fee
from webapp.mail import render
from webapp.mail.outbox import message_ids, read_message
from webapp.mail.send import deliver_now
from webapp.models import User
from webapp.textfmt import plural, with_article

CATALOGUE = ROOT / "webapp" / "translations" / "de" / "LC_MESSAGES"
HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def _lang(html: str) -> str:
    match = HTML_LANG.search(html)
    assert match, "no <html lang>"
    return match.group(1)


def _set_locale(app: Flask, user_id: int, locale: str | None) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.locale = locale
        db.session.commit()


# --------------------------------------------------------------------------- which language


def test_the_browsers_language_picks_the_page_language(client: FlaskClient) -> None:
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = german.get_data(as_text=True)
    assert _lang(html) == "de"
    assert "Passwort vergessen?" in html and "Forgot your password?" not in html

    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = english.get_data(as_text=True)
    assert _lang(html) == "en"
    assert "Forgot your password?" in html


def test_an_unsupported_language_falls_back_to_english(client: FlaskClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(
        as_text=True
    )
    assert _lang(html) == "en"
    assert "Forgot your password?" in html
    assert _lang(client.get("/login").get_data(as_text=True)) == "en"  # no header at all


def test_the_profiles_choice_beats_the_browsers(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("learner")
    _set_locale(app, user.id, "de")
    auth.login(user.email, user.password)
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "de"
    assert "Abmelden" in html and "Sign out" not in html

    _set_locale(app, user.id, None)  # "Browser's language" again
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "en"
    assert "Sign out" in html


def test_the_api_answers_in_english_whatever_the_browser_says(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("learner")
    _set_locale(app, user.id, "de")
    auth.login(user.email, user.password)
    response = client.get("/api/v1/me", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert response.get_json()["locale"] == "de"


# --------------------------------------------------------------------------- words, dates, money


def test_german_plural_forms(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert ngettext("%(num)s learner", "%(num)s learners", 1) == "1 Lernende(r)"
        assert ngettext("%(num)s learner", "%(num)s learners", 2) == "2 Lernende"
        assert plural(1, "module") == "1 Modul"
        assert plural(2, "module") == "2 Module"
        assert plural(2.5, "point") == "2,5 Punkte"
        assert with_article("instructor") == "eine Lehrkraft"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert ngettext("%(num)s learner", "%(num)s learners", 1) == "1 learner"
        assert ngettext("%(num)s learner", "%(num)s learners", 2) == "2 learners"
        assert plural(2.5, "point") == "2.5 points"
        assert with_article("instructor") == "an instructor"


@pytest.mark.parametrize(
    ("language", "day", "number", "price", "free"),
    [
        ("en", "Mon 5 Jan 2026", "1,234,567.5", "$3,000.00", "Free"),
        ("de", "Mo., 5. Jan. 2026", "1.234.567,5", "3.000,00\xa0$", "Kostenlos"),
    ],
)
def test_dates_numbers_and_prices_by_language(
    app: Flask, language: str, day: str, number: str, price: str, free: str
) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        assert timefmt.day(date(2026, 1, 5)) == day
        assert format_decimal(1234567.5) == number
        assert format_fee(300000, "USD") == price
        assert format_fee(0, "USD") == free


def test_english_prices_read_as_before(app: Flask) -> None:
    with app.test_request_context():
        assert format_fee(49900, "EUR") == "€499.00"
        assert format_fee(49900, "CHF") == "499.00 CHF"
        assert format_fee(164900, "usd") == "$1,649.00"


# --------------------------------------------------------------------------- e-mail


def test_a_german_users_mail_comes_in_german(app: Flask, make_user, tmp_path: Path) -> None:
    """Rendered while an English browser asks: the recipient's language wins."""
    german, english = make_user("learner"), make_user("learner")
    _set_locale(app, german.id, "de")
    outbox_app = create_app({"TESTING": True, **config.mail_settings({}, tmp_path)})
    with outbox_app.test_request_context(headers={"Accept-Language": "en"}):
        deliver_now(render("reset", german.email, link="https://l.example/r/1", name="Ada"))
        deliver_now(render("reset", english.email, link="https://l.example/r/2", name="Bob"))
    folder = tmp_path / "outbox"
    ids = message_ids(folder)
    assert len(ids) == 2
    messages = {m["To"]: m for m in (read_message(folder, i) for i in ids) if m is not None}

    de = messages[german.email]
    assert de["Subject"] == "Neues Learnstream-Passwort festlegen"
    text = de.get_body(("plain",)).get_content()
    html = de.get_body(("html",)).get_content()
    assert text.startswith("Hallo Ada,")
    assert "innerhalb von 30 Minuten" in text and "https://l.example/r/1" in text
    assert '<html lang="de">' in html and "Neues Passwort festlegen" in html

    en = messages[english.email]
    assert en["Subject"] == "Choose a new Learnstream password"
    assert en.get_body(("plain",)).get_content().startswith("Hello Bob,")


# --------------------------------------------------------------------------- the profile


def _profile_csrf(client: FlaskClient) -> str:
    html = client.get("/account").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no csrf field on the profile form"
    return match.group(1)


def test_the_profile_saves_a_language(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("learner")
    auth.login(user.email, user.password)
    data = {
        "csrf_token": _profile_csrf(client),
        "name": "Ada",
        "time_zone": "",
        "locale": "de",
        "email": user.email,
        "password": "",
    }
    response = client.post("/account", data=data, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Profil gespeichert." in html or "Profile saved." in html
    assert _lang(html) == "de"
    with app.app_context():
        assert db.session.get(User, user.id).locale == "de"
    assert '<option selected value="de">Deutsch</option>' in html


def test_the_profile_refuses_an_unknown_language_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("learner")
    auth.login(user.email, user.password)
    data = {
        "csrf_token": _profile_csrf(client),
        "name": "Typed Name",
        "time_zone": "Europe/Berlin",
        "locale": "xx",
        "email": user.email,
        "password": "",
    }
    response = client.post("/account", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Pick a language from the list." in html
    assert 'value="Typed Name"' in html and 'value="Europe/Berlin"' in html
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.locale is None and stored.name != "Typed Name"


# --------------------------------------------------------------------------- the catalogue


def _source_messages() -> dict[tuple[str, str | None], list[str]]:
    """Every (msgid, context) ``make translations`` would extract, with where it is."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def test_every_message_of_the_source_has_a_german_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    missing = []
    for (msgid, context), places in sorted(
        _source_messages().items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry is not None else None
        values = list(strings) if isinstance(strings, tuple) else [strings]
        if entry is None or entry.fuzzy or not all(values):
            missing.append(f"{msgid!r} ({places[0]})")
    assert not missing, f"{len(missing)} untranslated:\n" + "\n".join(missing)


def _entries(messages: Iterable[Message]) -> dict[object, object]:
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in messages if m.id and not m.fuzzy}


def test_the_committed_mo_matches_the_po() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        source = _entries(read_po(po))
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        compiled = _entries(read_mo(mo))
    assert compiled == source, "run `make translations` (or pybabel compile) and commit"
