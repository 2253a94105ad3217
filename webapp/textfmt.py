"""How counted and role words read, everywhere on the server: pages (as Jinja filters
and globals), flash messages and e-mails.

``ngettext(singular, plural, n)`` has Babel's signature, so that it can become
``flask_babel.ngettext`` when the strings are translated; until then English's one rule
(1 is singular, everything else plural) is all it knows. Like Babel's, the chosen form
is %-formatted with ``num``: ``ngettext("%(num)d learner", "%(num)d learners", n)``.
"""

from __future__ import annotations

from flask import Flask

# Words whose spelling starts with a vowel letter but whose sound does not ("a user"),
# and the reverse ("an hour"). Only the role and noun words we put after an article.
_CONSONANT_SOUND = ("uni", "use", "user", "one")
_VOWEL_SOUND = ("hour", "honest")


def ngettext(singular: str, plural: str, n: float) -> str:
    """``singular`` when ``n`` is 1, else ``plural``; ``%(num)s``/``%(num)d`` in the chosen
    form becomes ``n``."""
    form = singular if n == 1 else plural
    return form % {"num": n} if "%(num)" in form else form


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """``n`` and its noun, agreeing: ``plural(1, "learner")`` is "1 learner",
    ``plural(2, "learner")`` "2 learners" (``plural_form`` when adding "s" is wrong)."""
    many = plural_form or f"{singular}s"
    return ngettext(f"{n:g} {singular}", f"{n:g} {many}", n)


def with_article(word: str) -> str:
    """``word`` after its indefinite article: "an instructor", "a learner", "an admin"."""
    lower = word.lower()
    if lower.startswith(_VOWEL_SOUND):
        vowel = True
    elif lower.startswith(_CONSONANT_SOUND):
        vowel = False
    else:
        vowel = lower[:1] in "aeiou"
    return f"{'an' if vowel else 'a'} {word}"


def init_app(app: Flask) -> None:
    """``{{ learners | length | plural("learner") }}``, ``{{ role | with_article }}`` and
    ``ngettext(...)`` in templates."""
    app.add_template_filter(plural, "plural")
    app.add_template_filter(with_article, "with_article")
    app.add_template_global(ngettext, "ngettext")
