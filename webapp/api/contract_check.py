"""Check every API answer against the OpenAPI document (on in the test suite).

With ``API_VALIDATE_RESPONSES`` set, an answer whose status the route does not document,
or whose JSON body does not match the documented schema, is turned into an error (a 500
naming the mismatch), so any test that touches the route fails. Off in production: the
answers are built from the same schemas, this guards the document itself.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from jsonschema import Draft202012Validator

from webapp.api.contract import operation_of
from webapp.api.openapi import document, openapi_path

EXTENSION = "learnstream.contract_validators"


class ContractViolation(AssertionError):
    """An API answer that the OpenAPI document does not describe."""


def init_app(app: Flask) -> None:
    """Validate API answers after each request when ``API_VALIDATE_RESPONSES`` is on."""
    if app.config.get("API_VALIDATE_RESPONSES"):
        app.after_request(check_response)


def check_response(response: Response) -> Response:
    """Raise ContractViolation if ``response`` breaks its route's contract."""
    view = current_app.view_functions.get(request.endpoint or "")
    spec = operation_of(view)
    if spec is None or request.url_rule is None:
        return response
    path, _ = openapi_path(request.url_rule.rule)
    documented = document(current_app)["paths"][path][request.method.lower()]["responses"]
    status = str(response.status_code)
    failed = response.status_code >= 400
    entry = documented.get(status) or (documented["default"] if failed else None)
    if entry is None:
        raise ContractViolation(f"{request.method} {path} answered {status}, not documented")
    content = entry.get("content")
    if not content:
        if response.content_length:
            raise ContractViolation(
                f"{request.method} {path} {status} has a body; none is documented"
            )
        return response
    if response.mimetype not in content:
        raise ContractViolation(
            f"{request.method} {path} {status} is {response.mimetype}, documented: {list(content)}"
        )
    schema = content[response.mimetype]["schema"]
    if response.is_json:
        errors = sorted(_validator(schema).iter_errors(response.get_json()), key=str)
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path)
            raise ContractViolation(
                f"{request.method} {path} {status} at '{where}': {first.message}"
            )
    return response


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    cache = current_app.extensions.setdefault(EXTENSION, {})
    key = repr(sorted(schema.items()))
    validator = cache.get(key)
    if validator is None:
        root = {**schema, "components": document(current_app)["components"]}
        validator = cache[key] = Draft202012Validator(root)
    return validator
