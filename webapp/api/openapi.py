"""The OpenAPI 3.1 document of ``/api/v1``, generated from the routes' contracts.

Nothing here is written by hand per route: paths come from the app's URL map, schemas
from the pydantic models each :func:`webapp.api.contract.operation` declared. A route of
the API blueprint without a contract is reported by :func:`uncovered_routes` (a test
fails on it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Rule

from webapp.api.contract import Operation, operation_of
from webapp.problems import PROBLEM_TYPE, title_for

API_PREFIX = "/api/v1"
REF_TEMPLATE = "#/components/schemas/{model}"
EXTENSION = "learnstream.openapi"
PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
CONVERTER_TYPES = {"int": "integer", "float": "number"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `error` repeats `detail` for older clients.",
    "required": ["type", "title", "status", "detail", "error"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "error": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def api_operations(app: Flask) -> Iterator[tuple[Rule, Operation]]:
    """Every API route with its contract, in URL-map order."""
    for rule in app.url_map.iter_rules():
        spec = operation_of(app.view_functions.get(rule.endpoint))
        if spec is not None:
            yield rule, spec


def uncovered_routes(app: Flask) -> list[str]:
    """API routes (``/api/v1/...``) registered without a contract."""
    return sorted(
        f"{','.join(sorted((rule.methods or set()) - {'HEAD', 'OPTIONS'}))} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX + "/")
        and operation_of(app.view_functions.get(rule.endpoint)) is None
    )


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document (built once per app)."""
    cached = app.extensions.get(EXTENSION)
    if cached is None:
        cached = app.extensions[EXTENSION] = build_document(list(api_operations(app)))
    return cached


def build_document(operations: list[tuple[Rule, Operation]]) -> dict[str, Any]:
    """The document for ``operations``."""
    schemas, refs = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for rule, spec in operations:
        path, parameters = openapi_path(rule.rule)
        item = _operation(spec, parameters + _query_parameters(spec, refs, schemas), rule, refs)
        paths.setdefault(path, {})[spec.method.lower()] = item
    schemas["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Learnstream API",
            "version": "1",
            "description": "Videos, progress, clips, captions, notes, learning paths, "
            "cohorts and reports. Errors are RFC 9457 problem details. See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/videos/<int:video_id>`` → ``/videos/{video_id}`` and its path parameters."""
    parameters = []
    for match in PATH_ARGUMENT.finditer(rule):
        kind = CONVERTER_TYPES.get(match["converter"] or "", "string")
        parameters.append(
            {"name": match["name"], "in": "path", "required": True, "schema": {"type": kind}}
        )
    return PATH_ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), parameters


Refs = dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]


def _schemas(operations: list[tuple[Rule, Operation]]) -> tuple[dict[str, Any], Refs]:
    """Every model's JSON Schema under one set of names, and the ``$ref`` of each."""
    keyed: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for _, spec in operations:
        for model in (spec.body or spec.documented_body, spec.query, spec.documented_form):
            if model is not None:
                keyed[(model, "validation")] = None
        for answer in spec.responses.values():
            if isinstance(answer, type):
                keyed[(answer, "serialization")] = None
    if not keyed:
        return {}, {}
    ordered = sorted(keyed, key=lambda pair: (_name(pair[0]), pair[1]))
    refs, top = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    return dict(top.get("$defs", {})), {pair: refs[pair] for pair in ordered}


def _name(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _operation(
    spec: Operation, parameters: list[dict[str, Any]], rule: Rule, refs: Refs
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": spec.summary,
        "tags": [spec.tag],
        "responses": _responses(spec, refs),
    }
    if spec.description:
        item["description"] = spec.description
    if parameters:
        item["parameters"] = parameters
    body = spec.body or spec.documented_body
    content: dict[str, Any] = {}
    if body is not None:
        content["application/json"] = {"schema": refs[(body, "validation")]}
    if spec.documented_form is not None:
        file_part = {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "contentMediaType": "application/octet-stream"}
            },
        }
        content["multipart/form-data"] = {
            "schema": {"allOf": [refs[(spec.documented_form, "validation")], file_part]}
        }
    if content:
        item["requestBody"] = {"required": True, "content": content}
    item["security"] = [{"bearer": []}, {"session": []}] if spec.auth == "user" else []
    return item


def _query_parameters(spec: Operation, refs: Refs, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if spec.query is None:
        return []
    name = refs[(spec.query, "validation")]["$ref"].rsplit("/", 1)[-1]
    schema = schemas[name]
    required = set(schema.get("required", []))
    return [
        {"name": field, "in": "query", "required": field in required, "schema": prop}
        for field, prop in schema.get("properties", {}).items()
    ]


def _responses(spec: Operation, refs: Refs) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in sorted(spec.responses.items()):
        entry: dict[str, Any] = {"description": title_for(status)}
        if isinstance(model, type):
            schema = refs[(model, "serialization")]
            entry["content"] = {"application/json": {"schema": schema}}
        elif isinstance(model, str):
            kind = "object" if model == "application/json" else "string"
            entry["content"] = {model: {"schema": {"type": kind}}}
        responses[str(status)] = entry
    problem = {PROBLEM_TYPE: {"schema": {"$ref": REF_TEMPLATE.format(model="Problem")}}}
    for status in spec.errors:
        responses[str(status)] = {"description": title_for(status), "content": problem}
    responses["default"] = {"description": "An error (problem details)", "content": problem}
    return responses
