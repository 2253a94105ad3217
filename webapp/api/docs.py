"""The API's own description: the OpenAPI document and a page to browse it (Swagger UI)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
)

from webapp.api.blueprint import bp
from webapp.api.contract import operation
from webapp.api.openapi import document

# The browsable page lives beside the API, not in it: it is not part of the contract.
docs_bp = Blueprint("apidocs", __name__, url_prefix="/api/docs")
# Swagger UI's files, served from node_modules (npm package swagger-ui-dist).
SWAGGER_FILES = {"swagger-ui.css", "swagger-ui-bundle.js"}
# Swagger UI sets style attributes as it renders; this page alone allows them.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@operation(bp, "GET", "/openapi.json", responses={200: "application/json"}, auth="public")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of this API, generated from the routes' schemas."""
    return jsonify(document(current_app))


@docs_bp.get("/")
def api_docs() -> Response:
    """A page to browse the API (Swagger UI over ``openapi.json``)."""
    response = Response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


@docs_bp.get("/assets/<name>")
def docs_asset(name: str) -> Response:
    """Swagger UI's script and styles, and our start-up script."""
    if name == "docs.js":
        return send_from_directory(Path(__file__).parent / "static", name, max_age=300)
    if name not in SWAGGER_FILES:
        abort(404)
    folder = Path(current_app.config["NODE_MODULES"]) / "swagger-ui-dist"
    if not (folder / name).is_file():
        abort(404, "Front-end packages are not installed: run `npm ci`.")
    return send_from_directory(folder, name, max_age=86400)
