"""How counted and role words read, everywhere on the server: pages (as Jinja filters),
flash messages and e-mails, in the request's language.

``ngettext`` is Flask-Babel's: the form is chosen by the language's plural rule and
%-formatted with ``num`` (``ngettext("%(num)d learner", "%(num)d learners", n)``). In
templates it is the ``ngettext`` that Flask-Babel installs in Jinja.

``plural(n, "learner")`` and ``with_article("instructor")`` take the English word the
callers pass; English output is built from it as before, and in other languages the
nouns and roles listed below come from the catalogue (a word not listed stays English).
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal
from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.timefmt import current_locale

__all__ = ["ngettext", "plural", "role_name", "with_article"]

# Words whose spelling starts with a vowel letter but whose sound does not ("a user"),
# and the reverse ("an hour"). Only the role and noun words we put after an article.
_CONSONANT_SOUND = ("uni", "use", "user", "one")
_VOWEL_SOUND = ("hour", "honest")


class _Count(int):
    """A count for ``ngettext``: the integer picks the plural form, ``%(num)s`` writes
    ``display`` (the number as the language writes it: "2,5")."""

    display: str

    def __new__(cls, value: int, display: str) -> _Count:
        count = super().__new__(cls, value)
        count.display = display
        return count

    def __str__(self) -> str:
        return self.display


# The counted nouns callers pass to ``plural``, by their English singular: each one's
# forms in the request's language.
_NOUNS: dict[str, Callable[[_Count], str]] = {
    "learner": lambda n: ngettext("%(num)s learner", "%(num)s learners", n),
    "member": lambda n: ngettext("%(num)s member", "%(num)s members", n),
    "line": lambda n: ngettext("%(num)s line", "%(num)s lines", n),
    "point": lambda n: ngettext("%(num)s point", "%(num)s points", n),
    "minute": lambda n: ngettext("%(num)s minute", "%(num)s minutes", n),
    "day": lambda n: ngettext("%(num)s day", "%(num)s days", n),
    "part": lambda n: ngettext("%(num)s part", "%(num)s parts", n),
    "module": lambda n: ngettext("%(num)s module", "%(num)s modules", n),
    "course": lambda n: ngettext("%(num)s course", "%(num)s courses", n),
    "exam": lambda n: ngettext("%(num)s exam", "%(num)s exams", n),
    "cohort": lambda n: ngettext("%(num)s cohort", "%(num)s cohorts", n),
    "certificate": lambda n: ngettext("%(num)s certificate", "%(num)s certificates", n),
    "issued certificate": lambda n: ngettext(
        "%(num)s issued certificate", "%(num)s issued certificates", n
    ),
    "assigned program": lambda n: ngettext(
        "%(num)s assigned program", "%(num)s assigned programs", n
    ),
    "enrolment": lambda n: ngettext("%(num)s enrolment", "%(num)s enrolments", n),
    "membership": lambda n: ngettext("%(num)s membership", "%(num)s memberships", n),
    "live class": lambda n: ngettext("%(num)s live class", "%(num)s live classes", n),
    "attendance mark": lambda n: ngettext("%(num)s attendance mark", "%(num)s attendance marks", n),
    "class recording": lambda n: ngettext("%(num)s class recording", "%(num)s class recordings", n),
    "prerequisite link": lambda n: ngettext(
        "%(num)s prerequisite link", "%(num)s prerequisite links", n
    ),
    "clip": lambda n: ngettext("%(num)s clip", "%(num)s clips", n),
    "catalogue module": lambda n: ngettext(
        "%(num)s catalogue module", "%(num)s catalogue modules", n
    ),
    "caption track": lambda n: ngettext("%(num)s caption track", "%(num)s caption tracks", n),
    "chapter": lambda n: ngettext("%(num)s chapter", "%(num)s chapters", n),
    "note or bookmark": lambda n: ngettext(
        "%(num)s note or bookmark", "%(num)s notes and bookmarks", n
    ),
    "learner's progress row": lambda n: ngettext(
        "%(num)s learner's progress row", "%(num)s learners' progress rows", n
    ),
    "clip export": lambda n: ngettext("%(num)s clip export", "%(num)s clip exports", n),
    "place in a course": lambda n: ngettext(
        "%(num)s place in a course", "%(num)s places in courses", n
    ),
}

# The roles callers pass to ``with_article``, with their article, in the request's
# language (English builds them by the rule below).
_ROLES: dict[str, Callable[[], str]] = {
    "learner": lambda: _("a learner"),
    "instructor": lambda: _("an instructor"),
    "admin": lambda: _("an admin"),
    "member": lambda: _("a member"),
    "manager": lambda: _("a manager"),
}


# A role's name on its own ("· learner" beside one's name), in the request's language.
_ROLE_NAMES: dict[str, Callable[[], str]] = {
    "learner": lambda: _("learner"),
    "instructor": lambda: _("instructor"),
    "admin": lambda: _("admin"),
    "member": lambda: _("member"),
    "manager": lambda: _("manager"),
}


def role_name(role: object) -> str:
    """A role's value (``learner``) as a word of the request's language."""
    value = str(role)
    name = _ROLE_NAMES.get(value)
    return name() if name is not None else value


def _language() -> str:
    return current_locale().split("_")[0]


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """``n`` and its noun, agreeing: ``plural(1, "learner")`` is "1 learner",
    ``plural(2, "learner")`` "2 learners" (``plural_form`` when adding "s" is wrong)."""
    language = _language()
    noun = _NOUNS.get(singular)
    if language == "en" or noun is None:
        many = plural_form or f"{singular}s"
        return f"{n:g} {singular if n == 1 else many}"
    # A fraction reads as plural ("2,5 Punkte", "1,5 Punkte"); the catalogue's rule
    # takes whole numbers only.
    choice = int(n) if float(n).is_integer() else 2
    return noun(_Count(choice, format_decimal(n, locale=language)))


def with_article(word: str) -> str:
    """``word`` after its indefinite article: "an instructor", "a learner", "an admin"
    (a listed role in the request's language: "eine Lehrkraft")."""
    role = _ROLES.get(word.lower())
    if role is not None and _language() != "en":
        return role()
    lower = word.lower()
    if lower.startswith(_VOWEL_SOUND):
        vowel = True
    elif lower.startswith(_CONSONANT_SOUND):
        vowel = False
    else:
        vowel = lower[:1] in "aeiou"
    return f"{'an' if vowel else 'a'} {word}"


def init_app(app: Flask) -> None:
    """``{{ learners | length | plural("learner") }}`` and ``{{ role | with_article }}`` in
    templates (``ngettext`` there is Flask-Babel's)."""
    app.add_template_filter(plural, "plural")
    app.add_template_filter(with_article, "with_article")
    app.add_template_filter(role_name, "role_name")
