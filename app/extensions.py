"""Extensions, created unbound here and bound to the app in create_app."""
import flask_compress
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints: Alembic can then alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
babel = Babel()
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
talisman = Talisman()
