"""The API contract: each ``/api/v1`` route declares its input and output schemas once.

A route is declared with :func:`operation`; the same declaration parses and validates the
request (pydantic), renders the answer, and feeds the OpenAPI document
(``webapp/api/openapi.py``). This module is the only place that reads a JSON body.

    @operation(bp, "PATCH", "/notes/<int:note_id>", body=NoteChange, responses={200: NoteOut})
    def update_note(note_id: int, body: NoteChange) -> NoteOut: ...

A view returns a response model (rendered with the first 2xx status), ``(model, status)``,
``None`` (204), or a ready ``Response`` (files, CSV).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError, WithJsonSchema
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.api.auth import api_user
from webapp.bad_bytes import json_faults, refuse
from webapp.problems import ApiError, FieldError

Auth = Literal["user", "public"]
ResponseSpec = type[BaseModel] | str | None  # a model, a media type (files), or no body
OPERATION_ATTR = "__api_operation__"
ModelT = TypeVar("ModelT", bound=BaseModel)
JSON_OBJECT_REQUIRED = "send a JSON object"


class Input(BaseModel):
    """A JSON request body: unknown fields are refused, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


class Query(BaseModel):
    """Query-string parameters: unknown ones are refused; text is converted ("5" → 5)."""

    model_config = ConfigDict(extra="forbid")


InputT = TypeVar("InputT", bound=Input)
QueryT = TypeVar("QueryT", bound=Query)


class Output(BaseModel):
    """A response body."""

    model_config = ConfigDict(populate_by_name=True)


# A moment as the API has always written it: ``datetime.isoformat()`` (``+00:00``).
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


@dataclass(frozen=True)
class Operation:
    """What a route takes and answers: the source of the OpenAPI document."""

    method: str
    rule: str
    summary: str
    description: str
    auth: Auth
    body: type[Input] | None
    documented_body: type[Input] | None
    query: type[Query] | None
    responses: Mapping[int, ResponseSpec]
    errors: Sequence[int] = field(default_factory=tuple)
    tag: str = ""
    documented_form: type[Input] | None = None

    @property
    def success_status(self) -> int:
        """The status a plain returned model gets."""
        return min(status for status in self.responses if 200 <= status < 300)


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    responses: Mapping[int, ResponseSpec],
    body: type[Input] | None = None,
    documented_body: type[Input] | None = None,
    documented_form: type[Input] | None = None,
    query: type[Query] | None = None,
    errors: Sequence[int] = (),
    auth: Auth = "user",
    tag: str = "",
    endpoint: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``rule`` on ``bp`` with its contract (see the module docstring).

    ``documented_body`` describes a body the view reads itself (the heartbeat, whose
    parser is shared with a path outside Flask): documented, not validated here.
    ``documented_form`` documents a ``multipart/form-data`` body the view also reads
    itself: the model's fields plus a ``file`` part.
    ``auth="user"`` resolves the caller (Bearer token or session) into ``g.user`` first
    (401 otherwise); ``errors`` lists the error statuses the route answers besides the
    generic ones (400, 401, 403 ... all use the problem shape).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        doc = (view.__doc__ or "").strip()
        first, _, description = doc.partition("\n\n")
        summary = " ".join(first.split())  # the first paragraph, on one line
        spec = Operation(
            method=method.upper(),
            rule=bp.url_prefix + rule if bp.url_prefix else rule,
            summary=summary.strip(),
            description=description.strip(),
            auth=auth,
            body=body,
            documented_body=documented_body,
            documented_form=documented_form,
            query=query,
            responses=dict(responses),
            errors=tuple(errors),
            tag=tag or bp.name,
        )

        @wraps(view)
        def handle(**path: Any) -> Any:
            if auth == "user":
                g.user = api_user()
            kwargs = dict(path)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            return render(spec, view(**kwargs))

        setattr(handle, OPERATION_ATTR, spec)
        bp.add_url_rule(rule, endpoint or view.__name__, handle, methods=[spec.method])
        return handle

    return decorate


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    """The contract a view function was declared with, if any."""
    return getattr(view, OPERATION_ATTR, None)


def parse_body(model: type[InputT]) -> InputT:
    """The request's JSON object validated as ``model``; 400 problem otherwise."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested past the parser's own limit, far past ours
        too_deep = FieldError("body", f"nested deeper than {max_depth()} levels")
        raise refuse([too_deep]) from None
    if not isinstance(data, dict):
        raise ApiError(400, JSON_OBJECT_REQUIRED)
    errors = json_faults(data, max_depth())
    if errors:
        raise refuse(errors)
    return validate(model, data)


def max_depth() -> int:
    """How deeply a JSON body may nest objects and arrays (``JSON_MAX_DEPTH``)."""
    return int(current_app.config["JSON_MAX_DEPTH"])


def parse_query(model: type[QueryT]) -> QueryT:
    """The query string validated as ``model`` (repeated keys become lists)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return validate(model, data)


def validate(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """``model`` built from ``data``, or an ApiError naming every field at fault."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, *describe(exc, model)) from None


def describe(exc: ValidationError, model: type[BaseModel]) -> tuple[str, list[FieldError]]:
    """One readable sentence and the field errors of a pydantic failure.

    Unknown top-level fields are listed with the allowed ones; an unknown field inside a
    nested object is named by its full path (``parts.0.Size``).
    """
    unknown, errors = [], []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            unknown.append(where)
        elif err["type"] == "extra_forbidden":
            errors.append(FieldError(where, "unknown field"))
        else:
            errors.append(FieldError(where, _message(err)))
    parts = []
    if unknown:
        allowed = ", ".join(sorted(_field_names(model)))
        parts.append(f"unknown field(s): {', '.join(unknown)}; allowed: {allowed}")
    parts += [f"{e.field}: {e.message}" for e in errors]
    return "; ".join(parts), [FieldError(name, "unknown field") for name in unknown] + errors


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _message(err: Mapping[str, Any]) -> str:
    """Pydantic's message, with the ``Value error, `` prefix of custom checks removed."""
    message = str(err["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def render(spec: Operation, result: Any) -> Response | Any:
    """Turn a view's return value into the response its contract promises."""
    if isinstance(result, WerkzeugResponse):
        return result
    status = spec.success_status
    if isinstance(result, tuple):
        result, status = result
    if result is None:
        return Response(status=204 if status == spec.success_status else status)
    if isinstance(result, BaseModel):
        response = jsonify(result.model_dump(mode="json", by_alias=True))
        response.status_code = status
        return response
    raise TypeError(f"{spec.method} {spec.rule} returned {type(result).__name__}")
