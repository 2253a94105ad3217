"""Bad bytes: text no field may hold, refused in one place with the field named (400).

PostgreSQL refuses a NUL in text (the request died with a 500 after work had begun), and
no Learnstream field needs a control character, a lone UTF-16 surrogate or bytes that
were not UTF-8. So every text input is checked before a view runs:

* query-string parameters, path parameters and uploaded file names are one line: no C0
  control character at all (U+0000–U+001F);
* form fields may span lines: tab, line feed and carriage return pass, the rest of C0
  does not;
* JSON strings (checked by the API contract, ``webapp/api/contract.py``, which names the
  field by its path, ``parts.0.ETag``) follow the form rule; their keys the one-line rule.

A query string or URL-encoded form whose bytes are not UTF-8 (raw or escaped, ``%E9``)
is refused by field; a multipart form or a path is decoded with U+FFFD in their place,
so that character is read as "not UTF-8" there. JSON decoding is strict already.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

from webapp.problems import ApiError, FieldError

_SURROGATES = "\ud800-\udfff"
_ONE_LINE = re.compile(f"[\x00-\x1f{_SURROGATES}\ufffd]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SURROGATES}\ufffd]")
_JSON_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SURROGATES}]")
_JSON_KEY = re.compile(f"[\x00-\x1f{_SURROGATES}]")
URLENCODED = "application/x-www-form-urlencoded"
FORM_TYPES = frozenset({URLENCODED, "multipart/form-data"})
REPLACEMENT = "\ufffd"
MAX_REPORTED = 5  # enough to fix a request; an attacker's thousand fields are not echoed
MAX_NAME = 60


def _what(char: str) -> str:
    code = ord(char)
    if char == REPLACEMENT:
        return "bytes that are not valid UTF-8"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def fault(text: str, pattern: re.Pattern[str]) -> str | None:
    """Why ``text`` is refused under ``pattern``, or None when it is fine."""
    match = pattern.search(text)
    return None if match is None else f"contains {_what(match.group())}"


def _shown(name: str) -> str:
    """A field name fit to print: its own bad characters escaped, length bounded."""
    cleaned = _ONE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)
    return cleaned if len(cleaned) <= MAX_NAME else cleaned[:MAX_NAME] + "…"


def undecodable(raw: bytes) -> list[FieldError]:
    """The fields of a URL-encoded string (query or form body) whose name or value is not
    UTF-8 once unescaped. Werkzeug keeps such an escape (``%E9``) as it is, drops a form
    it cannot decode, and fails on a raw byte in a query string; so these are found here
    first, by name."""
    errors = []
    for pair in raw.split(b"&"):
        key, _, value = pair.partition(b"=")
        name = unquote_to_bytes(key.replace(b"+", b" "))
        for part in (name, unquote_to_bytes(value.replace(b"+", b" "))):
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                shown = _shown(name.decode("utf-8", "replace"))
                errors.append(FieldError(shown, f"contains {_what(REPLACEMENT)}"))
                break
        if len(errors) == MAX_REPORTED:
            break
    return errors


def request_faults() -> list[FieldError]:
    """The fields of the current request (all but a JSON body) that hold bad text."""
    errors = undecodable(request.query_string)
    if request.mimetype == URLENCODED:
        errors += undecodable(request.get_data(cache=True))
    if errors:
        return errors[:MAX_REPORTED]
    checks: list[tuple[str, str, re.Pattern[str]]] = []
    for key, value in request.args.items(multi=True):
        checks += [(key, key, _ONE_LINE), (key, value, _ONE_LINE)]
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str):
            checks.append((key, value, _ONE_LINE))
    if request.mimetype in FORM_TYPES:
        for key, value in request.form.items(multi=True):
            checks += [(key, key, _ONE_LINE), (key, value, _MULTI_LINE)]
        for key, upload in request.files.items(multi=True):
            checks += [(key, key, _ONE_LINE), (key, upload.filename or "", _ONE_LINE)]
    for name, text, pattern in checks:
        problem = fault(text, pattern)
        if problem is not None:
            errors.append(FieldError(_shown(name), problem))
            if len(errors) == MAX_REPORTED:
                break
    return errors


def json_faults(data: Any, max_depth: int) -> list[FieldError]:
    """The strings of a parsed JSON document that hold bad text, by path (``tags.2``);
    or the one error of a document nested deeper than ``max_depth``."""
    errors: list[FieldError] = []
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack and len(errors) < MAX_REPORTED:
        path, value, depth = stack.pop()
        if isinstance(value, dict | list) and depth >= max_depth:
            return [FieldError(path or "body", f"nested deeper than {max_depth} levels")]
        if isinstance(value, str):
            problem = fault(value, _JSON_TEXT)
            if problem is not None:
                errors.append(FieldError(path or "body", problem))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                child = f"{path}.{key}" if path else str(key)
                problem = fault(key, _JSON_KEY)
                if problem is not None:
                    errors.append(FieldError(_shown(child), f"its name {problem}"))
                stack.append((_shown(child), item, depth + 1))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                child = f"{path}.{index}" if path else str(index)
                stack.append((child, value[index], depth + 1))
    return errors


def refuse(errors: list[FieldError]) -> ApiError:
    """The 400 that names every field at fault (a problem for the API, a page otherwise)."""
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return ApiError(400, f"Refused text: {detail}.", errors)


def check_request() -> None:
    """Refuse a request whose query, path or form holds bad text (before any view)."""
    errors = request_faults()
    if errors:
        if undecodable(request.query_string):
            # Werkzeug cannot parse it: the error page must not try either.
            request.args = ImmutableMultiDict()
        raise refuse(errors)


def init_app(app: Flask) -> None:
    """Check every request's text inputs before the views (and the CSRF check) run."""
    app.before_request(check_request)
