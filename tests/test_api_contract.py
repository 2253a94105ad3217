"""The API contract: one OpenAPI document generated from the routes' schemas, one error
shape (RFC 9457 problem details), and every answer of the suite checked against it."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, Response, jsonify
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from pydantic import Field

from webapp import create_app
from webapp.api.contract import Output, Query, operation
from webapp.api.contract_check import ContractViolation
from webapp.api.openapi import uncovered_routes

PROBLEM_KEYS = {"type", "title", "status", "detail", "error"}


def test_every_api_route_has_a_contract(app: Flask) -> None:
    assert uncovered_routes(app) == []


def test_the_document_is_served_and_its_schemas_are_valid(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/tokens" in spec["paths"]
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name
    refs = _refs(spec["paths"])
    missing = {ref for ref in refs if ref.rsplit("/", 1)[-1] not in spec["components"]["schemas"]}
    assert missing == set()


def test_every_write_documents_its_body(client: FlaskClient) -> None:
    """POST, PUT and PATCH operations say what they take (the caption upload: JSON or a
    multipart form with its file), except those whose whole input is the URL."""
    spec = client.get("/api/v1/openapi.json").get_json()
    without = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"post", "put", "patch"} and "requestBody" not in op
    }
    bodiless = {w for w in without if w.rsplit("/", 1)[-1] in BODILESS_ACTIONS}
    assert without - bodiless == set()
    caption = spec["paths"]["/api/v1/videos/{video_id}/captions"]["post"]["requestBody"]
    assert set(caption["content"]) == {"application/json", "multipart/form-data"}


# Writes whose whole input is their URL (an action on the object it names), and the raw
# bytes of an upload part (``{part_number}``).
BODILESS_ACTIONS = {
    "enrol",
    "check-in",
    "export",
    "clip",
    "{action}",
    "complete",
    "url",
    "resend",
    "retry",
    "{part_number}",
    "attempts",  # graded exams: start (or resume) an attempt at the exam in the URL
    "submit",  # graded exams: submit the attempt in the URL
}


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_the_docs_page_loads_swagger_ui(client: FlaskClient) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "docs.js"):
        assert f"/api/docs/assets/{asset}" in html
        with client.get(f"/api/docs/assets/{asset}") as response:
            assert response.status_code == 200
    assert client.get("/api/docs/assets/package.json").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (None, None, "send a JSON object"),
        ([], None, "send a JSON object"),
        ({"email": "a@example.com"}, "password", "Field required"),
        ({"email": 5, "password": "x"}, "email", "Input should be a valid string"),
        ({"email": "", "password": "x"}, "email", "at least 1 character"),
        ({"email": "a@example.com", "password": "x", "admin": True}, "admin", "unknown field"),
    ],
)
def test_bad_bodies_get_a_problem_naming_the_field(
    client: FlaskClient, body: object, field: str | None, message: str
) -> None:
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == 400 and problem["title"] == "Bad Request"
    assert problem["error"] == problem["detail"]
    if field is None:
        assert problem["detail"] == message and "errors" not in problem
    else:
        errors = {e["field"]: e["message"] for e in problem["errors"]}
        assert message in errors[field]
        assert field in problem["detail"]


def test_unknown_fields_are_named_with_the_allowed_ones(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/tokens", json={"email": "a@example.com", "password": "x", "role": "admin"}
    )
    assert response.get_json()["detail"] == "unknown field(s): role; allowed: email, name, password"


def test_errors_outside_views_have_the_same_shape(client: FlaskClient) -> None:
    for response in (client.get("/api/v1/tokens"), client.get("/api/v1/no-such-route")):
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert set(problem) >= PROBLEM_KEYS and problem["status"] == response.status_code


class _Echo(Query):
    n: int = Field(ge=0)


class _Answer(Output):
    n: int


def _app_with_probe_routes() -> Flask:
    """An app with two extra routes that break their own contract."""
    probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    @operation(probe, "GET", "/status", query=_Echo, responses={200: _Answer}, auth="public")
    def wrong_status(query: _Echo) -> tuple[_Answer, int]:
        """Answers a status it does not document."""
        return _Answer(n=query.n), 202

    @operation(probe, "GET", "/shape", query=_Echo, responses={200: _Answer}, auth="public")
    def wrong_shape(query: _Echo) -> Response:
        """Answers a body that does not match its schema."""
        return jsonify(n="not a number")

    app = create_app({"TESTING": True, "API_VALIDATE_RESPONSES": True})
    app.register_blueprint(probe)
    return app


def test_the_check_catches_an_undocumented_status_and_a_wrong_body(app: Flask) -> None:
    client = _app_with_probe_routes().test_client()
    with pytest.raises(ContractViolation, match="answered 202, not documented"):
        client.get("/api/v1/probe/status?n=1")
    with pytest.raises(ContractViolation, match="at 'n'"):
        client.get("/api/v1/probe/shape?n=1")
    assert client.get("/api/v1/probe/status?n=-1").status_code == 400
