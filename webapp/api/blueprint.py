"""The API blueprint object, shared by the route modules."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
