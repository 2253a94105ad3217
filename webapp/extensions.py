"""Extensions created unbound; ``create_app`` attaches them with ``init_app``."""

from typing import TYPE_CHECKING, ClassVar

from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    # Every model is mapped to a Table (DeclarativeBase types it as any FromClause).
    __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mailman = Mail()

# The base class of every model. Flask-SQLAlchemy's stubs type ``db.Model`` as an
# attribute holding a class, which mypy does not accept as a base; at runtime it is a
# copy of ``Base`` with Flask-SQLAlchemy's mixins, so the checker is told it is ``Base``.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
