"""Ruhu (入户): an offline-first form server for the rural household income census."""
from pathlib import Path

from flask import Flask, abort, redirect, request
from flask_login.utils import login_url
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config
from app.extensions import babel, compress, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config.instance_dir()), static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"))
    app.config.from_mapping(config.load())
    if test_config:
        app.config.update(test_config)
    if app.config["TRUST_PROXY_HEADERS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)

    from app import figures, jobs, records
    from app.main import errors

    records.init_app(app)
    figures.init_app(app)
    jobs.init_app(app)
    errors.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import (
        models,  # noqa: F401  (every table registered before migrations look)
        security,
    )
    from app.i18n import select_locale

    security.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "app" / "translations"))
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself

    @login_manager.unauthorized_handler
    def unauthorized():
        """Pages send the visitor to sign in; the API answers 401 JSON, which the phone's
        outbox understands as "wait, then sign in again" (docs/sync.md)."""
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(login_url(login_manager.login_view, request.url))

    @login_manager.user_loader
    def load_user(token: str):
        from app.auth.services import session_user

        return session_user(token)


@event.listens_for(Engine, "connect")
def _session_settings(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked, and serves several gunicorn workers
    best in WAL mode with a busy timeout. PostgreSQL's JIT compiles every large aggregate
    (a county dashboard's) for longer than it then runs. PostgreSQL's default cost of a
    random page read (4) is a spinning disk's; on SSD or memory, where our data lives, it
    made a village's review queue scan every record instead of probing the index for its
    households. (Both measured: docs/benchmarks.md, "Measurements behind code choices".)"""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()
    elif module.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.execute("SET random_page_cost = 1.1")
        dbapi_connection.commit()  # else the pool's rollback would undo it


def _register_blueprints(app: Flask) -> None:
    from app.admin.cadres import bp as cadres_bp
    from app.admin.views import bp as admin_bp
    from app.audits.views import bp as audits_bp
    from app.auth.views import bp as auth_bp
    from app.census.views import bp as census_bp
    from app.clues.views import bp as clues_bp
    from app.households.views import bp as households_bp
    from app.jobs.views import bp as jobs_bp
    from app.main.views import bp as main_bp
    from app.monitoring.views import bp as monitoring_bp
    from app.pwa.views import bp as pwa_bp
    from app.records.views import bp as records_bp
    from app.reports.export_views import bp as exports_bp
    from app.reports.views import bp as reports_bp
    from app.review.views import bp as review_bp
    from app.roster.views import bp as roster_bp
    from app.sync.tasks import bp as tasks_bp
    from app.sync.views import bp as sync_bp
    from app.visits.views import bp as visits_bp

    for blueprint in (main_bp, auth_bp, households_bp, census_bp, records_bp, pwa_bp, admin_bp, roster_bp, sync_bp,
                      tasks_bp, review_bp, monitoring_bp, clues_bp, reports_bp, exports_bp, visits_bp,
                      cadres_bp, audits_bp, jobs_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.audits.cli import cli as audits_cli
    from app.clues.cli import cli as clues_cli
    from app.demo.cli import cli as demo_cli
    from app.jobs.cli import cli as jobs_cli
    from app.records.cli import cli as attachments_cli
    from app.roster.cli import cli as roster_cli

    for group in (clues_cli, demo_cli, roster_cli, audits_cli, attachments_cli, jobs_cli):
        app.cli.add_command(group)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_login import current_user

    from app import codes
    from app.auth.roles import can
    from app.i18n import HTML_LANG, local_date, local_datetime, local_number
    from app.money import format_yuan
    from app.punctuation import aside, colon, listing
    from app.visits.queries import cadre_of

    @app.context_processor
    def inject():
        locale = str(get_locale())
        return {"codes": codes, "can": lambda right: can(current_user, right), "current_locale": locale,
                "html_lang": HTML_LANG.get(locale, "zh-Hans")}

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["datetime"] = local_datetime
    # The household page (households sits below visits) shows who answers for the household.
    app.jinja_env.globals["responsible_cadre"] = cadre_of
    app.jinja_env.filters["number"] = local_number
    app.jinja_env.filters["listing"] = listing
    app.jinja_env.globals.update(aside=aside, colon=colon)
