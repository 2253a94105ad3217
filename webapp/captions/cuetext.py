"""Cue text made inert (pure).

Policy: a cue keeps only WebVTT's own styling tags ``<b>``, ``<i>``, ``<u>`` and the voice
tag ``<v Speaker>`` (with their closing tags, classes dropped, names lower-cased so SRT's
``<B>`` still means bold). Every other tag (``<script>``, ``<font color=…>``,
``<img onerror=…>``, karaoke timestamps) is removed and the text between tags is kept;
SSA/ASS override codes such as ``{\\an8}`` are removed. Text is entity-decoded once and
re-escaped (``&``, ``<``, ``>``), so nothing in a stored track can open a tag and no line
can contain ``-->``. Browsers render WebVTT through their cue parser, never as HTML, and
our pages only ever use the cue's text; the stored track is the second line of defence.
"""

from __future__ import annotations

import html
import re

# A tag starts with a letter, "/" or a digit (timestamps): "x < 5 and y > 3" is text.
_TAG = re.compile(r"<([A-Za-z/0-9][^<>\n]*)>")
_KEPT = re.compile(r"^(/?)([biuvBIUV])(?:\.[\w.-]*)?(?:[ \t]+(.*))?$", re.DOTALL)
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tag(inner: str) -> str:
    """The canonical form of a kept tag, or "" for a tag that is dropped."""
    match = _KEPT.match(inner.strip())
    if match is None:
        return ""
    closing, name, annotation = match.groups()
    name = name.lower()
    if closing:
        return f"</{name}>"
    if name == "v":
        speaker = " ".join(html.unescape(annotation or "").split())
        return f"<v {_escape(speaker)}>" if speaker else "<v>"
    return f"<{name}>"


def _line(raw: str) -> str:
    raw = _ASS_OVERRIDE.sub("", raw)
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(raw):
        out.append(_escape(html.unescape(raw[position : match.start()])))
        out.append(_tag(match.group(1)))
        position = match.end()
    out.append(_escape(html.unescape(raw[position:])))
    return "".join(out).rstrip()


def sanitize(text: str) -> str:
    """Cue payload ``text`` (lines joined by ``\\n``) under the policy above; lines that
    end up empty are dropped (a blank line would end the cue)."""
    lines = (_line(raw) for raw in text.split("\n"))
    return "\n".join(line for line in lines if plain(line))


def plain(text: str) -> str:
    """The words of sanitized cue ``text``: tags removed, entities decoded, one line."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())
