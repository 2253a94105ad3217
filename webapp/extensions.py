"""Extensions created unbound; ``create_app`` attaches them with ``init_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage and strategy for sign-in throttling (webapp/auth/throttle.py), which counts
# failed attempts per account and per address itself.
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _no_route_limits() -> bool:
    """No route uses ``@limiter.limit``: spare every request (heartbeats and media
    included) Flask-Limiter's per-route limit resolution, ~0.1 ms of CPU each. Remove
    this filter before decorating a view with a Flask-Limiter limit."""
    return True
