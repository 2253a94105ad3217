"""Forgiving word comparison (stems, typos) and search highlights: pure functions.

Both databases stem and forgive typos in SQL; this module is the Python side of the same
idea, for what SQL cannot do cheaply: choosing, on SQLite, which stems of the full-text
vocabulary a misspelt word stands for, and marking the matched words of a title.

A query word *matches* a text word when the text word starts with it (a prefix), or when
the two agree after each loses at most :data:`MAX_SUFFIX` trailing letters (a crude
stemmer: "funnels" ~ "Funnel", "learning" ~ "learn") with at most :func:`allowed_edits`
edits (transpositions count one): "marketng" ~ "marketing".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

# Suffixes a stemmer would drop ("s", "ing", "ion"): compared words may lose this many.
MAX_SUFFIX = 3
# Shorter than this, a stem-like comparison is too loose ("cost" ~ "co").
MIN_STEM = 4
# Shorter query words are never corrected: "rank" ~ "bank" would be noise.
FUZZY_MIN = 5
_WORD = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's English stop words (tsearch_data/english.stop): never matched there, so
# dropped from queries on both databases alike (unless a query holds nothing else).
_STOP_WORDS_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what which
who whom this that these those am is are was were be been being have has had having do
does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on
off over under again further then once here there when where why how all any both each
few more most other some such no nor not only own same so than too very s t can will
just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# A query word's worth by the best field it matches, as typed (stem or prefix) or as a
# typo: title hits first, then tags, then descriptions; captions count nothing here.
FIELD_SCORES = {"title": (8.0, 6.0), "tags": (4.0, 3.0), "description": (2.0, 1.0)}


def fold(word: str) -> str:
    """Lower-cased, accents removed ("Café" → "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def without_stop_words(terms: Sequence[str]) -> list[str]:
    """``terms`` less stop words ("the funnel" → funnel), or all of them if that is all."""
    kept = [t for t in terms if t not in STOP_WORDS]
    return kept or list(terms)


def allowed_edits(term: str) -> int:
    """Typos forgiven in a query word of this length: none below FUZZY_MIN letters, one up
    to seven, two from eight."""
    if len(term) < FUZZY_MIN:
        return 0
    return 1 if len(term) < 8 else 2


def _trims(word: str) -> list[str]:
    """The word and its shortenings by up to MAX_SUFFIX letters, none under MIN_STEM."""
    shortest = max(MIN_STEM, len(word) - MAX_SUFFIX)
    return [word] + [word[:n] for n in range(len(word) - 1, shortest - 1, -1)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b`` (insert, delete, substitute,
    swap two neighbours), or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def matches(term: str, word: str, edits: int | None = None) -> bool:
    """Whether query word ``term`` (folded) stands for text word ``word`` (any case):
    a prefix, the same stem, or the same stem but for ``edits`` typos (by default
    :func:`allowed_edits` of the term)."""
    word = fold(word)
    if word.startswith(term):
        return True
    if len(term) < MIN_STEM or len(word) < MIN_STEM:
        return False
    limit = allowed_edits(term) if edits is None else edits
    terms, words = _trims(term), _trims(word)
    if any(a == b for a in terms for b in words):
        return True
    # Typos only between pieces long enough not to match by chance ("clou" ~ "colou").
    return limit > 0 and any(
        edit_distance(a, b, limit) <= limit
        for a in terms
        if len(a) >= FUZZY_MIN
        for b in words
        if len(b) >= FUZZY_MIN
    )


def field_score(field: str, typo: bool) -> float:
    """What a query word matching ``field`` adds to a module's rank."""
    exact, fuzzy = FIELD_SCORES[field]
    return fuzzy if typo else exact


def highlight(text: str, terms: Sequence[str]) -> Markup:
    """``text`` escaped, with the words matching one of ``terms`` in ``<mark>``."""
    if not terms:
        return Markup(escape(text))
    pieces: list[str] = []
    last = 0
    for found in _WORD.finditer(text):
        if any(matches(t, found.group()) for t in terms):
            pieces.append(escape(text[last : found.start()]))
            pieces.append(Markup("<mark>%s</mark>") % found.group())
            last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
