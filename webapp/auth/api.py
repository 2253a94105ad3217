"""API tokens: exchange credentials for one, list yours, revoke one."""

from __future__ import annotations

from flask import current_app, g
from pydantic import Field

from webapp.api.auth import bearer_token
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.auth.services import (
    EmailNotVerified,
    authenticate,
    live_tokens,
    revoke_token,
    token_row,
)
from webapp.extensions import db
from webapp.models import ApiToken
from webapp.models.base import as_utc
from webapp.people.services import PeopleError, token_name
from webapp.people.services import create_token as create_named_token
from webapp.problems import ApiError, FieldError


class Credentials(Input):
    """An account's e-mail address and password."""

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    name: str | None = Field(
        default=None, description="What the token is for (at most 80 characters); shown in lists."
    )


class TokenOut(Output):
    """An API token's metadata (never the token itself)."""

    id: int
    name: str = Field(description="What the holder called it; empty when unnamed.")
    created_at: Timestamp
    expires_at: Timestamp
    current: bool = Field(description="Whether this request authenticated with it.")

    @classmethod
    def of(cls, row: ApiToken, current_id: int | None) -> TokenOut:
        """The metadata of ``row``."""
        return cls(
            id=row.id,
            name=row.name,
            created_at=as_utc(row.created_at),
            expires_at=as_utc(row.expires_at),
            current=row.id == current_id,
        )


class NewToken(TokenOut):
    """A freshly issued token: ``token`` is shown this once."""

    token: str


class TokenList(Output):
    """The caller's unexpired tokens, newest first."""

    tokens: list[TokenOut]


def _bearer_token_id() -> int | None:
    """The id of the token this request authenticated with, if it used one."""
    token = bearer_token()
    row = token_row(token) if token is not None else None
    return row.id if row is not None else None


@operation(
    bp,
    "POST",
    "/tokens",
    body=Credentials,
    responses={201: NewToken},
    errors=(401, 403),
    auth="public",
)
def create_token(body: Credentials) -> NewToken:
    """Exchange e-mail and password for a bearer token (shown once), optionally named."""
    try:
        name = token_name(body.name, required=False)
    except PeopleError as exc:
        raise ApiError(400, str(exc), errors=[FieldError("name", str(exc))]) from None
    try:
        user = authenticate(body.email, body.password)
    except EmailNotVerified:
        raise ApiError(403, "confirm your e-mail address first (see the message we sent)") from None
    if user is None:
        raise ApiError(401, "wrong e-mail address or password")
    token, row = create_named_token(
        user, name, current_app.config["API_TOKEN_DAYS"], required=False
    )
    db.session.commit()
    return NewToken(token=token, **TokenOut.of(row, row.id).model_dump())


@operation(bp, "GET", "/tokens", responses={200: TokenList})
def list_tokens() -> TokenList:
    """The caller's unexpired tokens (never the tokens themselves), newest first."""
    current = _bearer_token_id()
    return TokenList(tokens=[TokenOut.of(row, current) for row in live_tokens(g.user)])


@operation(bp, "DELETE", "/tokens/<int:token_id>", responses={204: None}, errors=(404,))
def delete_token(token_id: int) -> None:
    """Revoke one of the caller's own tokens (404 for anybody else's)."""
    if not revoke_token(g.user, token_id):
        raise ApiError(404, "no such token")
    db.session.commit()
