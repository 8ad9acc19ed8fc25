"""Extensions, created unbound here and bound to the app in create_app."""
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import flask_compress
import flask_sqlalchemy.session
from flask_babel import Babel, Domain, get_locale
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.sql.elements import TextClause

# Named constraints: Alembic can then alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _Domain(Domain):
    """Flask-Babel's message domain, finding a locale's translations by the locale's parts:
    Flask-Babel keys them by ``str(locale)``, which babel builds again at every call, so each
    message of a page cost several times its lookup (a review queue asks about 700)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._by_locale: dict[tuple, object] = {}

    def get_translations(self):
        locale = get_locale()
        if locale is None:  # outside a request or app context: Flask-Babel's null translations
            return super().get_translations()
        key = (locale.language, locale.territory, locale.script, locale.variant, locale.modifier)
        found = self._by_locale.get(key)
        if found is None:
            found = self._by_locale[key] = super().get_translations()
        return found


class _Babel(Babel):
    @cached_property
    def domain_instance(self):
        return _Domain(domain=self.domain)


class Compress(flask_compress.Compress):
    """flask-compress, closing the file a compressed static response was read from: it puts
    a generator in the body's place, and a WSGI server closes only that (the file was left to
    the garbage collector, with a ResourceWarning)."""

    def after_request(self, response):
        body = response.response
        response = super().after_request(response)
        if response.response is not body and hasattr(body, "close"):
            response.call_on_close(body.close)
        return response


# The read-only engine (只读库, RUHU_READ_DATABASE_URL: a replica for reports and exports) is the
# bind of this key; without it every query goes to the one database.
READ_BIND = "read"
_READING = "reading"  # in Session.info: True while the session reads through the read-only engine


class Session(flask_sqlalchemy.session.Session):
    """Flask-SQLAlchemy's session, sending the reads of a ``reading`` section to the read-only
    engine when there is one. A write never goes there: a flush, an INSERT, UPDATE or DELETE,
    or a SELECT … FOR UPDATE stays on the primary, as does anything outside the section."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.info.get(_READING) and _only_reads(clause) and READ_BIND in self._db.engines:
            return self._db.engines[READ_BIND]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _only_reads(clause) -> bool:
    if clause is None:  # the unit of work's flush asks without a statement
        return False
    if isinstance(clause, TextClause):  # the session settings a read sends (SET LOCAL …)
        return True
    return clause.is_select and getattr(clause, "_for_update_arg", None) is None


@contextmanager
def _routed(session, to_replica: bool) -> Iterator[None]:
    before = session.info.get(_READING, False)
    session.info[_READING] = to_replica
    try:
        yield
    finally:
        session.info[_READING] = before


def reading(session):
    """Within it, ``session`` reads through the read-only engine (reports and exports: a replica
    may lag the primary by moments, which their stored figures' times and a file's rows allow)."""
    return _routed(session, True)


def on_primary(session):
    """Within it, ``session`` reads the primary even inside ``reading``: for a read that decides
    a write (a job's state, read again after its insert failed)."""
    return _routed(session, False)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"class_": Session})
migrate = Migrate()
babel = _Babel()
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
talisman = Talisman()
