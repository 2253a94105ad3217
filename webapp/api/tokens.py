"""API tokens: exchange credentials for one, list yours, revoke one."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from webapp.api.auth import api_login_required, bearer_token
from webapp.api.blueprint import bp
from webapp.auth.services import authenticate, issue_token, live_tokens, revoke_token, token_row
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import ApiToken
from webapp.models.base import as_utc


def _token_json(row: ApiToken, current_id: int | None) -> dict[str, object]:
    return {
        "id": row.id,
        "created_at": as_utc(row.created_at).isoformat(),
        "expires_at": as_utc(row.expires_at).isoformat(),
        "current": row.id == current_id,
    }


def _bearer_token_id() -> int | None:
    """The id of the token this request authenticated with, if it used one."""
    token = bearer_token()
    row = token_row(token) if token is not None else None
    return row.id if row is not None else None


@bp.post("/tokens")
def create_token():
    """Exchange e-mail and password for a bearer token (shown once)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, 'send JSON {"email": ..., "password": ...}')
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return error_response(400, "email and password are required strings")
    user = authenticate(email, password)
    if user is None:
        return error_response(401, "wrong e-mail address or password")
    token = issue_token(user, current_app.config["API_TOKEN_DAYS"])
    row = token_row(token)
    db.session.commit()
    return jsonify(token=token, **_token_json(row, row.id)), 201


@bp.get("/tokens")
@api_login_required
def list_tokens():
    """The caller's unexpired tokens (never the tokens themselves), newest first."""
    current = _bearer_token_id()
    return jsonify(tokens=[_token_json(row, current) for row in live_tokens(g.user)])


@bp.delete("/tokens/<int:token_id>")
@api_login_required
def delete_token(token_id: int):
    """Revoke one of the caller's own tokens (404 for anybody else's)."""
    if not revoke_token(g.user, token_id):
        return error_response(404, "no such token")
    db.session.commit()
    return "", 204
