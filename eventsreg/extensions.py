"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import logging

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, ending each request's session without ever failing the response.

    The session is removed in a teardown, after the response is made and outside the error
    handlers. If the database went away mid-request (PostgreSQL shut down: AdminShutdown),
    the rollback there raises and the server would answer its bare "Internal Server Error"
    instead of the page already made (the friendly 503 with its reference). The failure
    is logged and the broken session dropped; the pool replaces the dead connection
    (``pool_pre_ping``).
    """

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except SQLAlchemyError as error:
            logging.getLogger(__name__).error(
                "database unavailable at the end of a request: %s", error
            )
            self.session.registry.clear()


db = _SQLAlchemy(model_class=Base)
# Batch mode lets Alembic alter tables on SQLite, which has almost no ALTER TABLE.
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "organizer.login"
login_manager.session_protection = "strong"


class _Limiter(Limiter):
    """Flask-Limiter, reading RATELIMIT_KEY_PREFIX afresh for every app it is bound to."""

    def init_app(self, app) -> None:
        # Flask-Limiter keeps the first app's prefix for good ("prefix or config"), so a
        # second app in the same process (tests, scripts) would write under the wrong one.
        self._key_prefix = ""
        super().init_app(app)


# Limits are declared on the views that need them; storage comes from
# RATELIMIT_STORAGE_URI (memory by default, Redis when several workers share limits).
# Counts are per client address: get_remote_address is request.remote_addr, which
# ProxyFix (PROXY_FIX_X_FOR) corrects behind a reverse proxy; without it, every visitor
# would have the proxy's address and share one limit.
limiter = _Limiter(key_func=get_remote_address, default_limits=[])
