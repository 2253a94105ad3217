"""Languages: which one a request is answered in, and the catalogues that translate it.

English is written in the source; every other language is a gettext catalogue under
``webapp/translations``. A request is answered in the language its user chose on the
profile, else the best match of the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

DEFAULT = "en"
# Every language a user can pick, by its code, as it names itself.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}
API_PREFIX = "/api/"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def N_(text: str) -> str:  # noqa: N802 - the marker pybabel extract knows
    """``text`` unchanged: marks a message for the catalogue whose translation is looked
    up later (``_(str(error))`` on a page, while the API keeps the English)."""
    return text


def select_locale() -> str:
    """The profile's language, else the browser's best supported one, else English."""
    if not has_request_context():  # a task or command: English unless force_locale says
        return DEFAULT
    if request.path.startswith(API_PREFIX):  # the JSON API is a contract: English
        return DEFAULT
    chosen = getattr(current_user, "locale", None)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


def init_app(app: Flask) -> None:
    """Translate templates (``{{ _("…") }}``), flash messages and e-mails per request."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["page_language"] = page_language


def page_language() -> str:
    """The request's language as ``<html lang>`` names it (``en``, ``de``)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT
