"""Extensions, created unbound and bound to the app in ``create_app``. Flask-Migrate (Alembic)
is not one of them: ``create_app`` attaches it for the command line and the tests, never in a
web process (``app.wsgi``), which does not run migrations and would carry Alembic for nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# The base class of every model. At run time it is ``db.Model`` (Flask-SQLAlchemy's copy of
# ``Base`` with its session and bind support); for the type checker it is the typed declarative
# base itself, plus Flask-SQLAlchemy's model attributes — ``db.Model`` is an attribute set in
# ``SQLAlchemy.__init__``, which mypy cannot use as a base class.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FSAModel

    class Model(Base, _FSAModel):
        __abstract__ = True

else:
    Model = db.Model
login_manager = LoginManager()
csrf = CSRFProtect()
# storage: the apps Redis (the embedded one under ``kehoach serve``), else memory (see create_app)
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
babel = Babel()
